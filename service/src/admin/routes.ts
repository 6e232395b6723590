// The admin HTTP API (`/admin/...`), behind its own admin token:
//   GET/POST /admin/tenants, GET/DELETE /admin/tenants/:tenant,
//   GET/POST /admin/tenants/:tenant/tokens, DELETE /admin/tenants/:tenant/tokens/:id,
//   GET/PUT/PATCH /admin/tenants/:tenant/policies, GET/PUT /admin/tenants/:tenant/schemas,
//   GET /admin/tenants/:tenant/audit?limit=&cursor=
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StorageUnavailableError, type Storage } from '../storage/contract.js';
import type { AdminAuthorizer } from './auth.js';
import { sendAdminError } from './errors.js';
import {
  AdminError, createTenant, deleteTenant, getPolicies, getSchemas, getTenant, setSchemas, issueToken, listAudit, listTenants, listTokens, revokeToken, setPolicies,
} from './operations.js';

export interface AdminRoutesOptions {
  storage: Storage;
  authorize: AdminAuthorizer;
  /** Path prefix, default `/admin`. */
  prefix?: string;
  /** Called after a change that cached tenant data must not outlive (token revoked, tenant deleted, policies changed). */
  onTenantChanged?: (tenant: string) => void;
}

type Params = { tenant: string; id: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function registerAdminRoutes(app: FastifyInstance, options: AdminRoutesOptions): Promise<void> {
  const { storage, authorize } = options;
  const changed = (tenant: string) => options.onTenantChanged?.(tenant);
  const prefix = options.prefix ?? '/admin';

  // Every admin route: authorize, run, map AdminError/storage errors to SCIM error bodies.
  function route<T>(work: (request: FastifyRequest<{ Params: Params; Querystring: Record<string, string | undefined>; Body: unknown }>, reply: FastifyReply) => Promise<T>) {
    return async (request: FastifyRequest<{ Params: Params; Querystring: Record<string, string | undefined>; Body: unknown }>, reply: FastifyReply) => {
      if (!(await authorize(request, reply))) return reply;
      // Answers carry tenant tokens and configuration: never cache them.
      reply.header('cache-control', 'no-store');
      try {
        return await work(request, reply);
      } catch (error) {
        if (error instanceof AdminError) return sendAdminError(reply, error.status, error.message, error.scimType);
        if (error instanceof StorageUnavailableError) {
          reply.header('retry-after', String(error.retryAfterSeconds));
          return sendAdminError(reply, 503, 'the database is unavailable; retry later');
        }
        request.log.error({ err: error }, 'admin request failed');
        return sendAdminError(reply, 500, 'internal error; see the service log for this request id');
      }
    };
  }

  const body = (request: FastifyRequest<{ Body: unknown }>, example: string): Record<string, unknown> => {
    const value = request.body ?? {};
    if (!isRecord(value)) throw new AdminError(400, `the body must be a JSON object like ${example}`, 'invalidSyntax');
    return value;
  };

  app.get(`${prefix}/tenants`, route(async () => ({ tenants: await listTenants(storage) })));

  app.post(`${prefix}/tenants`, route(async (request, reply) => {
    const b = body(request, '{"name": "contoso"}');
    const tenant = await createTenant(storage, b.name, {
      ...(b.customSchemas !== undefined ? { customSchemas: b.customSchemas } : {}),
      ...(b.customExtensions !== undefined ? { customExtensions: b.customExtensions } : {}),
    });
    return reply.code(201).header('location', `${prefix}/tenants/${tenant.name}`).send(tenant);
  }));

  app.get(`${prefix}/tenants/:tenant`, route(async (request) => getTenant(storage, request.params.tenant)));

  app.delete(`${prefix}/tenants/:tenant`, route(async (request, reply) => {
    await deleteTenant(storage, request.params.tenant);
    changed(request.params.tenant);
    return reply.code(204).send();
  }));

  app.get(`${prefix}/tenants/:tenant/tokens`, route(async (request) => ({ tokens: await listTokens(storage, request.params.tenant) })));

  app.post(`${prefix}/tenants/:tenant/tokens`, route(async (request, reply) => {
    const b = body(request, '{"label": "entra-prod"}');
    const issued = await issueToken(storage, request.params.tenant, b.label);
    request.log.info({ tenant: issued.tenant, tokenId: issued.id }, 'token issued');
    return reply.code(201).send(issued);
  }));

  app.delete(`${prefix}/tenants/:tenant/tokens/:id`, route(async (request, reply) => {
    await revokeToken(storage, request.params.tenant, request.params.id);
    changed(request.params.tenant);
    request.log.info({ tenant: request.params.tenant, tokenId: request.params.id }, 'token revoked');
    return reply.code(204).send();
  }));

  app.get(`${prefix}/tenants/:tenant/policies`, route(async (request) => getPolicies(storage, request.params.tenant)));
  for (const [method, mode] of [['PUT', 'replace'], ['PATCH', 'merge']] as const) {
    app.route({
      method,
      url: `${prefix}/tenants/:tenant/policies`,
      handler: route(async (request) => {
        const policies = await setPolicies(storage, request.params.tenant, request.body, mode);
        changed(request.params.tenant);
        return policies;
      }),
    });
  }

  app.get(`${prefix}/tenants/:tenant/schemas`, route(async (request) => getSchemas(storage, request.params.tenant)));
  app.put(`${prefix}/tenants/:tenant/schemas`, route(async (request) => {
    const schemas = await setSchemas(storage, request.params.tenant, request.body);
    changed(request.params.tenant);
    return schemas;
  }));

  app.get(`${prefix}/tenants/:tenant/audit`, route(async (request) =>
    listAudit(storage, request.params.tenant, { limit: request.query.limit, cursor: request.query.cursor })));
}
