// Admin routes for change events: per-tenant webhook subscriptions and the readable event feed
// (`GET …/events?after=<cursor>&limit=<n>`) for applications that poll instead of receiving webhooks.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebhookDeliveryStore } from './delivery-store.js';
import { sendAdminError } from '../admin/errors.js';
import { generateWebhookSecret } from './signature.js';

export interface EventRoutesOptions {
  store: WebhookDeliveryStore;
  /** Answers the request itself (401/403) and returns false when the caller is not an administrator. */
  authorize(request: FastifyRequest, reply: FastifyReply): Promise<boolean> | boolean;
  tenantExists(tenant: string): Promise<boolean>;
  /** Path prefix of the admin API. */
  prefix?: string;
}

const cursorPattern = /^\d{1,15}$/;
const maxFeedPage = 1000;

interface TenantParams {
  tenant: string;
}
interface WebhookParams extends TenantParams {
  id: string;
}

function badRequest(reply: FastifyReply, detail: string) {
  return sendAdminError(reply, 400, detail, 'invalidValue');
}

function notFound(reply: FastifyReply, detail: string) {
  return sendAdminError(reply, 404, detail);
}

function validUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2000) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

function validEventTypes(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > 50) return undefined;
  return value.every((t) => typeof t === 'string' && /^(\*|[a-z]+(\.[a-z]+)*(\.\*)?)$/.test(t)) ? (value as string[]) : undefined;
}

export async function registerEventRoutes(app: FastifyInstance, options: EventRoutesOptions): Promise<void> {
  const { store } = options;
  const base = `${options.prefix ?? '/admin'}/tenants/:tenant`;

  // Every route: admin token first, then the tenant must exist.
  const guard = async (request: FastifyRequest<{ Params: TenantParams }>, reply: FastifyReply): Promise<boolean> => {
    if (!(await options.authorize(request, reply))) return false;
    if (!(await options.tenantExists(request.params.tenant))) {
      await notFound(reply, `tenant "${request.params.tenant}" does not exist`);
      return false;
    }
    return true;
  };

  app.get<{ Params: TenantParams; Querystring: { after?: string; limit?: string } }>(`${base}/events`, async (request, reply) => {
    if (!(await guard(request, reply))) return reply;
    const after = request.query.after ?? '0';
    if (!cursorPattern.test(after)) return badRequest(reply, 'after must be a cursor returned by this feed (a non-negative integer); use 0 to start at the beginning');
    const limitText = request.query.limit ?? '100';
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > maxFeedPage) return badRequest(reply, `limit must be an integer from 1 to ${maxFeedPage}`);
    const events = await store.eventsAfter(request.params.tenant, after, limit);
    const nextCursor = events.length > 0 ? events[events.length - 1]!.cursor : after;
    return { events, nextCursor };
  });

  app.get<{ Params: TenantParams }>(`${base}/webhooks`, async (request, reply) => {
    if (!(await guard(request, reply))) return reply;
    return { webhooks: await store.listWebhooks(request.params.tenant) };
  });

  app.post<{ Params: TenantParams; Body: unknown }>(`${base}/webhooks`, async (request, reply) => {
    if (!(await guard(request, reply))) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) return badRequest(reply, 'body must be a JSON object like {"url": "https://app.example.com/scim-events"}');
    const url = validUrl(body.url);
    if (!url) return badRequest(reply, 'url must be an absolute http:// or https:// URL (https in production)');
    const eventTypes = body.eventTypes === undefined ? ['*'] : validEventTypes(body.eventTypes);
    if (!eventTypes) return badRequest(reply, 'eventTypes must be a non-empty array of event types such as "user.created", "group.*" or "*"');
    const startFrom = body.startFrom ?? 'now';
    if (startFrom !== 'now' && startFrom !== 'beginning') return badRequest(reply, 'startFrom must be "now" (only future events) or "beginning" (replay the whole feed)');
    const secret = generateWebhookSecret();
    const startAfter = startFrom === 'now' ? await store.latestCursor(request.params.tenant) : '0';
    const created = await store.createWebhook({ tenant: request.params.tenant, url, secret, eventTypes, startAfter });
    // The secret is shown here and on rotation only; store it in the receiving application.
    return reply.code(201).send({ ...created, secret });
  });

  app.get<{ Params: WebhookParams }>(`${base}/webhooks/:id`, async (request, reply) => {
    if (!(await guard(request, reply))) return reply;
    const hook = await store.getWebhook(request.params.tenant, request.params.id);
    return hook ?? notFound(reply, `webhook "${request.params.id}" does not exist in tenant "${request.params.tenant}"`);
  });

  app.patch<{ Params: WebhookParams; Body: unknown }>(`${base}/webhooks/:id`, async (request, reply) => {
    if (!(await guard(request, reply))) return reply;
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) return badRequest(reply, 'body must be a JSON object');
    const patch: { url?: string; eventTypes?: string[]; enabled?: boolean; secret?: string } = {};
    if (body.url !== undefined) {
      const url = validUrl(body.url);
      if (!url) return badRequest(reply, 'url must be an absolute http:// or https:// URL');
      patch.url = url;
    }
    if (body.eventTypes !== undefined) {
      const types = validEventTypes(body.eventTypes);
      if (!types) return badRequest(reply, 'eventTypes must be a non-empty array of event types such as "user.created", "group.*" or "*"');
      patch.eventTypes = types;
    }
    if (body.enabled !== undefined) {
      if (typeof body.enabled !== 'boolean') return badRequest(reply, 'enabled must be true or false');
      patch.enabled = body.enabled;
    }
    if (body.rotateSecret !== undefined && body.rotateSecret !== true) return badRequest(reply, 'rotateSecret, when given, must be true');
    if (body.rotateSecret === true) patch.secret = generateWebhookSecret();
    const updated = await store.updateWebhook(request.params.tenant, request.params.id, patch);
    if (!updated) return notFound(reply, `webhook "${request.params.id}" does not exist in tenant "${request.params.tenant}"`);
    return patch.secret ? { ...updated, secret: patch.secret } : updated;
  });

  app.delete<{ Params: WebhookParams }>(`${base}/webhooks/:id`, async (request, reply) => {
    if (!(await guard(request, reply))) return reply;
    const deleted = await store.deleteWebhook(request.params.tenant, request.params.id);
    return deleted ? reply.code(204).send() : notFound(reply, `webhook "${request.params.id}" does not exist in tenant "${request.params.tenant}"`);
  });
}
