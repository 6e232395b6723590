// Every Entra behaviour of /work/shared/reference/entra-scim-client.md §1.2–1.3 and §2 that the service must
// accept, one test each, citing the line of the reference it covers. Real HTTP against a listening server.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../../src/storage/index.js';
import { startService, type RunningService } from '../../src/index.js';
import { engineDatabase, engineNames, type EngineDatabase } from './engines.js';
import { newUser, patchOp, request } from './support.js';

const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const custom = 'urn:ietf:params:scim:schemas:extension:Acme:2.0:User';
describe.each(engineNames)('on %s', (engine) => {
let service: RunningService;
let db: EngineDatabase;
let base: string;
const token = 'quirks-token';
const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  request(base + path, method, body, { authorization: `Bearer ${token}`, ...headers });

beforeAll(async () => {
  db = await engineDatabase(engine);
  const storage = await openStorage(db.url);
  await storage.createTenant('quirks', { customSchemas: [custom], customExtensions: [{ name: 'Typed', attributes: [{ name: 'remote', type: 'boolean' }, { name: 'level', type: 'integer' }] }] });
  service = await startService({ port: 0, host: '127.0.0.1', logLevel: 'silent', tenant: 'quirks', token }, { storage });
  base = `${service.url}/scim/quirks`;
});
afterAll(async () => {
  await service?.close();
  await db?.drop();
});

async function createUser(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call('POST', '/Users', newUser(`u-${randomUUID()}@example.com`, extra));
  expect(res.status).toBe(201);
  return res.body.id;
}

describe('Request format (reference §1.2)', () => {
  it('accepts op values in any case: Add, Replace, Remove, REPLACE ("ops must be matched case-insensitively" [MS-Tut])', async () => {
    const id = await createUser();
    const res = await call('PATCH', `/Users/${id}`, patchOp(
      { op: 'Add', path: 'title', value: 'Engineer' },
      { op: 'REPLACE', path: 'nickName', value: 'Ada' },
      { op: 'Remove', path: 'title' },
      { op: 'replace', path: 'displayName', value: 'Lower' },
    ));
    expect(res.status).toBe(200);
    expect(res.body.nickName).toBe('Ada');
    expect(res.body.title).toBeUndefined();
    expect(res.body.displayName).toBe('Lower');
  });

  it('coerces "True"/"False"/"false" strings for active ("active is sent as the strings True/False" [MS-Compat], scimmy#86)', async () => {
    const id = await createUser();
    for (const [value, expected] of [['False', false], ['True', true], ['false', false], ['true', true]] as const) {
      const res = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Replace', path: 'active', value }));
      expect(res.status).toBe(200);
      expect(res.body.active).toBe(expected);
    }
    // No-path form: {"active": "False"} (scimgateway README).
    const res = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Replace', value: { active: 'False' } }));
    expect(res.body.active).toBe(false);
  });

  it('accepts a JSON boolean active and "True" on POST ("POST bodies send active as a JSON boolean" [MS-Tut]; Postman collection)', async () => {
    const a = await call('POST', '/Users', newUser(`b-${randomUUID()}@example.com`, { active: false }));
    expect(a.body.active).toBe(false);
    const b = await call('POST', '/Users', newUser(`s-${randomUUID()}@example.com`, { active: 'True' }));
    expect(b.status).toBe(201);
    expect(b.body.active).toBe(true);
  });

  it('applies a no-path replace with dotted and full-URN keys (aadOptscim062020 shape [MS-Compat])', async () => {
    const id = await createUser();
    const res = await call('PATCH', `/Users/${id}`, patchOp({
      op: 'replace',
      value: {
        'name.givenName': 'Grace',
        'name.familyName': 'Hopper',
        [`${enterprise}:employeeNumber`]: '42',
        [`${enterprise}:department`]: 'Navy',
        displayName: 'Grace Hopper',
      },
    }));
    expect(res.status).toBe(200);
    expect(res.body.name).toEqual({ givenName: 'Grace', familyName: 'Hopper' });
    expect(res.body[enterprise]).toEqual({ employeeNumber: '42', department: 'Navy' });
    expect(res.body.schemas).toContain(enterprise);
    expect(res.body.displayName).toBe('Grace Hopper');
  });

  it('accepts every documented PATCH path ("PATCH paths used" [MS-Tut][MS-Compat])', async () => {
    const id = await createUser();
    const res = await call('PATCH', `/Users/${id}`, patchOp(
      { op: 'Replace', path: 'userName', value: `renamed-${id}@example.com` },
      { op: 'Replace', path: 'externalId', value: 'ext-renamed' },
      { op: 'Replace', path: 'name.givenName', value: 'G' },
      { op: 'Replace', path: 'name.familyName', value: 'F' },
      { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' },
      { op: 'Add', path: 'addresses[type eq "work"].postalCode', value: '98052' },
      { op: 'Add', path: `${enterprise}:employeeNumber`, value: '7' },
    ));
    expect(res.status).toBe(200);
    expect(res.body.userName).toBe(`renamed-${id}@example.com`);
    expect(res.body.externalId).toBe('ext-renamed');
    expect(res.body.phoneNumbers).toEqual([{ type: 'mobile', value: '+1 555 0100' }]); // stored exactly as sent
    expect(res.body.addresses).toEqual([{ type: 'work', postalCode: '98052' }]);
    expect(res.body[enterprise].employeeNumber).toBe('7');
  });

  it('creates the element on Add to a value path that does not exist yet (MS Q&A 120490, wire-server PR 5419)', async () => {
    const res = await call('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `noemail-${randomUUID()}@example.com` });
    const id = res.body.id;
    expect(res.body.emails).toBeUndefined();
    const patched = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Add', path: 'emails[type eq "work"].value', value: 'work@example.com' }));
    expect(patched.body.emails).toEqual([{ type: 'work', value: 'work@example.com' }]);
    // A second Add on the same value path updates that element instead of adding another.
    const again = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Add', path: 'emails[type eq "work"].value', value: 'new@example.com' }));
    expect(again.body.emails).toEqual([{ type: 'work', value: 'new@example.com' }]);
  });

  it('coerces "true" on sub-attribute paths like emails[type eq "work"].primary (SimpleIdServer#376)', async () => {
    const id = await createUser();
    const res = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Replace', path: 'emails[type eq "work"].primary', value: 'true' }));
    expect(res.body.emails[0].primary).toBe(true);
  });

  it('keeps one primary per multi-valued attribute: a newly primary element takes it from the old one (RFC 7643 §2.4)', async () => {
    const id = await createUser();
    const res = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Add', path: 'emails', value: [{ type: 'home', value: 'home@example.com', primary: 'True' }] }));
    expect(res.body.emails.filter((e: { primary?: boolean }) => e.primary === true).map((e: { type: string }) => e.type)).toEqual(['home']);
    const back = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Replace', path: 'emails[type eq "work"].primary', value: 'true' }));
    expect(back.body.emails.filter((e: { primary?: boolean }) => e.primary === true).map((e: { type: string }) => e.type)).toEqual(['work']);
  });

  it('accepts a bare-string manager and returns it as {"value": …} (SCIM-SDK#686; Budibase#15369)', async () => {
    const manager = await createUser();
    const id = await createUser();
    const res = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Add', path: `${enterprise}:manager`, value: manager }));
    expect(res.status).toBe(200);
    expect(res.body[enterprise].manager).toEqual({ value: manager });
    const read = await call('GET', `/Users/${id}`);
    expect(read.body[enterprise].manager).toEqual({ value: manager });
  });

  it('accepts path "manager" with [{"$ref", "value"}] and removes the manager on Replace with empty ([MS-Tut]; "remove is Replace with empty" [MS-LogicApp])', async () => {
    const manager = await createUser();
    const id = await createUser();
    const set = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Add', path: 'manager', value: [{ $ref: null, value: manager }] }));
    expect(set.body[enterprise].manager).toEqual({ value: manager });
    const cleared = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Replace', path: `${enterprise}:manager`, value: '' }));
    expect(cleared.status).toBe(200);
    expect(cleared.body[enterprise]).toBeUndefined();
    expect(JSON.stringify(cleared.body)).not.toContain('null');
  });

  it('accepts userName and active in the same PATCH (SSOReady#166)', async () => {
    const id = await createUser();
    const res = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Replace', path: 'userName', value: `both-${id}@example.com` }, { op: 'Replace', path: 'active', value: 'False' }));
    expect(res.body.userName).toBe(`both-${id}@example.com`);
    expect(res.body.active).toBe(false);
  });

  it('treats re-sent unchanged values as a no-op: 200, same version (getsentry/sentry-docs#16258)', async () => {
    const id = await createUser();
    const first = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Replace', path: 'active', value: 'True' }));
    expect(first.status).toBe(200);
    expect(first.body.meta.version).toBe('W/"1"');
    const group = (await call('POST', '/Groups', { displayName: `noop-${randomUUID()}` })).body.id;
    await call('PATCH', `/Groups/${group}`, patchOp({ op: 'Add', path: 'members', value: [{ value: id }] }));
    const again = await call('PATCH', `/Groups/${group}`, patchOp({ op: 'Add', path: 'members', value: [{ value: id }] }));
    expect(again.status).toBe(204);
    expect(again.headers.get('etag')).toBe('W/"2"');
  });

  it('tolerates unknown schema URIs in "schemas" (Microsoft ADSCIM Group URI [MS-Tut]) and a missing extension URN in schemas [MS-Attr]', async () => {
    const res = await call('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:example:unknown'],
      userName: `ext-${randomUUID()}@example.com`,
      [custom]: { badgeNumber: 'B-12', remote: true },
    });
    expect(res.status).toBe(201);
    expect(res.body[custom]).toEqual({ badgeNumber: 'B-12', remote: true });
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', custom]);
    const patched = await call('PATCH', `/Users/${res.body.id}`, patchOp({ op: 'Add', path: `${custom}:badgeNumber`, value: 'B-13' }));
    expect(patched.body[custom].badgeNumber).toBe('B-13');
  });

  it('accepts a custom extension the tenant has not configured, stored as sent, via PATCH path and no-path URN keys ([MS-Attr])', async () => {
    const other = 'urn:ietf:params:scim:schemas:extension:SignPath:2.0:User';
    const id = await createUser({ [other]: { signingTeam: 'Core' } });
    const res = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Replace', path: `${other}:signingTeam`, value: 'Release' }, { op: 'add', value: { [`${other}:costCode`]: 'C-1' } }));
    expect(res.status).toBe(200);
    expect(res.body[other]).toEqual({ signingTeam: 'Release', costCode: 'C-1' });
    expect(res.body.schemas).toContain(other);
    // Configured extensions are discoverable in /Schemas and /ResourceTypes (reference §1.2 "Discovery endpoints").
    const schemas = await call('GET', '/Schemas');
    expect(schemas.body.Resources.map((r: { id: string }) => r.id)).toContain(custom);
    const types = await call('GET', '/ResourceTypes/User');
    expect(types.body.schemaExtensions.map((e: { schema: string }) => e.schema)).toEqual(expect.arrayContaining([enterprise, custom]));
    expect((await call('POST', '/Schemas', {})).status).toBe(405);
    expect((await call('GET', '/ServiceProviderConfig')).body.patch).toEqual({ supported: true });
  });

  it('coerces "True" and numbers for typed attributes of a configured custom extension ([MS-Attr] custom attributes)', async () => {
    const typed = 'urn:ietf:params:scim:schemas:extension:Typed:2.0:User';
    const id = await createUser({ [typed]: { Remote: 'False', level: '3', free: 'as sent' } });
    const read = await call('GET', `/Users/${id}`);
    expect(read.body[typed]).toEqual({ remote: false, level: 3, free: 'as sent' });
    const res = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Replace', path: `${typed}:remote`, value: 'True' }));
    expect(res.body[typed].remote).toBe(true);
    const bad = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Replace', path: `${typed}:level`, value: 'high' }));
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidValue');
    expect((await call('GET', '/Schemas')).body.Resources.map((r: { id: string }) => r.id)).toContain(typed);
  });

  it('accepts "roles": [] and explicit nulls on POST and never returns nulls ([MS-Tut]; "Entra can\'t provision null attributes" [MS-Known])', async () => {
    const res = await call('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `blanks-${randomUUID()}@example.com`,
      roles: [],
      addresses: null,
      phoneNumbers: null,
      name: { givenName: 'N', honorificPrefix: null },
      [enterprise]: { manager: null, department: 'D' },
    });
    expect(res.status).toBe(201);
    expect(res.text).not.toContain('null');
    expect(res.body.roles).toBeUndefined();
    expect(res.body.name).toEqual({ givenName: 'N' });
  });
});

describe('Roles (reference §1.3)', () => {
  it('accepts roles as plain objects on POST (SingleAppRoleAssignment [MS-Attr])', async () => {
    const res = await call('POST', '/Users', newUser(`r-${randomUUID()}@example.com`, { roles: [{ primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' }] }));
    expect(res.body.roles).toEqual([{ primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' }]);
  });

  it('decodes JSON-encoded role strings in PATCH values (PATCH "role object is a string" [MS-Attr])', async () => {
    const id = await createUser();
    const encoded = JSON.stringify({ id: '8a4e-role-id', value: 'Writer', displayName: 'Writer role' });
    const res = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Add', path: 'roles', value: [{ value: encoded }] }));
    expect(res.status).toBe(200);
    expect(res.body.roles).toEqual([{ value: 'Writer', display: 'Writer role' }]);
  });

  it('replaces the full roles array (AssertiveAppRoleAssignmentsComplex [MS-Attr]) and matches roles[primary eq "True"] against a boolean (§1.3)', async () => {
    const id = await createUser({ roles: [{ primary: true, value: 'Admin' }, { primary: false, value: 'Reader' }] });
    const filtered = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Replace', path: 'roles[primary eq "True"].value', value: 'Owner' }));
    expect(filtered.body.roles).toEqual([{ primary: true, value: 'Owner' }, { primary: false, value: 'Reader' }]);
    const replaced = await call('PATCH', `/Users/${id}`, patchOp({
      op: 'replace',
      path: 'roles',
      value: [{ primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Writer', value: 'Writer' }, { primary: 'False', display: 'Reader', value: 'Reader' }],
    }));
    expect(replaced.body.roles).toEqual([{ primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Writer', value: 'Writer' }, { primary: false, display: 'Reader', value: 'Reader' }]);
  });

  it('adds roles without duplicating ones already present (AppRoleAssignmentsComplex "PATCH add only" [MS-Attr])', async () => {
    const id = await createUser({ roles: [{ primary: false, value: 'Reader' }] });
    const res = await call('PATCH', `/Users/${id}`, patchOp({ op: 'Add', path: 'roles', value: [{ primary: false, value: 'Reader' }, { primary: false, value: 'Writer' }] }));
    expect(res.body.roles).toEqual([{ primary: false, value: 'Reader' }, { primary: false, value: 'Writer' }]);
  });
});

describe('Groups (reference §1.2)', () => {
  async function groupWith(count: number) {
    const users: string[] = [];
    for (let i = 0; i < count; i++) users.push(await createUser());
    const gid = (await call('POST', '/Groups', { displayName: `g-${randomUUID()}` })).body.id as string;
    const add = await call('PATCH', `/Groups/${gid}`, patchOp({ op: 'Add', path: 'members', value: users.map((value) => ({ $ref: null, value })) }));
    expect(add.status).toBe(204);
    const members = async () => ((await call('GET', `/Groups/${gid}`)).body.members ?? []).map((m: { value: string }) => m.value).sort();
    return { gid, users, members };
  }

  it('removes members by a value array, several values meaning OR (legacy removal [MS-Compat]; SCIM-SDK wiki)', async () => {
    const { gid, users, members } = await groupWith(3);
    const res = await call('PATCH', `/Groups/${gid}`, patchOp({ op: 'Remove', path: 'members', value: [{ $ref: null, value: users[0] }, { value: users[2] }] }));
    expect(res.status).toBe(204);
    expect(await members()).toEqual([users[1]]);
  });

  it('removes a member by members[value eq "…"] (aadOptscim062020 [MS-Compat])', async () => {
    const { gid, users, members } = await groupWith(2);
    const res = await call('PATCH', `/Groups/${gid}`, patchOp({ op: 'remove', path: `members[value eq "${users[1]}"]` }));
    expect(res.status).toBe(204);
    expect(await members()).toEqual([users[0]]);
  });

  it('answers group PATCH with 204 and no body, never the member list ([MS-Tut])', async () => {
    const { gid } = await groupWith(1);
    const res = await call('PATCH', `/Groups/${gid}`, patchOp({ op: 'Replace', path: 'displayName', value: `renamed-${randomUUID()}` }));
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
  });

  it('accepts a no-path replace of displayName on a group ([MS-Tut] group update)', async () => {
    const { gid } = await groupWith(0);
    const name = `np-${randomUUID()}`;
    expect((await call('PATCH', `/Groups/${gid}`, patchOp({ op: 'Replace', value: { id: gid, displayName: name } }))).status).toBe(400);
    expect((await call('PATCH', `/Groups/${gid}`, patchOp({ op: 'Replace', value: { displayName: name } }))).status).toBe(204);
    expect((await call('GET', `/Groups/${gid}?excludedAttributes=members`)).body.displayName).toBe(name);
  });
});

describe('Filters Entra sends (reference §1.2, §2.2)', () => {
  it('finds by emails[type eq "work"].value, externalId, id, active, and with "and"; names and operators in any case', async () => {
    const mail = `Filter.${randomUUID().slice(0, 8)}@Example.com`;
    const res = await call('POST', '/Users', newUser(mail, { externalId: `ext-${mail}` }));
    const id = res.body.id;
    const q = async (filter: string) => (await call('GET', `/Users?filter=${encodeURIComponent(filter)}`)).body;
    expect((await q(`emails[type eq "work"].value eq "${mail.toLowerCase()}"`)).Resources.map((r: { id: string }) => r.id)).toEqual([id]);
    expect((await q(`externalId eq "ext-${mail}"`)).totalResults).toBe(1);
    expect((await q(`id eq "${id}"`)).totalResults).toBe(1);
    expect((await q(`USERNAME EQ "${mail.toUpperCase()}" and active eq true`)).totalResults).toBe(1);
    expect((await q(`userName eq "${mail}" and active eq "False"`)).totalResults).toBe(0);
    expect((await q(`emails.value eq "${mail}"`)).totalResults).toBe(1);
  });

  it('answers the reference-attribute check `id eq "…" and manager eq "…"` ([MS-Tut])', async () => {
    const manager = await createUser();
    const id = await createUser({ [enterprise]: { manager: { value: manager } } });
    const hit = await call('GET', `/Users?filter=${encodeURIComponent(`id eq "${id}" and manager eq "${manager}"`)}`);
    expect(hit.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
    const miss = await call('GET', `/Users?filter=${encodeURIComponent(`id eq "${id}" and manager eq "${randomUUID()}"`)}`);
    expect(miss.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('compares meta.created / meta.lastModified as instants, any offset (Postman "meta.Created gt 2015-10-10T14:38:21.8617979-07:00")', async () => {
    const id = await createUser();
    const created = (await call('GET', `/Users/${id}`)).body.meta.created as string;
    const ms = Date.parse(created);
    // The same instant written with a +02:00 offset.
    const shifted = new Date(ms + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    const q = async (filter: string) => (await call('GET', `/Users?filter=${encodeURIComponent(`id eq "${id}" and ${filter}`)}`)).body.totalResults;
    expect(await q(`meta.created eq "${shifted}"`)).toBe(1);
    expect(await q(`meta.created gt "${shifted}"`)).toBe(0);
    expect(await q(`meta.created ge "${shifted}"`)).toBe(1);
    expect(await q(`meta.lastModified lt "${new Date(ms + 1000).toISOString().replace('Z', '+00:00')}"`)).toBe(1);
    expect((await call('GET', `/Users?filter=${encodeURIComponent('meta.Created gt 2015-10-10T14:38:21.8617979-07:00')}`)).body.totalResults).toBeGreaterThan(0);
    const bad = await call('GET', `/Users?filter=${encodeURIComponent('meta.created gt "yesterday"')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidFilter');
  });

  it('answers an unsupported or malformed filter with 400 invalidFilter, never 404/500 (§2.2)', async () => {
    for (const filter of ['userName eq', 'userName xx "a"', '((userName eq "a")', 'userName eq "unterminated']) {
      const res = await call('GET', `/Users?filter=${encodeURIComponent(filter)}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
      expect(res.body.detail.length).toBeGreaterThan(10);
    }
  });

  it('pages 1-based with startIndex/count, echoes startIndex, reports itemsPerPage and totalResults (§2.9, Logic App pagination)', async () => {
    const prefix = `page-${randomUUID().slice(0, 6)}`;
    for (let i = 0; i < 11; i++) await call('POST', '/Users', newUser(`${prefix}-${String(i).padStart(2, '0')}@example.com`));
    const seen: string[] = [];
    for (let page = 0; page < 3; page++) {
      const res = await call('GET', `/Users?filter=${encodeURIComponent(`userName sw "${prefix}"`)}&startIndex=${page * 5 + 1}&count=5&sortBy=userName`);
      expect(res.body.startIndex).toBe(page * 5 + 1);
      expect(res.body.totalResults).toBe(11);
      expect(res.body.itemsPerPage).toBe(page < 2 ? 5 : 1);
      seen.push(...res.body.Resources.map((r: { userName: string }) => r.userName));
    }
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(11);
  });

  it('supports attributes and excludedAttributes (Entra uses excludedAttributes=members)', async () => {
    const id = await createUser();
    const only = await call('GET', `/Users/${id}?attributes=userName,name.givenName`);
    expect(Object.keys(only.body).sort()).toEqual(['id', 'name', 'schemas', 'userName']);
    expect(only.body.name).toEqual({ givenName: 'Given' });
    const without = await call('GET', `/Users/${id}?excludedAttributes=emails,name`);
    expect(without.body.emails).toBeUndefined();
    expect(without.body.name).toBeUndefined();
    expect(without.body.userName).toBeDefined();
  });
});
});
