// The events part of the admin API, as applications and operators use it.
import type { DeliverableEvent, WebhookStatus } from '../../../src/events/delivery-store.js';

async function admin(url: string, adminToken: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Reads the whole event feed of a tenant, page by page, following `nextCursor`. */
export async function readFeed(url: string, adminToken: string, tenant: string, pageSize = 500): Promise<DeliverableEvent[]> {
  const events: DeliverableEvent[] = [];
  let after = '0';
  for (;;) {
    const page = await admin(url, adminToken, 'GET', `/tenants/${tenant}/events?after=${after}&limit=${pageSize}`);
    if (page.status !== 200) throw new Error(`event feed answered ${page.status}: ${JSON.stringify(page.body)}`);
    const body = page.body as { events: DeliverableEvent[]; nextCursor: string };
    events.push(...body.events);
    if (body.events.length < pageSize) return events;
    after = body.nextCursor;
  }
}

export async function createWebhook(
  url: string,
  adminToken: string,
  tenant: string,
  input: { url: string; eventTypes?: string[]; startFrom?: 'now' | 'beginning' },
): Promise<WebhookStatus & { secret: string }> {
  const res = await admin(url, adminToken, 'POST', `/tenants/${tenant}/webhooks`, input);
  if (res.status !== 201) throw new Error(`creating a webhook answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as WebhookStatus & { secret: string };
}

export { admin as adminRequest };
