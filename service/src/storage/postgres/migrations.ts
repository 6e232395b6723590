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
  {
    version: 2,
    name: 'tenants, tokens, resources, emails, members, audit',
    // Documents are text (JSON as sent, key order kept); derived columns use the "C" collation so sort
    // order and prefix matches equal SQLite's byte order and LIKE 'x%' can use the indexes.
    sql: `
      CREATE TABLE tenants (
        name     text COLLATE "C" PRIMARY KEY,
        created  text NOT NULL,
        settings text NOT NULL DEFAULT '{}'
      );
      CREATE TABLE tokens (
        id      text PRIMARY KEY,
        tenant  text COLLATE "C" NOT NULL REFERENCES tenants(name) ON DELETE CASCADE,
        hash    text NOT NULL,
        label   text,
        created text NOT NULL,
        revoked text
      );
      CREATE INDEX tokens_tenant ON tokens (tenant);
      CREATE TABLE resources (
        tenant          text COLLATE "C" NOT NULL REFERENCES tenants(name) ON DELETE CASCADE,
        id              text COLLATE "C" NOT NULL,
        type            text NOT NULL,
        data            text NOT NULL,
        created         text COLLATE "C" NOT NULL,
        last_modified   text COLLATE "C" NOT NULL,
        version         integer NOT NULL,
        user_name_lc    text COLLATE "C",
        external_id     text COLLATE "C",
        display_name_lc text COLLATE "C",
        active          boolean,
        PRIMARY KEY (tenant, id)
      );
      CREATE INDEX resources_type_id ON resources (tenant, type, id);
      CREATE UNIQUE INDEX users_user_name ON resources (tenant, user_name_lc) WHERE type = 'User';
      CREATE UNIQUE INDEX groups_display_name ON resources (tenant, display_name_lc) WHERE type = 'Group';
      CREATE INDEX resources_display_name ON resources (tenant, type, display_name_lc);
      CREATE INDEX resources_external_id ON resources (tenant, type, external_id);
      CREATE TABLE emails (
        tenant   text COLLATE "C" NOT NULL,
        user_id  text COLLATE "C" NOT NULL,
        value_lc text COLLATE "C" NOT NULL,
        type_lc  text COLLATE "C",
        FOREIGN KEY (tenant, user_id) REFERENCES resources (tenant, id) ON DELETE CASCADE
      );
      CREATE INDEX emails_value ON emails (tenant, value_lc);
      CREATE INDEX emails_user ON emails (tenant, user_id);
      CREATE TABLE members (
        tenant    text COLLATE "C" NOT NULL,
        group_id  text COLLATE "C" NOT NULL,
        member_id text COLLATE "C" NOT NULL,
        type      text,
        display   text,
        PRIMARY KEY (tenant, group_id, member_id),
        FOREIGN KEY (tenant, group_id) REFERENCES resources (tenant, id) ON DELETE CASCADE
      );
      -- A user's groups in O(its groups) (rendering the User "groups" attribute, members.value filters).
      CREATE INDEX members_member ON members (tenant, member_id, group_id);
      CREATE TABLE audit (
        seq           bigserial PRIMARY KEY,
        tenant        text COLLATE "C" NOT NULL,
        time          text NOT NULL,
        token_id      text,
        method        text NOT NULL,
        resource_type text,
        resource_id   text,
        summary       text NOT NULL,
        status        integer NOT NULL,
        outcome       text NOT NULL,
        dry_run       boolean NOT NULL
      );
      CREATE INDEX audit_tenant ON audit (tenant, seq);
    `,
  },
  {
    version: 3,
    name: 'secondary indexes no longer lead with tenant',
    // The foreign-key checks and ON DELETE CASCADE actions run as cached plans per connection. Planned
    // while a table was empty, every index leading with (tenant) cost the same as the primary key, and
    // PostgreSQL could keep e.g. resources_external_id with "Filter: id = $2": each insert then read every
    // row of the tenant (seeding 100,000 users slowed to hours). With stale statistics the same tie hit our
    // own DELETE … WHERE tenant, id, type. Now a lookup by id can only use an index that holds the id
    // (primary key, or resources_type_id with all three columns), and a lookup by value leads with the value.
    sql: `
      DROP INDEX resources_type_id;
      DROP INDEX resources_display_name;
      DROP INDEX resources_external_id;
      CREATE INDEX resources_type_id ON resources (type, tenant, id);
      CREATE INDEX resources_display_name ON resources (display_name_lc, tenant, type);
      CREATE INDEX resources_external_id ON resources (external_id, tenant, type);
      DROP INDEX emails_value;
      CREATE INDEX emails_value ON emails (value_lc, tenant);
      DROP INDEX members_member;
      CREATE INDEX members_member ON members (member_id, tenant, group_id);
    `,
  },
  {
    version: 4,
    name: 'resources pages keep room for HOT updates',
    // Every member change bumps its group's version, so a large group's row is updated hundreds of times a
    // second during a sync. On packed pages those updates could not stay on the row's page (HOT): each one
    // added an entry for the same key to every index of resources, and reading that one group (for a user's
    // "groups") walked thousands of dead entries: 31 buffers for one row, measured. 10% free space per page
    // keeps the updates HOT and pruned in place. Applies to pages written from now on (docs/production.md).
    sql: `ALTER TABLE resources SET (fillfactor = 90);`,
  },
  {
    version: 5,
    name: 'autovacuum resources at 2% dead rows',
    // The updates that still leave their page (about 1% of a hot group's bumps with migration 4) add index
    // entries that every read of that group walks until VACUUM; with the default threshold (20% of the table
    // dead) a 100,000-user tenant waited for 20,000 dead rows, and a lookup of a member of its big group grew to
    // 1.5 ms (88-177 buffers for one row, measured). VACUUM of such a table took 0.15 s here.
    sql: `ALTER TABLE resources SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 500);`,
  },
  {
    version: 6,
    name: 'group names apart from the group rows',
    // A user's "groups" need each group's id and displayName. Read from the group's resources row, every lookup of
    // a member of a big group visited that row, which every member change of the group updates: during a sync the
    // lookups walked its dead versions (51, then 131 buffers per lookup as the rounds went on, measured with
    // pg_stat_statements). Group names change only when a group is renamed. display_json is the displayName as JSON
    // text (null when the document has none), so a name with U+0000 survives as in the document. The copy of
    // existing groups parses each document; one that PostgreSQL cannot parse (a \u0000 escape) gets U+FFFD there.
    sql: `
      CREATE TABLE group_names (
        tenant       text COLLATE "C" NOT NULL,
        group_id     text COLLATE "C" NOT NULL,
        display_json text,
        PRIMARY KEY (tenant, group_id),
        FOREIGN KEY (tenant, group_id) REFERENCES resources (tenant, id) ON DELETE CASCADE
      );
      DO $$
      DECLARE g record;
      BEGIN
        FOR g IN SELECT tenant, id, data FROM resources WHERE type = 'Group' LOOP
          BEGIN
            INSERT INTO group_names VALUES (g.tenant, g.id, CASE WHEN json_typeof(g.data::json -> 'displayName') = 'string' THEN (g.data::json -> 'displayName')::text END);
          EXCEPTION WHEN untranslatable_character OR invalid_text_representation THEN
            INSERT INTO group_names VALUES (g.tenant, g.id, CASE WHEN json_typeof(replace(g.data, '\\u0000', '\\ufffd')::json -> 'displayName') = 'string'
                                                                 THEN (replace(g.data, '\\u0000', '\\ufffd')::json -> 'displayName')::text END);
          END;
        END LOOP;
      END $$;
    `,
  },
  {
    version: 7,
    name: 'group versions apart from the group rows',
    // A member change must change its group's version and lastModified (ETag). Kept on the group's resources row,
    // each change left a dead version of that row (with its document) and, once the page was full, an entry in every
    // index of resources: the member PATCH's own reads of the group and the foreign-key check of each member row
    // walked 100-200 buffers per statement during a sync (pg_stat_statements). The version now lives in a narrow row
    // of its own (no document, one index, half-empty pages for HOT updates); the resources row of a group changes
    // only with its document. For groups, resources.version and last_modified are no longer read.
    sql: `
      CREATE TABLE group_versions (
        tenant        text COLLATE "C" NOT NULL,
        group_id      text COLLATE "C" NOT NULL,
        version       integer NOT NULL,
        last_modified text COLLATE "C" NOT NULL,
        PRIMARY KEY (tenant, group_id),
        FOREIGN KEY (tenant, group_id) REFERENCES resources (tenant, id) ON DELETE CASCADE
      ) WITH (fillfactor = 50);
      INSERT INTO group_versions (tenant, group_id, version, last_modified)
        SELECT tenant, id, version, last_modified FROM resources WHERE type = 'Group';
    `,
  },
];
