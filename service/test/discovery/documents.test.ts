import { describe, expect, it } from 'vitest';
import {
  DiscoveryConfigError,
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  LIST_RESPONSE_SCHEMA,
  USER_SCHEMA,
  customExtensionSchema,
  customExtensionSchemas,
  findResourceType,
  findSchema,
  listResponse,
  resourceTypes,
  schemaDocuments,
  serviceProviderConfig,
  type AttributeDefinition,
} from '../../src/discovery/index.js';

const BASE = 'https://scim.example.com/scim/contoso';

function hasNoNulls(value: unknown, path = '$'): string[] {
  if (value === null || value === undefined) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => hasNoNulls(v, `${path}[${i}]`));
  if (typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => hasNoNulls(v, `${path}.${k}`));
  return [];
}

function allKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(allKeys);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...allKeys(v)]);
  return [];
}

/** Flatten /Schemas the way Microsoft's validator does (reference §1.2 "Discovery endpoints"). */
function flatten(attributes: readonly Record<string, unknown>[], prefix = ''): string[] {
  return attributes.flatMap((a) => {
    const name = `${prefix}${a.name as string}`;
    const subs = (a.subAttributes as Record<string, unknown>[] | undefined) ?? [];
    return [name, ...flatten(subs, `${name}.`)];
  });
}

describe('ServiceProviderConfig (RFC 7643 §5)', () => {
  it('advertises patch, filter, sort, etag, no bulk, and bearer-token auth, with its location', () => {
    const doc = serviceProviderConfig(`${BASE}/`, { maxResults: 500 });
    expect(doc).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: 500 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      meta: { resourceType: 'ServiceProviderConfig', location: `${BASE}/ServiceProviderConfig` },
    });
    expect(doc.authenticationSchemes).toEqual([expect.objectContaining({ type: 'oauthbearertoken', primary: true })]);
    expect(hasNoNulls(doc)).toEqual([]);
  });
});

