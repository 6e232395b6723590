// The webhook dispatcher on the real PostgreSQL delivery store: Standard Webhooks signatures that an
// independent library verifies, at-least-once delivery through a receiver outage with a stable message
// id, and two dispatchers ("replicas") sharing subscriptions without ever sending a batch twice.
import type pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/events/dispatcher.js';
import type { DeliverableEvent } from '../../src/events/delivery-store.js';
import { generateWebhookSecret, verifyWebhook } from '../../src/events/signature.js';
import { createPool, parsePostgresUrl } from '../../src/storage/postgres/connection.js';
import { createPostgresDeliveryStore } from '../../src/storage/postgres/delivery-store.js';
import { migrate } from '../../src/storage/postgres/migrate.js';
import { appendEvent } from '../../src/storage/postgres/outbox.js';
import { startWebhookReceiver, type ReceivedDelivery, type WebhookReceiver } from '../resilience/support/webhook-receiver.js';
import { createTestSchema, type TestSchema } from './support/database.js';

let schema: TestSchema;
let pool: pg.Pool;
let receiver: WebhookReceiver;

beforeAll(async () => {
  schema = await createTestSchema();
  const settings = parsePostgresUrl(schema.url);
  pool = createPool(settings);
  await migrate(pool, settings.schema);
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await receiver?.close();
  await pool?.end();
  await schema?.drop();
});

async function appendEvents(tenant: string, count: number, type = 'user.created'): Promise<void> {
  for (let i = 0; i < count; i++) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await appendEvent(client, tenant, { type, resourceType: 'User', resourceId: `u${i}`, data: { userName: `user${i}@example.com` } });
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }
}

function eventsOf(deliveries: ReceivedDelivery[], path?: string): DeliverableEvent[] {
  return deliveries
    .filter((d) => path === undefined || d.path === path)
    .flatMap((d) => (JSON.parse(d.rawBody) as { events: DeliverableEvent[] }).events);
}

const fastBackoff = { baseMs: 20, maxMs: 150 };

