// Webhook subscriptions and their delivery state in PostgreSQL. Claims use FOR UPDATE SKIP LOCKED plus
// a lease, so replicas split the subscriptions between them and never send one batch concurrently.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type {
  ClaimedBatch,
  DeliverableEvent,
  WebhookDeliveryStore,
  WebhookStatus,
  WebhookSubscription,
} from '../../events/delivery-store.js';

interface WebhookRow {
  id: string;
  tenant_id: string;
  url: string;
  secret: string;
  event_types: string[];
  enabled: boolean;
  created_at: Date;
  delivered_position: number;
  pending_through: number | null;
  failures: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  last_success_at: Date | null;
}

interface EventRow {
  id: string;
  position: number;
  tenant_id: string;
  type: string;
  resource_type: string;
  resource_id: string;
  occurred_at: Date;
  data: Record<string, unknown>;
}

function subscription(row: WebhookRow): WebhookSubscription {
  return {
    id: row.id,
    tenant: row.tenant_id,
    url: row.url,
    secret: row.secret,
    eventTypes: row.event_types,
    enabled: row.enabled,
    createdAt: row.created_at.toISOString(),
  };
}

function status(row: WebhookRow): WebhookStatus {
  const { secret: _secret, ...rest } = subscription(row);
  return {
    ...rest,
    deliveredCursor: String(row.delivered_position),
    failures: row.failures,
    nextAttemptAt: row.failures > 0 && row.next_attempt_at ? row.next_attempt_at.toISOString() : null,
    lastError: row.last_error,
    lastSuccessAt: row.last_success_at ? row.last_success_at.toISOString() : null,
  };
}

export function eventFromRow(row: EventRow): DeliverableEvent {
  return {
    id: row.id,
    cursor: String(row.position),
    type: row.type,
    tenant: row.tenant_id,
    occurredAt: row.occurred_at.toISOString(),
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    data: row.data,
  };
}

/** Cursors are decimal positions; anything else is a client mistake reported by the caller. */
export function parseCursor(cursor: string): number {
  if (!/^\d{1,15}$/.test(cursor)) throw new RangeError(`cursor must be a non-negative integer (got "${cursor}")`);
  return Number(cursor);
}

export function createPostgresDeliveryStore(pool: pg.Pool): WebhookDeliveryStore {
  return {
    async claimDue(owner, leaseMs) {
      const { rows } = await pool.query<WebhookRow>(
        `WITH due AS (
           SELECT w.id FROM webhooks w
            WHERE w.enabled
              AND w.next_attempt_at <= now()
              AND (w.lease_until IS NULL OR w.lease_until < now())
              AND EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = w.tenant_id AND e.position > w.delivered_position)
            ORDER BY w.next_attempt_at
            LIMIT 1
            FOR UPDATE OF w SKIP LOCKED)
         UPDATE webhooks w
            SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
           FROM due WHERE w.id = due.id
         RETURNING w.*`,
        [owner, leaseMs],
      );
      const row = rows[0];
      if (!row) return undefined;
      const claim: ClaimedBatch = {
        webhook: subscription(row),
        after: String(row.delivered_position),
        through: row.pending_through === null ? null : String(row.pending_through),
        failures: row.failures,
      };
      return claim;
    },

    async eventsAfter(tenant, after, limit, through) {
      const params: unknown[] = [tenant, parseCursor(after), limit];
      let bound = '';
      if (through !== undefined && through !== null) {
        params.push(parseCursor(through));
        bound = 'AND position <= $4';
      }
      const { rows } = await pool.query<EventRow>(
        `SELECT id, position, tenant_id, type, resource_type, resource_id, occurred_at, data
           FROM events WHERE tenant_id = $1 AND position > $2 ${bound}
          ORDER BY position LIMIT $3`,
        params,
      );
      return rows.map(eventFromRow);
    },

    async recordSuccess(webhookId, owner, deliveredThrough) {
      const { rowCount } = await pool.query(
        `UPDATE webhooks
            SET delivered_position = GREATEST(delivered_position, $3), pending_through = NULL, failures = 0,
                next_attempt_at = now(), last_error = NULL, last_success_at = now(),
                lease_owner = NULL, lease_until = NULL
          WHERE id = $1 AND lease_owner = $2`,
        [webhookId, owner, parseCursor(deliveredThrough)],
      );
      return rowCount === 1;
    },

    async recordFailure(webhookId, owner, failure) {
      const { rowCount } = await pool.query(
        `UPDATE webhooks
            SET pending_through = $3, failures = failures + 1, next_attempt_at = $4, last_error = $5,
                lease_owner = NULL, lease_until = NULL
          WHERE id = $1 AND lease_owner = $2`,
        [webhookId, owner, parseCursor(failure.through), failure.retryAt, failure.error.slice(0, 500)],
      );
      return rowCount === 1;
    },

    async createWebhook(input) {
      const { rows } = await pool.query<WebhookRow>(
        `INSERT INTO webhooks (id, tenant_id, url, secret, event_types, delivered_position)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [randomUUID(), input.tenant, input.url, input.secret, input.eventTypes, parseCursor(input.startAfter)],
      );
      return status(rows[0]!);
    },

    async listWebhooks(tenant) {
      const { rows } = await pool.query<WebhookRow>('SELECT * FROM webhooks WHERE tenant_id = $1 ORDER BY created_at, id', [tenant]);
      return rows.map(status);
    },

    async getWebhook(tenant, id) {
      const { rows } = await pool.query<WebhookRow>('SELECT * FROM webhooks WHERE tenant_id = $1 AND id::text = $2', [tenant, id]);
      return rows[0] ? status(rows[0]) : undefined;
    },

    async updateWebhook(tenant, id, patch) {
      const { rows } = await pool.query<WebhookRow>(
        `UPDATE webhooks
            SET url = COALESCE($3, url), event_types = COALESCE($4, event_types),
                enabled = COALESCE($5, enabled), secret = COALESCE($6, secret),
                -- re-enabling or fixing the URL retries at once instead of waiting out the back-off
                next_attempt_at = CASE WHEN $3::text IS NOT NULL OR $5::boolean THEN now() ELSE next_attempt_at END
          WHERE tenant_id = $1 AND id::text = $2 RETURNING *`,
        [tenant, id, patch.url ?? null, patch.eventTypes ?? null, patch.enabled ?? null, patch.secret ?? null],
      );
      return rows[0] ? status(rows[0]) : undefined;
    },

    async deleteWebhook(tenant, id) {
      const { rowCount } = await pool.query('DELETE FROM webhooks WHERE tenant_id = $1 AND id::text = $2', [tenant, id]);
      return rowCount === 1;
    },

    async latestCursor(tenant) {
      const { rows } = await pool.query<{ last: number | null }>('SELECT max(position) AS last FROM events WHERE tenant_id = $1', [tenant]);
      return String(rows[0]?.last ?? 0);
    },
  };
}