describe('ResourceTypes (RFC 7643 §6)', () => {
  it('lists User (with enterprise and custom extensions) and Group', () => {
    const custom = customExtensionSchemas([{ name: 'Acme', attributes: [{ name: 'badge' }] }]);
    const types = resourceTypes(BASE, custom);
    expect(types.map((t) => t.id)).toEqual(['User', 'Group']);
    expect(types[0]).toMatchObject({
      endpoint: '/Users',
      schema: USER_SCHEMA,
      schemaExtensions: [
        { schema: ENTERPRISE_USER_SCHEMA, required: false },
        { schema: 'urn:ietf:params:scim:schemas:extension:Acme:2.0:User', required: false },
      ],
      meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/User` },
    });
    expect(types[1]).toMatchObject({ endpoint: '/Groups', schema: GROUP_SCHEMA });
    expect(findResourceType(BASE, 'group')?.id).toBe('Group');
    expect(findResourceType(BASE, 'Device')).toBeUndefined();
    expect(hasNoNulls(types)).toEqual([]);
  });

  it('wraps lists in a ListResponse with Resources, never null (reference §1.2)', () => {
    expect(listResponse(resourceTypes(BASE))).toMatchObject({
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: 2,
      itemsPerPage: 2,
      startIndex: 1,
    });
    expect(listResponse([])).toEqual({ schemas: [LIST_RESPONSE_SCHEMA], totalResults: 0, itemsPerPage: 0, startIndex: 1, Resources: [] });
  });
});

describe('Schemas (RFC 7643 §7)', () => {
  const docs = schemaDocuments(BASE);
  const byId = new Map(docs.map((d) => [d.id, d]));

  it('contains User, EnterpriseUser and Group, with locations and no nulls, camelCase keys only', () => {
    expect(docs.map((d) => d.id)).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA]);
    expect(byId.get(USER_SCHEMA)?.meta).toEqual({ resourceType: 'Schema', location: `${BASE}/Schemas/${USER_SCHEMA}` });
    expect(hasNoNulls(docs)).toEqual([]);
    const badKeys = allKeys(docs).filter((k) => !/^(\$ref|[a-z][A-Za-z0-9]*|urn:.*)$/.test(k));
    expect(badKeys).toEqual([]);
  });

  it('makes every attribute Entra writes discoverable (reference §1.2 PATCH paths, §1.3 roles)', () => {
    const user = flatten(byId.get(USER_SCHEMA)!.attributes);
    for (const path of [
      'userName', 'active', 'displayName', 'title', 'name.givenName', 'name.familyName', 'name.formatted',
      'emails.value', 'emails.type', 'emails.primary', 'phoneNumbers.value', 'phoneNumbers.type',
      'addresses.postalCode', 'addresses.streetAddress', 'addresses.locality', 'addresses.region', 'addresses.country',
      'roles.value', 'roles.display', 'roles.type', 'roles.primary', 'preferredLanguage', 'userType', 'externalId',
    ]) {
      expect(user, path).toContain(path);
    }
    const enterprise = flatten(byId.get(ENTERPRISE_USER_SCHEMA)!.attributes);
    for (const path of ['employeeNumber', 'department', 'costCenter', 'organization', 'division', 'manager.value']) {
      expect(enterprise, path).toContain(path);
    }
    expect(flatten(byId.get(GROUP_SCHEMA)!.attributes)).toEqual(
      expect.arrayContaining(['displayName', 'externalId', 'members', 'members.value', 'members.$ref', 'members.type']),
    );
  });

  it('carries full RFC 7643 §7 metadata on every attribute, with userName unique and case-insensitive', () => {
    const check = (a: Record<string, unknown>) => {
      for (const key of ['name', 'type', 'multiValued', 'description', 'required', 'caseExact', 'mutability', 'returned', 'uniqueness']) {
        expect(a, `${String(a.name)}.${key}`).toHaveProperty(key);
      }
      for (const sub of (a.subAttributes as Record<string, unknown>[] | undefined) ?? []) check(sub);
    };
    for (const doc of docs) for (const a of doc.attributes) check(a);
    const userName = byId.get(USER_SCHEMA)!.attributes.find((a) => a.name === 'userName')!;
    expect(userName).toMatchObject({ required: true, caseExact: false, uniqueness: 'server' });
    const manager = byId.get(ENTERPRISE_USER_SCHEMA)!.attributes.find((a) => a.name === 'manager')!;
    expect(manager).toMatchObject({ type: 'complex' });
    expect(manager.subAttributes).toEqual(expect.arrayContaining([expect.objectContaining({ name: '$ref', referenceTypes: ['User'] })]));
    const groupName = byId.get(GROUP_SCHEMA)!.attributes.find((a) => a.name === 'displayName')!;
    expect(groupName).toMatchObject({ required: true, uniqueness: 'server' });
  });

  it('finds one schema by URN case-insensitively', () => {
    expect(findSchema(BASE, ENTERPRISE_USER_SCHEMA.toLowerCase())?.name).toBe('EnterpriseUser');
    expect(findSchema(BASE, 'urn:nope')).toBeUndefined();
  });
});

describe('custom extension schemas', () => {
  it('builds urn:ietf:params:scim:schemas:extension:<Name>:2.0:User with typed attributes', () => {
    const schema = customExtensionSchema({
      name: 'CustomExtensionName',
      attributes: [{ name: 'costCode', caseExact: true }, { name: 'startDate', type: 'dateTime' }, { name: 'tags', multiValued: true }],
    });
    expect(schema.id).toBe('urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User');
    expect(schema.attributes.map((a: AttributeDefinition) => [a.name, a.type, a.caseExact, a.multiValued])).toEqual([
      ['costCode', 'string', true, false],
      ['startDate', 'dateTime', false, false],
      ['tags', 'string', false, true],
    ]);
    const docs = schemaDocuments(BASE, [schema]);
    expect(docs.map((d) => d.id)).toContain(schema.id);
  });

  it('rejects bad names and duplicates with a message that says what to fix', () => {
    expect(() => customExtensionSchema({ name: 'bad name', attributes: [] })).toThrow(/letters and digits/);
    expect(() => customExtensionSchema({ name: 'enterprise', attributes: [] })).toThrow(DiscoveryConfigError);
    expect(() => customExtensionSchema({ name: 'Acme', attributes: [{ name: '1x' }] })).toThrow(/attribute name "1x" is invalid/);
    expect(() => customExtensionSchema({ name: 'Acme', attributes: [{ name: 'a' }, { name: 'A' }] })).toThrow(/defined twice/);
    expect(() => customExtensionSchemas([{ name: 'Acme', attributes: [] }, { name: 'ACME', attributes: [] }])).toThrow(/defined twice/);
    expect(() =>
      customExtensionSchema({ name: 'Acme', attributes: [{ name: 'x', type: 'complex' as unknown as 'string' }] }),
    ).toThrow(/unsupported type "complex"/);
  });
});