describe('webhook dispatcher on PostgreSQL', () => {
  it('signs every delivery so the standardwebhooks library verifies it, and sends events in order', async () => {
    const store = createPostgresDeliveryStore(pool);
    const secret = generateWebhookSecret();
    await store.createWebhook({ tenant: 'sig', url: `${receiver.url}/sig`, secret, eventTypes: ['*'], startAfter: '0' });
    await appendEvents('sig', 7);
    const dispatcher = createDispatcher({ store, batchSize: 3, backoff: fastBackoff });
    const sent = await dispatcher.runOnce();
    expect(sent).toBe(3); // 7 events in batches of 3

    const mine = receiver.deliveries.filter((d) => d.path === '/hooks/sig');
    const reference = new Webhook(secret);
    for (const delivery of mine) {
      expect(() => reference.verify(delivery.rawBody, delivery.headers as Record<string, string>)).not.toThrow();
      expect(verifyWebhook(secret, delivery.headers, delivery.rawBody)).toBe(true);
      expect(verifyWebhook(generateWebhookSecret(), delivery.headers, delivery.rawBody)).toBe(false);
      expect(verifyWebhook(secret, delivery.headers, delivery.rawBody + ' ')).toBe(false);
    }
    expect(eventsOf(mine).map((e) => e.cursor)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(new Set(mine.map((d) => d.headers['webhook-id'])).size).toBe(3);
  });

  it('skips event types a subscription did not ask for, but still moves past them', async () => {
    const store = createPostgresDeliveryStore(pool);
    const hook = await store.createWebhook({ tenant: 'types', url: `${receiver.url}/types`, secret: generateWebhookSecret(), eventTypes: ['group.*'], startAfter: '0' });
    await appendEvents('types', 2, 'user.created');
    await appendEvents('types', 2, 'group.members.added');
    await createDispatcher({ store, backoff: fastBackoff }).runOnce();
    expect(eventsOf(receiver.deliveries, '/hooks/types').map((e) => e.type)).toEqual(['group.members.added', 'group.members.added']);
    expect((await store.getWebhook('types', hook.id))?.deliveredCursor).toBe('4');
  });

  it('loses no event while the receiver is down, retries the same batch with the same webhook-id, then catches up', async () => {
    const store = createPostgresDeliveryStore(pool);
    const hook = await store.createWebhook({ tenant: 'outage', url: `${receiver.url}/outage`, secret: generateWebhookSecret(), eventTypes: ['*'], startAfter: '0' });
    await receiver.down('error');
    const dispatcher = createDispatcher({ store, batchSize: 10, backoff: fastBackoff, pollIntervalMs: 10 });
    dispatcher.start();
    try {
      await appendEvents('outage', 25);
      await receiver.waitFor(() => receiver.rejected.filter((d) => d.path === '/hooks/outage').length >= 3);
      const failed = receiver.rejected.filter((d) => d.path === '/hooks/outage');
      // The failed batch is retried unchanged: same message id, same events.
      expect(new Set(failed.map((d) => d.headers['webhook-id'])).size).toBe(1);
      expect(new Set(failed.map((d) => d.rawBody)).size).toBe(1);
      const status = await store.getWebhook('outage', hook.id);
      expect(status?.failures).toBeGreaterThanOrEqual(1);
      expect(status?.lastError).toContain('503');

      await receiver.down('refuse');
      await appendEvents('outage', 5);
      await new Promise((r) => setTimeout(r, 100));
      await receiver.up();
      await receiver.waitFor(() => eventsOf(receiver.deliveries, '/hooks/outage').length >= 30);
      const delivered = eventsOf(receiver.deliveries, '/hooks/outage');
      expect(delivered.map((e) => Number(e.cursor))).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(receiver.deliveries.find((d) => d.path === '/hooks/outage')?.headers['webhook-id']).toBe(failed[0]!.headers['webhook-id']);
      // The receiver has the events before the dispatcher records the acknowledgement: wait for the record.
      let after = await store.getWebhook('outage', hook.id);
      for (const deadline = Date.now() + 10_000; after?.deliveredCursor !== '30' && Date.now() < deadline; ) {
        await new Promise((r) => setTimeout(r, 20));
        after = await store.getWebhook('outage', hook.id);
      }
      expect(after).toMatchObject({ failures: 0, lastError: null, deliveredCursor: '30' });
    } finally {
      await dispatcher.stop();
      await receiver.up();
    }
  });

  it('two dispatchers (replicas) share subscriptions: every event reaches every subscription exactly once, in order', async () => {
    const store = createPostgresDeliveryStore(pool);
    const tenants = ['r0', 'r1', 'r2', 'r3', 'r4'];
    for (const tenant of tenants) {
      await store.createWebhook({ tenant, url: `${receiver.url}/${tenant}`, secret: generateWebhookSecret(), eventTypes: ['*'], startAfter: '0' });
    }
    const a = createDispatcher({ store, batchSize: 7, concurrency: 3, pollIntervalMs: 5, backoff: fastBackoff });
    const b = createDispatcher({ store: createPostgresDeliveryStore(pool), batchSize: 7, concurrency: 3, pollIntervalMs: 5, backoff: fastBackoff });
    a.start();
    b.start();
    try {
      await Promise.all(tenants.map((t) => appendEvents(t, 60)));
      await receiver.waitFor(() => tenants.every((t) => eventsOf(receiver.deliveries, `/hooks/${t}`).length >= 60));
      await new Promise((r) => setTimeout(r, 100)); // room for a duplicate to show up, if there were one
      for (const tenant of tenants) {
        const cursors = eventsOf(receiver.deliveries, `/hooks/${tenant}`).map((e) => Number(e.cursor));
        expect(cursors).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
