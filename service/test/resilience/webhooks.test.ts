// Change events end to end on PostgreSQL with two replicas: webhook subscriptions through the admin
// API, signed deliveries, the receiver going down and coming back with no event lost, and the event
// feed (cursor paging) agreeing with what was delivered.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliverableEvent } from '../../src/events/delivery-store.js';
import { createTestSchema, type TestSchema } from '../postgres/support/database.js';
import { adminRequest, createWebhook, readFeed } from './support/admin.js';
import { startServiceProcess, type ServiceProcess } from './support/service-process.js';
import { patchSchema, runConcurrently, scimClient, type ScimClient, type ScimResource } from './support/scim-client.js';
import { startWebhookReceiver, type ReceivedDelivery, type WebhookReceiver } from './support/webhook-receiver.js';

const tenant = 'hooks';
const token = randomBytes(24).toString('hex');
const adminToken = randomBytes(24).toString('hex');
let schema: TestSchema;
let receiver: WebhookReceiver;
let replicas: ServiceProcess[] = [];
let clients: ScimClient[] = [];

beforeAll(async () => {
  schema = await createTestSchema();
  receiver = await startWebhookReceiver();
  const env = {
    DATABASE_URL: schema.url,
    SCIM_TENANT: tenant,
    SCIM_TOKEN: token,
    SCIM_ADMIN_TOKEN: adminToken,
    SCIM_WEBHOOK_POLL_MS: '50',
    SCIM_WEBHOOK_RETRY_BASE_MS: '50',
    SCIM_WEBHOOK_RETRY_MAX_MS: '300',
  };
  replicas = await Promise.all([startServiceProcess({ env }), startServiceProcess({ env })]);
  clients = replicas.map((r) => scimClient(r.url, tenant, token));
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await receiver?.close();
  await schema?.drop();
});

const eventsIn = (deliveries: ReceivedDelivery[]) => deliveries.flatMap((d) => (JSON.parse(d.rawBody) as { events: DeliverableEvent[] }).events);

describe('webhooks and the event feed', () => {
  it('rejects webhook administration without the admin token and with a bad URL', async () => {
    const url = replicas[0]!.url;
    expect((await adminRequest(url, 'wrong', 'GET', `/tenants/${tenant}/webhooks`)).status).toBe(401);
    expect((await adminRequest(url, adminToken, 'GET', `/tenants/${tenant}/webhooks`)).status).toBe(200);
    const bad = await adminRequest(url, adminToken, 'POST', `/tenants/${tenant}/webhooks`, { url: 'ftp://example.com/x' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/http/);
    expect((await adminRequest(url, adminToken, 'GET', `/tenants/${tenant}/events?after=abc`)).status).toBe(400);
    expect((await adminRequest(url, adminToken, 'GET', `/tenants/no-such-tenant/events`)).status).toBe(404);
  });

  it('delivers every committed change once the receiver is back, signed, matching the feed', async () => {
    const hook = await createWebhook(replicas[1]!.url, adminToken, tenant, { url: receiver.url, startFrom: 'now' });
    expect(hook.secret).toMatch(/^whsec_/);
    const listed = await adminRequest(replicas[0]!.url, adminToken, 'GET', `/tenants/${tenant}/webhooks`);
    expect(JSON.stringify(listed.body)).not.toContain(hook.secret); // shown once, never listed

    // Phase 1: receiver up, writes on both replicas.
    const group = await clients[0]!.createGroup('Webhook group');
    const groupId = (group.body as ScimResource).id;
    const created = await runConcurrently(
      Array.from({ length: 20 }, (_, i) => () => clients[i % 2]!.createUser(`hook${i}@example.com`)),
      6,
    );
    const ids = created.map((r) => (r.body as ScimResource).id);
    await receiver.waitFor((d) => eventsIn(d).length >= 21);

    // Phase 2: receiver down (connection refused), more writes, then up again.
    await receiver.down('refuse');
    for (let i = 0; i < ids.length; i += 5) expect((await clients[i % 2]!.addMembers(groupId, ids.slice(i, i + 5))).status).toBe(204);
    await clients[1]!.request('PATCH', `/Users/${ids[0]}`, { schemas: [patchSchema], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    await clients[0]!.request('DELETE', `/Users/${ids[1]}`);
    await new Promise((r) => setTimeout(r, 400)); // a few failed attempts and back-offs
    const status = await adminRequest(replicas[0]!.url, adminToken, 'GET', `/tenants/${tenant}/webhooks/${hook.id}`);
    expect((status.body as { failures: number }).failures).toBeGreaterThan(0);
    await receiver.up();

    const feed = await readFeed(replicas[0]!.url, adminToken, tenant);
    const feedIds = feed.filter((e) => Number(e.cursor) > Number(hook.deliveredCursor)).map((e) => e.id);
    // group + 20 users created, 4 member batches, 1 user PATCH, 1 user DELETE and the group it left.
    expect(feedIds.length).toBe(21 + 4 + 1 + 1 + 1);
    await receiver.waitFor((d) => new Set(eventsIn(d).map((e) => e.id)).size >= feedIds.length);
    const delivered = eventsIn(receiver.deliveries);
    expect([...new Set(delivered.map((e) => e.id))].sort()).toEqual([...feedIds].sort());
    // In order of the feed, each event at least once (duplicates only ever repeat a whole batch).
    const firstSeen = [...new Map(delivered.map((e) => [e.id, Number(e.cursor)])).values()];
    expect(firstSeen).toEqual([...firstSeen].sort((x, y) => x - y));

    const verifier = new Webhook(hook.secret);
    for (const d of receiver.deliveries) expect(() => verifier.verify(d.rawBody, d.headers as Record<string, string>)).not.toThrow();
  });

  it('pages the feed by cursor without gaps or repeats', async () => {
    const all = await readFeed(replicas[0]!.url, adminToken, tenant, 1000);
    const paged = await readFeed(replicas[1]!.url, adminToken, tenant, 7);
    expect(paged.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(all.map((e) => Number(e.cursor))).toEqual(all.map((_, i) => i + 1));
  });
});
