// The "direct SCIM" checks of Microsoft's Logic App validation template v5 (reference §3.2 [MS-LogicApp]) that run
// without a tenant: schema discoverability, null update, user/group pagination, manager set/change/remove.
// Plus the discovery checks of Okta's older spec test (reference §3.3: discovery documents, POST → 405).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTarget, type RawResponse, type Target } from './support.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let target: Target;

const json = (method: string, path: string, body?: unknown): Promise<RawResponse> =>
  target.send(method, path, {
    headers: { Authorization: `Bearer ${target.token}`, 'Content-Type': 'application/scim+json; charset=utf-8' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

async function createUser(userName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await json('POST', '/Users', {
    schemas: [USER],
    userName,
    active: true,
    name: { givenName: 'Val', familyName: 'Idator' },
    emails: [{ type: 'work', value: userName, primary: true }],
    ...extra,
  });
  expect(r.status, r.text).toBe(201);
  return r.json!.id as string;
}

beforeAll(async () => {
  target = await startTarget('validator');
});

afterAll(async () => {
  await target?.service.close();
});

/** Flatten /Schemas the way the validator does: `emails.value`, `name.givenName`, `urn:…:User:employeeNumber`. */
function flatten(resources: Array<{ id: string; attributes: Array<Record<string, unknown>> }>): Set<string> {
  const out = new Set<string>();
  for (const schema of resources) {
    const prefix = schema.id === USER || schema.id === GROUP ? '' : `${schema.id}:`;
    const walk = (attributes: Array<Record<string, unknown>>, parent: string) => {
      for (const a of attributes) {
        const name = `${parent}${String(a.name)}`;
        out.add(`${prefix}${name}`.toLowerCase());
        if (Array.isArray(a.subAttributes)) walk(a.subAttributes as Array<Record<string, unknown>>, `${name}.`);
      }
    };
    walk(schema.attributes, '');
  }
  return out;
}

describe("Microsoft validator: direct SCIM tests (reference §3.2)", () => {
  it('Schema discoverability: every attribute of Entra\'s default mappings is in /Schemas, and a Group schema exists', async () => {
    const r = await json('GET', '/Schemas');
    expect(r.status).toBe(200);
    const resources = r.json!.Resources as Array<{ id: string; attributes: Array<Record<string, unknown>> }>;
    expect(resources.map((s) => s.id)).toEqual(expect.arrayContaining([USER, GROUP, ENTERPRISE]));
    const flat = flatten(resources);
    // Entra's default User mappings (reference §1.2 PATCH paths; [MS-Tut] attribute table), value paths reduced to attributes.
    for (const path of [
      'userName', 'active', 'displayName', 'title', 'emails.value', 'emails.type', 'preferredLanguage', 'name.givenName',
      'name.familyName', 'name.formatted', 'addresses.formatted', 'addresses.streetAddress', 'addresses.locality',
      'addresses.region', 'addresses.postalCode', 'addresses.country', 'phoneNumbers.value', 'phoneNumbers.type',
      'externalId', 'roles.value', 'roles.primary', `${ENTERPRISE}:employeeNumber`, `${ENTERPRISE}:department`,
      `${ENTERPRISE}:manager`, `${ENTERPRISE}:manager.value`, `${ENTERPRISE}:costCenter`, `${ENTERPRISE}:organization`,
      `${ENTERPRISE}:division`, 'displayName', 'members', 'members.value',
    ]) {
      expect(flat.has(path.toLowerCase()), path).toBe(true);
    }
  });

  it('Null update: a PATCH with empty strings, then with nulls, clears the attributes', async () => {
    const id = await createUser('null.update@contoso.com', { title: 'Engineer', displayName: 'Null Update', [ENTERPRISE]: { department: 'R&D' } });
    const empty = await json('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', path: 'title', value: '' },
        { op: 'Replace', path: `${ENTERPRISE}:department`, value: '' },
      ],
    });
    expect([200, 204]).toContain(empty.status);
    let read = await json('GET', `/Users/${id}`);
    expect(read.json!.title).toBeUndefined();
    expect((read.json![ENTERPRISE] as Record<string, unknown> | undefined)?.department).toBeUndefined();

    await json('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'displayName', value: 'Again' }] });
    const nulls = await json('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Replace', path: 'displayName', value: null }],
    });
    expect([200, 204]).toContain(nulls.status);
    read = await json('GET', `/Users/${id}`);
    expect(read.json!.displayName).toBeUndefined(); // cleared, and no null in the response
    expect(read.text).not.toMatch(/:\s*null/);
  });

  it('User pagination: 11+ users in pages of 5, startIndex = page*5+1, no duplicates or gaps', async () => {
    const created = new Set<string>();
    for (let i = 0; i < 12; i++) created.add(await createUser(`page.user${i}@contoso.com`));
    const first = await json('GET', '/Users?startIndex=1&count=5');
    const total = first.json!.totalResults as number;
    expect(total).toBeGreaterThanOrEqual(12);
    const seen: string[] = [];
    for (let page = 0; page * 5 < total; page++) {
      const r = await json('GET', `/Users?startIndex=${page * 5 + 1}&count=5`);
      expect(r.status).toBe(200);
      expect(r.json!.startIndex).toBe(page * 5 + 1);
      expect(r.json!.totalResults).toBe(total);
      const ids = (r.json!.Resources as Array<{ id: string }>).map((u) => u.id);
      expect(r.json!.itemsPerPage).toBe(ids.length);
      expect(ids.length).toBe(Math.min(5, total - page * 5));
      seen.push(...ids);
    }
    expect(new Set(seen).size).toBe(total);
    for (const id of created) expect(seen).toContain(id);
  });

  it('Group pagination (optional in the validator): pages of 5 over 7 groups', async () => {
    for (let i = 0; i < 7; i++) {
      const r = await json('POST', '/Groups', { schemas: [GROUP], displayName: `Paged group ${i}` });
      expect(r.status).toBe(201);
    }
    const seen: string[] = [];
    for (const startIndex of [1, 6]) {
      const r = await json('GET', `/Groups?startIndex=${startIndex}&count=5&excludedAttributes=members`);
      expect(r.json!.startIndex).toBe(startIndex);
      seen.push(...(r.json!.Resources as Array<{ id: string; members?: unknown }>).map((g) => g.id));
      for (const g of r.json!.Resources as Array<{ members?: unknown }>) expect(g.members).toBeUndefined();
    }
    expect(new Set(seen).size).toBe(7);
  });

  it('Manager: set (bare string, as Entra sends it), change, remove ("Replace with empty")', async () => {
    const boss = await createUser('boss.one@contoso.com');
    const boss2 = await createUser('boss.two@contoso.com');
    const id = await createUser('report@contoso.com');
    const manager = async () => ((await json('GET', `/Users/${id}`)).json![ENTERPRISE] as Record<string, unknown> | undefined)?.manager;

    const set = await json('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: boss }],
    });
    expect([200, 204]).toContain(set.status);
    expect(await manager()).toMatchObject({ value: boss }); // complex in responses (reference §1.2)

    const change = await json('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Replace', path: `${ENTERPRISE}:manager`, value: { value: boss2 } }],
    });
    expect([200, 204]).toContain(change.status);
    expect(await manager()).toMatchObject({ value: boss2 });

    const remove = await json('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Replace', path: `${ENTERPRISE}:manager`, value: '' }],
    });
    expect([200, 204]).toContain(remove.status);
    expect(await manager()).toBeUndefined();
  });
});

