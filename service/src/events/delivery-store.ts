// What the webhook dispatcher needs from storage. Delivery state lives next to the outbox so that
// claiming work, reading events and recording progress are plain transactions, shared by all replicas.
//
// Model: one subscription per webhook URL with a delivery cursor (the last event acknowledged by the
// receiver). The dispatcher sends the events after that cursor in order, in batches; a failed batch is
// retried unchanged (same events, same `webhook-id`) after a back-off, so delivery is at-least-once and
// each event's `id` lets the receiver drop duplicates.

export interface WebhookSubscription {
  id: string;
  tenant: string;
  url: string;
  /** Signing secret (`whsec_…`); returned by the admin API only when created or rotated. */
  secret: string;
  /** Event types to send (`*` = all). Other events are skipped but still advance the cursor. */
  eventTypes: string[];
  enabled: boolean;
  createdAt: string;
}

export interface WebhookStatus extends Omit<WebhookSubscription, 'secret'> {
  /** Cursor of the last event the receiver acknowledged ("0" before the first). */
  deliveredCursor: string;
  /** Consecutive failed attempts of the current batch. */
  failures: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastSuccessAt: string | null;
}

/** An event as delivered to receivers and served by the feed. */
export interface DeliverableEvent {
  /** Stable unique id: the de-duplication key for receivers. */
  id: string;
  /** Position in the tenant's feed; strictly increasing in commit order. */
  cursor: string;
  type: string;
  tenant: string;
  occurredAt: string;
  resourceType: string;
  resourceId: string;
  data: Record<string, unknown>;
}

export interface ClaimedBatch {
  webhook: WebhookSubscription;
  /** Cursor the batch starts after. */
  after: string;
  /** When retrying, the batch ends exactly here (same events as the failed attempt). */
  through: string | null;
  failures: number;
}

export interface WebhookDeliveryStore {
  /**
   * Leases one enabled subscription that has undelivered events and whose retry time has come.
   * Concurrent callers (other replicas) never get the same subscription while the lease holds.
   */
  claimDue(owner: string, leaseMs: number): Promise<ClaimedBatch | undefined>;
  /** Events of `tenant` after `after` (and up to `through` if given), oldest first. */
  eventsAfter(tenant: string, after: string, limit: number, through?: string | null): Promise<DeliverableEvent[]>;
  /** Records an acknowledged batch and releases the lease. False if the lease was lost meanwhile. */
  recordSuccess(webhookId: string, owner: string, deliveredThrough: string): Promise<boolean>;
  /** Records a failed batch (kept for the retry), schedules the retry and releases the lease. */
  recordFailure(webhookId: string, owner: string, failure: { through: string; retryAt: Date; error: string }): Promise<boolean>;

  createWebhook(input: { tenant: string; url: string; secret: string; eventTypes: string[]; startAfter: string }): Promise<WebhookStatus>;
  listWebhooks(tenant: string): Promise<WebhookStatus[]>;
  getWebhook(tenant: string, id: string): Promise<WebhookStatus | undefined>;
  updateWebhook(tenant: string, id: string, patch: { url?: string; eventTypes?: string[]; enabled?: boolean; secret?: string }): Promise<WebhookStatus | undefined>;
  deleteWebhook(tenant: string, id: string): Promise<boolean>;
  /** Cursor of the newest committed event of the tenant ("0" if none). */
  latestCursor(tenant: string): Promise<string>;
}
