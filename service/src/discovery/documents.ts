// The discovery documents (RFC 7644 §4, RFC 7643 §5–7) as pure functions of the tenant's base URL
// (`https://host/scim/<tenant>`, no trailing slash) and its custom extension schemas.
// Output is camelCase JSON without nulls, and list endpoints answer a ListResponse (reference §1.2).

import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, enterpriseUserSchema, groupSchema, userSchema } from './schemas.js';
import type { AttributeDefinition, SchemaDefinition } from './types.js';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

export interface ServiceProviderOptions {
  /** Largest `count` the service answers in one page (filter.maxResults). Default 200. */
  readonly maxResults?: number;
  /** Whether ETags / If-Match are supported. Default true. */
  readonly etag?: boolean;
  /** Whether sortBy/sortOrder are supported. Default true. */
  readonly sort?: boolean;
  readonly documentationUri?: string;
}

export interface ListResponse<T> {
  readonly schemas: readonly [typeof LIST_RESPONSE_SCHEMA];
  readonly totalResults: number;
  readonly itemsPerPage: number;
  readonly startIndex: number;
  readonly Resources: readonly T[];
}

export function listResponse<T>(resources: readonly T[]): ListResponse<T> {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: resources.length,
    itemsPerPage: resources.length,
    startIndex: 1,
    Resources: resources,
  };
}

function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

export function serviceProviderConfig(baseUrl: string, options: ServiceProviderOptions = {}) {
  const base = trimBase(baseUrl);
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    ...(options.documentationUri !== undefined ? { documentationUri: options.documentationUri } : {}),
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: options.maxResults ?? 200 },
    changePassword: { supported: false },
    sort: { supported: options.sort ?? true },
    etag: { supported: options.etag ?? true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication with a bearer token issued for the tenant (Authorization: Bearer <token>).',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${base}/ServiceProviderConfig`,
    },
  };
}

export interface ResourceTypeDocument {
  readonly schemas: readonly string[];
  readonly id: string;
  readonly name: string;
  readonly endpoint: string;
  readonly description: string;
  readonly schema: string;
  readonly schemaExtensions: readonly { readonly schema: string; readonly required: boolean }[];
  readonly meta: { readonly resourceType: 'ResourceType'; readonly location: string };
}

export function resourceTypes(baseUrl: string, customExtensions: readonly SchemaDefinition[] = []): ResourceTypeDocument[] {
  const base = trimBase(baseUrl);
  return [
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER_SCHEMA,
      schemaExtensions: [
        { schema: ENTERPRISE_USER_SCHEMA, required: false },
        ...customExtensions.map((e) => ({ schema: e.id, required: false })),
      ],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: GROUP_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

/** Serialise an attribute with RFC 7643 §7 field order, omitting empty optional fields (no nulls). */
function attributeDocument(a: AttributeDefinition): Record<string, unknown> {
  return {
    name: a.name,
    type: a.type,
    ...(a.subAttributes && a.subAttributes.length > 0 ? { subAttributes: a.subAttributes.map(attributeDocument) } : {}),
    multiValued: a.multiValued,
    description: a.description,
    required: a.required,
    ...(a.canonicalValues && a.canonicalValues.length > 0 ? { canonicalValues: [...a.canonicalValues] } : {}),
    caseExact: a.caseExact,
    mutability: a.mutability,
    returned: a.returned,
    uniqueness: a.uniqueness,
    ...(a.referenceTypes && a.referenceTypes.length > 0 ? { referenceTypes: [...a.referenceTypes] } : {}),
  };
}

export function schemaDocument(baseUrl: string, schema: SchemaDefinition) {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeDocument),
    meta: { resourceType: 'Schema', location: `${trimBase(baseUrl)}/Schemas/${schema.id}` },
  };
}

/** All schemas the service supports, core first. */
export function supportedSchemas(customExtensions: readonly SchemaDefinition[] = []): SchemaDefinition[] {
  return [userSchema, enterpriseUserSchema, ...customExtensions, groupSchema];
}

export function schemaDocuments(baseUrl: string, customExtensions: readonly SchemaDefinition[] = []) {
  return supportedSchemas(customExtensions).map((s) => schemaDocument(baseUrl, s));
}

/** `GET /ResourceTypes/{id}`: id matched case-insensitively; undefined → 404. */
export function findResourceType(baseUrl: string, id: string, customExtensions: readonly SchemaDefinition[] = []) {
  return resourceTypes(baseUrl, customExtensions).find((r) => r.id.toLowerCase() === id.toLowerCase());
}

/** `GET /Schemas/{urn}`: URN matched case-insensitively; undefined → 404. */
export function findSchema(baseUrl: string, id: string, customExtensions: readonly SchemaDefinition[] = []) {
  const schema = supportedSchemas(customExtensions).find((s) => s.id.toLowerCase() === id.toLowerCase());
  return schema ? schemaDocument(baseUrl, schema) : undefined;
}