describe("Okta's older spec test: discovery (reference §3.3, §2 item 10)", () => {
  it('serves ServiceProviderConfig, ResourceTypes and Schemas as SCIM JSON', async () => {
    const spc = await json('GET', '/ServiceProviderConfig');
    expect(spc.status).toBe(200);
    expect(spc.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(spc.json).toMatchObject({ patch: { supported: true }, filter: { supported: true } });
    const types = await json('GET', '/ResourceTypes');
    expect((types.json!.Resources as Array<{ endpoint: string }>).map((t) => t.endpoint)).toEqual(expect.arrayContaining(['/Users', '/Groups']));
    expect((await json('GET', `/Schemas/${USER}`)).json).toMatchObject({ id: USER, name: 'User' });
    expect((await json('GET', '/ResourceTypes/User')).json).toMatchObject({ id: 'User', schema: USER });
  });

  it('answers 405 with a SCIM error to writes on discovery endpoints', async () => {
    for (const path of ['/ServiceProviderConfig', '/ResourceTypes', '/Schemas']) {
      const r = await json('POST', path, { schemas: [USER] });
      expect(r.status, path).toBe(405);
      expect(r.json).toMatchObject({ status: '405', schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'] });
    }
  });

  it('answers 404 for an unknown schema or resource type', async () => {
    expect((await json('GET', '/Schemas/urn:example:nope')).status).toBe(404);
    expect((await json('GET', '/ResourceTypes/Device')).status).toBe(404);
  });
});
