// Writes change events inside the caller's transaction (the outbox half of "transactional outbox").
import { randomUUID } from 'node:crypto';
import type pg from 'pg';

export interface NewEvent {
  type: string;
  resourceType: string;
  resourceId: string;
  data: Record<string, unknown>;
}

/**
 * Appends one event; must run inside the transaction that makes the change. Call it as the last
 * statement before COMMIT: it locks the tenant's counter row until commit (that is what keeps
 * positions in commit order), and the shorter that lock is held the more writers run in parallel.
 */
export async function appendEvent(client: pg.PoolClient, tenant: string, event: NewEvent): Promise<{ id: string; position: number }> {
  const id = randomUUID();
  const { rows } = await client.query<{ position: number }>(
    `WITH counter AS (
       INSERT INTO event_counters (tenant_id, last) VALUES ($1, 1)
       ON CONFLICT (tenant_id) DO UPDATE SET last = event_counters.last + 1
       RETURNING last)
     INSERT INTO events (tenant_id, position, id, type, resource_type, resource_id, data)
     SELECT $1, counter.last, $2, $3, $4, $5, $6 FROM counter
     RETURNING position`,
    [tenant, id, event.type, event.resourceType, event.resourceId, JSON.stringify(event.data)],
  );
  return { id, position: rows[0]!.position };
}

/** The audit table's insert columns, and a row's values in that order. */
export const auditColumns = 'tenant, time, token_id, method, resource_type, resource_id, summary, status, outcome, dry_run';
export type AuditRow = [string, string, string | null, string, string | null, string | null, string, number, string, boolean];
const auditInsert = `INSERT INTO audit (${auditColumns}) VALUES ($8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`;

/**
 * The statement that appends several events (same ordering guarantee as appendEvent, positions in array order),
 * with the transaction's audit row when given: one round trip for both. The engine sends it with COMMIT. A group
 * event whose data has `"version": null` gets the version group_versions holds at that point of the transaction: a
 * member change's bump travels in the same round trip, so its version is not known before (engine.ts, touchResource).
 */
export function appendEventsStatement(tenant: string, events: NewEvent[], audit?: AuditRow): { text: string; values: unknown[] } {
  return {
    text: `WITH ${audit ? `audit_row AS (${auditInsert}), ` : ''}counter AS (
       INSERT INTO event_counters (tenant_id, last) VALUES ($1, $2)
       ON CONFLICT (tenant_id) DO UPDATE SET last = event_counters.last + $2
       RETURNING last)
     INSERT INTO events (tenant_id, position, id, type, resource_type, resource_id, data)
     SELECT $1, counter.last - $2 + e.ord, e.id, e.type, e.resource_type, e.resource_id,
            CASE WHEN v.version IS NULL THEN e.data::jsonb ELSE jsonb_set(e.data::jsonb, '{version}', to_jsonb(v.version)) END
       FROM counter, unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY AS e(id, type, resource_type, resource_id, data, ord)
       LEFT JOIN group_versions v ON e.resource_type = 'Group' AND e.data::jsonb -> 'version' = 'null'::jsonb AND v.tenant = $1 AND v.group_id = e.resource_id`,
    values: [
      tenant,
      events.length,
      events.map(() => randomUUID()),
      events.map((e) => e.type),
      events.map((e) => e.resourceType),
      events.map((e) => e.resourceId),
      events.map((e) => JSON.stringify(e.data)),
      ...(audit ?? []),
    ],
  };
}
