// Delivers outbox events to webhook subscriptions. Every replica runs one dispatcher; the store's
// leases (FOR UPDATE SKIP LOCKED in PostgreSQL) make sure one subscription is served by one replica at
// a time, so batches go out in order and are never sent twice concurrently.
import { createHash, randomUUID } from 'node:crypto';
import { retryDelayMs, defaultBackoff, type BackoffPolicy } from './backoff.js';
import type { ClaimedBatch, DeliverableEvent, WebhookDeliveryStore } from './delivery-store.js';
import { signWebhook } from './signature.js';

export interface DispatcherLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface DispatcherOptions {
  store: WebhookDeliveryStore;
  /** How often to look for work when idle. */
  pollIntervalMs?: number;
  /** Events per webhook request. */
  batchSize?: number;
  /** Per-request timeout; the receiver must answer 2xx within it. */
  requestTimeoutMs?: number;
  /** Subscriptions served in parallel by this replica. */
  concurrency?: number;
  backoff?: BackoffPolicy;
  logger?: DispatcherLogger;
  /** Injected for tests of the dispatcher's own logic; defaults to global fetch. */
  fetch?: typeof fetch;
  now?: () => Date;
}

export interface Dispatcher {
  start(): void;
  /** Stops polling and waits for in-flight deliveries to finish (their outcome is recorded). */
  stop(): Promise<void>;
  /** Looks for work now instead of at the next poll (e.g. right after a local commit). */
  wake(): void;
  /** One pass: serves due subscriptions until none is left. Returns the number of requests sent. */
  runOnce(): Promise<number>;
}

const silent: DispatcherLogger = { warn: () => undefined, debug: () => undefined };

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const store = options.store;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const batchSize = options.batchSize ?? 100;
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const concurrency = options.concurrency ?? 4;
  const backoff = options.backoff ?? defaultBackoff;
  const logger = options.logger ?? silent;
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  // The lease outlives a request by a wide margin; a replica that dies mid-request frees it on expiry.
  const leaseMs = requestTimeoutMs * 3 + 5_000;
  const owner = randomUUID();

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = true;
  let wakeRequested = false;
  // Set by stop(): workers finish the batch in hand and take no new one.
  let halted = false;

  async function deliver(claim: ClaimedBatch): Promise<boolean> {
    const { webhook } = claim;
    const events = await store.eventsAfter(webhook.tenant, claim.after, batchSize, claim.through);
    if (events.length === 0) {
      await store.recordSuccess(webhook.id, owner, claim.through ?? claim.after);
      return false;
    }
    const through = events[events.length - 1]!.cursor;
    const wanted = events.filter((e) => matchesTypes(e, webhook.eventTypes));
    if (wanted.length === 0) {
      await store.recordSuccess(webhook.id, owner, through);
      return false;
    }
    const body = JSON.stringify({ events: wanted });
    // Same batch → same message id on every retry (Standard Webhooks de-duplication key).
    const messageId = 'msg_' + createHash('sha256').update(`${webhook.id}:${claim.after}:${through}`).digest('hex').slice(0, 32);
    const headers = signWebhook(webhook.secret, messageId, Math.floor(now().getTime() / 1000), body);
    let error: string | undefined;
    try {
      const res = await doFetch(webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'entra-scim-webhooks/1', ...headers },
        body,
        signal: AbortSignal.timeout(requestTimeoutMs),
        redirect: 'manual',
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status > 299) error = `receiver answered HTTP ${res.status}`;
    } catch (e) {
      error = describeFetchError(e);
    }
    if (error === undefined) {
      await store.recordSuccess(webhook.id, owner, through);
      logger.debug({ webhookId: webhook.id, tenant: webhook.tenant, events: wanted.length, through }, 'webhook batch delivered');
    } else {
      const failures = claim.failures + 1;
      const retryAt = new Date(now().getTime() + retryDelayMs(failures, backoff));
      await store.recordFailure(webhook.id, owner, { through, retryAt, error });
      logger.warn({ webhookId: webhook.id, tenant: webhook.tenant, failures, retryAt: retryAt.toISOString(), error }, 'webhook delivery failed; will retry');
    }
    return true;
  }

  async function worker(counter: { sent: number }): Promise<void> {
    for (;;) {
      if (halted) return;
      const claim = await store.claimDue(owner, leaseMs);
      if (!claim) return;
      if (await deliver(claim)) counter.sent++;
    }
  }

  async function runOnce(): Promise<number> {
    const counter = { sent: 0 };
    const workers = Array.from({ length: concurrency }, () => worker(counter));
    const results = await Promise.allSettled(workers);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    return counter.sent;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, delayMs);
    timer.unref();
  }

  function tick(): void {
    if (stopped || running) {
      wakeRequested = true;
      return;
    }
    wakeRequested = false;
    running = runOnce();
    running
      .then(
        () => schedule(wakeRequested ? 0 : pollIntervalMs),
        (error: unknown) => {
          // Storage unavailable or similar: try again later, never crash the service.
          logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'webhook dispatcher pass failed');
          schedule(pollIntervalMs * 2);
        },
      )
      .finally(() => {
        running = undefined;
      });
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      halted = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      halted = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
    wake() {
      if (stopped) return;
      if (running) wakeRequested = true;
      else schedule(0);
    },
    runOnce,
  };
}

export function matchesTypes(event: DeliverableEvent, types: string[]): boolean {
  return types.some((t) => t === '*' || t === event.type || (t.endsWith('.*') && event.type.startsWith(t.slice(0, -1))));
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'receiver did not answer in time';
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ? `${error.message}: ${cause.code}` : error.message;
}
