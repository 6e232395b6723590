// HTTP routes of the SCIM API per tenant: /scim/{tenant}/Users|Groups and the same under
// /scim/{tenant}/dry-run/ (answers exactly as the real endpoint, writes nothing, audited as a dry run).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceContext } from '../context.js';
import type { AuditEntry, ResourceType, TokenRecord } from '../storage/contract.js';
import { authenticate } from './auth.js';
import { badRequest, notFound, ScimError } from './errors.js';
import {
  createResource,
  deleteResource,
  getResource,
  listResources,
  patchResource,
  replaceResource,
  searchAllResources,
  type ListParams,
  type Reply,
  type RequestScope,
} from './handlers.js';
import { TenantRateLimiter } from './rate-limit.js';
import { registerDiscoveryRoutes } from './discovery-routes.js';
import { isObject } from './resources.js';

export const scimContentType = 'application/scim+json';

declare module 'fastify' {
  interface FastifyRequest {
    scim?: RequestScope & { token: TokenRecord };
  }
}

type Params = { tenant: string; id?: string };

const queryNames = ['filter', 'startIndex', 'count', 'sortBy', 'sortOrder', 'attributes', 'excludedAttributes'] as const;

/** The SCIM query parameters as single strings (a repeated parameter is a client mistake: 400, not 500). */
function scimQuery(query: unknown): ListParams {
  const q = (query ?? {}) as Record<string, unknown>;
  const out: ListParams = {};
  for (const name of queryNames) {
    const value = q[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw badRequest('invalidValue', `give the query parameter ${name} once (it appeared ${Array.isArray(value) ? value.length : 'several'} times)`);
    out[name] = value;
  }
  return out;
}

export const searchRequestSchema = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

const shown = (v: unknown) => (JSON.stringify(v) ?? 'nothing').slice(0, 80);

/**
 * A SearchRequest body (RFC 7644 §3.4.3) as the query parameters of the equivalent GET, so POST /.search runs
 * the GET list code unchanged. Member names match in any case, like attribute names (RFC 7643 §2.1).
 */
const searchRequestMemberNames = ['schemas', 'filter', 'startIndex', 'count', 'sortBy', 'sortOrder', 'attributes', 'excludedAttributes'];
const searchRequestMembers = searchRequestMemberNames.map((m) => m.toLowerCase());

function searchQuery(body: unknown): ListParams {
  const example = `{"schemas": ["${searchRequestSchema}"], "filter": "userName eq \\"…\\""}`;
  if (!isObject(body)) throw badRequest('invalidSyntax', `the body of POST .search must be a SearchRequest JSON object such as ${example}`);
  const member = (name: string) => {
    const key = Object.keys(body).find((k) => k.toLowerCase() === name.toLowerCase());
    const value = key === undefined ? undefined : body[key];
    return value === null ? undefined : value;
  };
  // invalidSyntax, not invalidValue: RFC 7644 §3.12 defines invalidSyntax as a body that "did not conform to the
  // request schema", and `schemas` is what names that schema; invalidValue is for attribute values.
  const schemas = member('schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === searchRequestSchema.toLowerCase())) {
    throw badRequest('invalidSyntax', `"schemas" must be ["${searchRequestSchema}"], got ${shown(schemas ?? null)}`);
  }
  // A misspelt member ("fitler") must not silently widen the search to every resource.
  const unknown = Object.keys(body).filter((k) => !searchRequestMembers.includes(k.toLowerCase()));
  if (unknown.length) {
    throw badRequest('invalidSyntax', `unknown SearchRequest member${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; a SearchRequest has ${searchRequestMemberNames.join(', ')}`);
  }
  const out: ListParams = {};
  for (const name of ['filter', 'sortBy', 'sortOrder'] as const) {
    const value = member(name);
    if (value === undefined) continue;
    if (typeof value !== 'string') throw badRequest('invalidValue', `"${name}" must be a string, got ${shown(value)}`);
    out[name] = value;
  }
  // Integers; a numeric string is accepted as in a URL. The list code checks that the value is an integer.
  for (const name of ['startIndex', 'count'] as const) {
    const value = member(name);
    if (value === undefined) continue;
    if (typeof value !== 'number' && typeof value !== 'string') throw badRequest('invalidValue', `"${name}" must be an integer such as 10, got ${shown(value)}`);
    out[name] = String(value);
  }
  for (const name of ['attributes', 'excludedAttributes'] as const) {
    const value = member(name);
    if (value === undefined) continue;
    if (!Array.isArray(value) || !value.every((a) => typeof a === 'string' && a.trim() !== '')) {
      throw badRequest('invalidValue', `"${name}" must be an array of attribute names such as ["userName", "emails"], got ${shown(value)}`);
    }
    if (value.length) out[name] = value.join(',');
  }
  return out;
}

/** The audit entry of a write to /Users or /Groups (any letter case), or undefined for reads and searches. */
function auditEntryOf(request: FastifyRequest, scope: RequestScope & { token: TokenRecord }, status: number): AuditEntry | undefined {
  if (request.method === 'GET' || request.method === 'HEAD' || !/\/(users|groups)(\/|\?|$)/i.test(request.url)) return undefined;
  if (request.routeOptions.url?.endsWith('/.search')) return undefined; // a query by POST writes nothing
  const type = /\/groups(\/|\?|$)/i.test(request.url) ? 'Group' : 'User';
  return {
    time: new Date().toISOString(),
    tenant: scope.tenant.name,
    tokenId: scope.token.id,
    method: request.method,
    resourceType: type,
    ...(scope.audit.resourceId ? { resourceId: scope.audit.resourceId } : {}),
    summary: scope.audit.summary ?? `${request.method} ${type}`,
    status,
    outcome: status < 400 ? 'success' : 'failure',
    dryRun: scope.dryRun,
  };
}

/** `.search` takes POST only: any other method is 405 with `Allow: POST`, not "User .search not found". */
function searchOnlyByPost(scoped: FastifyInstance, url: string): void {
  scoped.route({
    method: ['GET', 'PUT', 'PATCH', 'DELETE'],
    url,
    handler: async () => {
      throw new ScimError(405, 'a query by POST (RFC 7644 §3.4.3) takes POST with a SearchRequest body; to list with query parameters, GET the collection without /.search', undefined, { allow: 'POST' });
    },
  });
}

function send(reply: FastifyReply, r: Reply): FastifyReply {
  reply.code(r.status);
  for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
  if (r.body === undefined) return reply.send();
  return reply.type(scimContentType).send(r.body);
}

/** The external origin of the request (honours X-Forwarded-* behind Container Apps ingress). */
export function originOf(request: FastifyRequest): string {
  const proto = (request.headers['x-forwarded-proto'] as string | undefined)?.split(',')[0]?.trim() || request.protocol;
  const host = (request.headers['x-forwarded-host'] as string | undefined)?.split(',')[0]?.trim() || request.headers.host || request.hostname;
  return `${proto}://${host}`;
}

export async function registerScimRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const limiter = new TenantRateLimiter(ctx.config.rateLimitPerMinute);

  // Tenant record and active token hashes are cached for `authCacheMs` (default 1 s): two reads less per
  // request. A new token works at once (a miss re-reads); a revoked token or a changed tenant setting takes
  // effect within that time on every replica.
  const cache = ctx.authCache;
  const tenantState = async (name: string, fresh = false) => {
    const ttl = ctx.config.authCacheMs ?? 1000;
    const hit = cache.get(name);
    if (!fresh && hit && Date.now() - hit.at < ttl) return hit;
    const [tenant, tokens] = [await ctx.storage.getTenant(name), await ctx.storage.activeTokens(name)];
    const state = { at: Date.now(), tenant, tokens };
    if (ttl > 0) {
      if (cache.size > 10_000) cache.clear();
      cache.set(name, state);
    }
    return state;
  };

  const authorize = (dryRun: boolean) => async (request: FastifyRequest<{ Params: Params }>) => {
    const tenantName = request.params.tenant;
    let state = await tenantState(tenantName);
    let token: TokenRecord;
    try {
      token = authenticate(state.tokens, request.headers.authorization);
    } catch (error) {
      // A token issued since the cache was filled works at once: re-read before answering 401.
      state = await tenantState(tenantName, true);
      token = authenticate(state.tokens, request.headers.authorization);
      void error;
    }
    limiter.check(tenantName);
    const tenant = state.tenant;
    if (!tenant) throw notFound(`tenant ${tenantName} does not exist`);
    const scope: RequestScope & { token: TokenRecord } = { ctx, tenant, token, dryRun, baseUrl: `${originOf(request)}/scim/${encodeURIComponent(tenantName)}`, audit: {} };
    scope.audit.entry = (status) => auditEntryOf(request, scope, status);
    request.scim = scope;
  };

  // Writes commit their entry with the change (handlers' transaction); this records the rest: failures and dry runs.
  const audited = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const scope = request.scim;
    if (!scope || scope.audit.recorded) return payload;
    const entry = auditEntryOf(request, scope, reply.statusCode);
    if (!entry) return payload;
    try {
      await ctx.storage.appendAudit(entry);
    } catch (error) {
      request.log.error({ err: error }, 'could not record the audit entry');
    }
    return payload;
  };

  for (const dryRun of [false, true]) {
    const prefix = dryRun ? '/scim/:tenant/dry-run' : '/scim/:tenant';
    await app.register(async (scoped) => {
      scoped.addHook('preHandler', authorize(dryRun));
      scoped.addHook('onSend', audited);
      registerDiscoveryRoutes(scoped, prefix, (reply, body) => reply.type(scimContentType).send(body));
      // Query by POST at the root: Users then Groups in one ListResponse (order in searchAllResources).
      scoped.post<{ Params: Params }>(`${prefix}/.search`, async (req, reply) => send(reply, await searchAllResources(req.scim!, searchQuery(req.body))));
      searchOnlyByPost(scoped, `${prefix}/.search`);
      // Lower-case aliases: Microsoft's Postman collection calls `/users` once.
      const resources: Array<[string, ResourceType]> = [['Users', 'User'], ['Groups', 'Group'], ['users', 'User'], ['groups', 'Group']];
      for (const [segment, type] of resources) {
        const base = `${prefix}/${segment}`;
        scoped.get<{ Params: Params; Querystring: ListParams }>(base, async (req, reply) => send(reply, await listResources(req.scim!, type, scimQuery(req.query))));
        // Query by POST (RFC 7644 §3.4.3): the same list as GET with the body's parameters.
        scoped.post<{ Params: Params }>(`${base}/.search`, async (req, reply) => send(reply, await listResources(req.scim!, type, searchQuery(req.body))));
        searchOnlyByPost(scoped, `${base}/.search`);
        scoped.post<{ Params: Params; Querystring: ListParams }>(base, async (req, reply) => send(reply, await createResource(req.scim!, type, req.body, scimQuery(req.query))));
        scoped.get<{ Params: Params; Querystring: ListParams }>(`${base}/:id`, async (req, reply) => send(reply, await getResource(req.scim!, type, req.params.id!, scimQuery(req.query))));
        scoped.put<{ Params: Params; Querystring: ListParams }>(`${base}/:id`, async (req, reply) =>
          send(reply, await replaceResource(req.scim!, type, req.params.id!, req.body, req.headers['if-match'], scimQuery(req.query))),
        );
        scoped.patch<{ Params: Params; Querystring: ListParams }>(`${base}/:id`, async (req, reply) =>
          send(reply, await patchResource(req.scim!, type, req.params.id!, req.body, req.headers['if-match'], scimQuery(req.query))),
        );
        scoped.delete<{ Params: Params }>(`${base}/:id`, async (req, reply) => send(reply, await deleteResource(req.scim!, type, req.params.id!, req.headers['if-match'])));
      }
    });
  }
}
