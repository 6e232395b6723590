// Discovery endpoints per tenant (documents built by service/src/discovery): /ServiceProviderConfig
// (alias /serviceConfiguration, Microsoft's Postman collection), /ResourceTypes, /Schemas. Read-only: other methods → 405.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  customExtensionSchema,
  customExtensionSchemas,
  findResourceType,
  findSchema,
  listResponse,
  resourceTypes,
  schemaDocuments,
  serviceProviderConfig,
  type SchemaDefinition,
} from '../discovery/index.js';
import type { Tenant } from '../storage/contract.js';
import { customSchemaPattern } from './schema.js';
import { notFound, ScimError } from './errors.js';
import { maxPageSize } from './handlers.js';

/** The tenant's custom extension schemas: configured definitions plus bare URNs (no attributes declared). */
export function tenantExtensionSchemas(tenant: Tenant): SchemaDefinition[] {
  const defined = customExtensionSchemas(
    (tenant.settings.customExtensions ?? []).map((e) => ({ ...e, attributes: e.attributes.map((a) => ({ ...a })) })),
  );
  const known = new Set(defined.map((d) => d.id.toLowerCase()));
  for (const urn of tenant.settings.customSchemas ?? []) {
    if (!customSchemaPattern.test(urn) || known.has(urn.toLowerCase())) continue;
    const name = urn.split(':')[6]!;
    known.add(urn.toLowerCase());
    defined.push(customExtensionSchema({ name, attributes: [] }));
  }
  return defined;
}

type Params = { tenant: string; id?: string };

export function registerDiscoveryRoutes(app: FastifyInstance, prefix: string, send: (reply: FastifyReply, body: object) => FastifyReply): void {
  const scope = (req: FastifyRequest) => req.scim!;
  const spc = async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) =>
    send(reply, serviceProviderConfig(scope(req).baseUrl, { maxResults: maxPageSize, etag: true, sort: true }));
  app.get(`${prefix}/ServiceProviderConfig`, spc);
  app.get(`${prefix}/serviceConfiguration`, spc);
  app.get<{ Params: Params }>(`${prefix}/ResourceTypes`, async (req, reply) => send(reply, listResponse(resourceTypes(scope(req).baseUrl, tenantExtensionSchemas(scope(req).tenant)))));
  app.get<{ Params: Params }>(`${prefix}/ResourceTypes/:id`, async (req, reply) => {
    const doc = findResourceType(scope(req).baseUrl, req.params.id!, tenantExtensionSchemas(scope(req).tenant));
    if (!doc) throw notFound(`resource type ${req.params.id} not found; this service has User and Group`);
    return send(reply, doc);
  });
  app.get<{ Params: Params }>(`${prefix}/Schemas`, async (req, reply) => send(reply, listResponse(schemaDocuments(scope(req).baseUrl, tenantExtensionSchemas(scope(req).tenant)))));
  app.get<{ Params: Params }>(`${prefix}/Schemas/:id`, async (req, reply) => {
    const doc = findSchema(scope(req).baseUrl, req.params.id!, tenantExtensionSchemas(scope(req).tenant));
    if (!doc) throw notFound(`schema ${req.params.id} not found; GET /Schemas lists the supported schemas`);
    return send(reply, doc);
  });
  const notAllowed = async () => {
    throw new ScimError(405, 'discovery endpoints are read-only; use GET');
  };
  for (const path of ['ServiceProviderConfig', 'serviceConfiguration', 'ResourceTypes', 'Schemas']) {
    app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url: `${prefix}/${path}`, handler: notAllowed });
  }
}
