// Schema of the PostgreSQL engine. Append new migrations; never edit one that has shipped.
// Invariants live in constraints, not in application code: uniqueness by unique indexes (userName
// case-insensitively through lower()), members as rows with a primary key, versions as columns.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'outbox events and webhook delivery state',
    sql: `
      -- Outbox: one row per committed change, written in the same transaction as the change.
      -- position is per tenant, gap-free and in commit order (see event_counters).
      CREATE TABLE events (
        tenant_id     text        NOT NULL,
        position      bigint      NOT NULL,
        id            uuid        NOT NULL UNIQUE,
        type          text        NOT NULL,
        resource_type text        NOT NULL,
        resource_id   text        NOT NULL,
        occurred_at   timestamptz NOT NULL DEFAULT now(),
        data          jsonb       NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (tenant_id, position)
      );

      -- The per-tenant counter row is locked from the event insert until commit, so positions become
      -- visible in order: a reader never sees position n+1 while n can still appear.
      CREATE TABLE event_counters (
        tenant_id text   PRIMARY KEY,
        last      bigint NOT NULL
      );

      CREATE TABLE webhooks (
        id                 uuid        PRIMARY KEY,
        tenant_id          text        NOT NULL,
        url                text        NOT NULL,
        secret             text        NOT NULL,
        event_types        text[]      NOT NULL DEFAULT ARRAY['*'],
        enabled            boolean     NOT NULL DEFAULT true,
        created_at         timestamptz NOT NULL DEFAULT now(),
        delivered_position bigint      NOT NULL DEFAULT 0,
        pending_through    bigint,
        failures           integer     NOT NULL DEFAULT 0,
        next_attempt_at    timestamptz NOT NULL DEFAULT now(),
        last_error         text,
        last_success_at    timestamptz,
        lease_owner        text,
        lease_until        timestamptz
      );
      CREATE INDEX webhooks_tenant ON webhooks (tenant_id);
      CREATE INDEX webhooks_due ON webhooks (next_attempt_at) WHERE enabled;
    `,
  },
];
