// Entra's lifecycle sequences over real HTTP (reference §1.1): test connection, match, create, read,
// update, disable, re-enable, delete; group create, member batches, group delete.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineDatabase, engineNames, type EngineDatabase } from './engines.js';
import { newUser, patchOp, request, scimJson, startHarness, type Harness } from './support.js';

describe.each(engineNames)('on %s', (engine) => {
let h: Harness;
let db: EngineDatabase;
beforeAll(async () => {
  db = await engineDatabase(engine);
  h = await startHarness({ databaseUrl: db.url });
});
afterAll(async () => {
  await h?.service.close();
  await db?.drop();
});

describe('Entra user lifecycle (reference §1.1)', () => {
  it('answers Test Connection with 200 and Resources [] (never null), with and without Accept (§2.1)', async () => {
    const guid = randomUUID();
    for (const headers of [{}, { accept: 'application/scim+json' }, { accept: 'application/json' }] as Array<Record<string, string>>) {
      // Entra URL-encodes with + for spaces and %22 quotes (azure-docs#94189).
      const res = await h.call('GET', `/Users?filter=userName+eq+%22${guid}%22`, undefined, headers);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
      expect(res.body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
    }
    const byExternalId = await h.call('GET', `/Users?filter=${encodeURIComponent(`externalId eq "${guid}"`)}`);
    expect(byExternalId.body.Resources).toEqual([]);
  });

  it('matches, creates, reads, updates, disables, re-enables and deletes a user', async () => {
    const userName = `Ada.Lovelace-${randomUUID().slice(0, 6)}@example.com`;
    const match = await h.call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    expect(match.body.totalResults).toBe(0);

    const created = await h.call('POST', '/Users', newUser(userName));
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    const id = created.body.id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.meta).toMatchObject({ resourceType: 'User', location: `${h.base}/Users/${id}`, version: 'W/"1"' });
    expect(created.headers.get('location')).toBe(`${h.base}/Users/${id}`);
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(created.body.userName).toBe(userName);

    // Match is case-insensitive on userName.
    const again = await h.call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName.toUpperCase()}"`)}`);
    expect(again.body.totalResults).toBe(1);
    expect(again.body.Resources[0].id).toBe(id);

    const read = await h.call('GET', `/Users/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.name).toEqual({ givenName: 'Given', familyName: 'Family' });

    const updated = await h.call('PATCH', `/Users/${id}`, patchOp({ op: 'Replace', path: 'displayName', value: 'Ada L.' }));
    expect(updated.status).toBe(200);
    expect(updated.body.displayName).toBe('Ada L.');
    expect(updated.body.meta.version).toBe('W/"2"');

    const disabled = await h.call('PATCH', `/Users/${id}`, patchOp({ op: 'Replace', path: 'active', value: 'False' }));
    expect(disabled.status).toBe(200);
    expect(disabled.body.active).toBe(false);
    // Inactive users are still returned by GET and filters (reference §1.2).
    expect((await h.call('GET', `/Users/${id}`)).body.active).toBe(false);
    expect((await h.call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).body.Resources[0].active).toBe(false);

    const enabled = await h.call('PATCH', `/Users/${id}`, patchOp({ op: 'Replace', path: 'active', value: 'True' }));
    expect(enabled.body.active).toBe(true);

    const deleted = await h.call('DELETE', `/Users/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    const gone = await h.call('GET', `/Users/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
  });
});

describe('Entra group lifecycle (reference §1.1)', () => {
  it('matches with excludedAttributes=members, creates without members, adds and removes member batches, deletes', async () => {
    const users: string[] = [];
    for (let i = 0; i < 4; i++) users.push((await h.call('POST', '/Users', newUser(`member${i}-${randomUUID().slice(0, 6)}@example.com`))).body.id);
    const name = `Engineering ${randomUUID().slice(0, 6)}`;
    const match = await h.call('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${name}"`)}`);
    expect(match.status).toBe(200);
    expect(match.body.Resources).toEqual([]);

    const created = await h.call('POST', '/Groups', {
      // Entra's Group POST carries a Microsoft schema URI that must be tolerated (reference §1.2).
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      externalId: randomUUID(),
      displayName: name,
      members: [],
    });
    expect(created.status).toBe(201);
    const gid = created.body.id as string;
    expect(created.body.meta.resourceType).toBe('Group');

    const add = await h.call('PATCH', `/Groups/${gid}`, patchOp({ op: 'Add', path: 'members', value: users.map((value) => ({ $ref: null, value })) }));
    expect(add.status).toBe(204);
    expect(add.text).toBe('');

    const read = await h.call('GET', `/Groups/${gid}`);
    expect(read.body.members.map((m: { value: string }) => m.value).sort()).toEqual([...users].sort());
    const readExcluded = await h.call('GET', `/Groups/${gid}?excludedAttributes=members`);
    expect(readExcluded.body.members).toBeUndefined();
    expect(readExcluded.body.displayName).toBe(name);

    const rename = await h.call('PATCH', `/Groups/${gid}`, patchOp({ op: 'Replace', path: 'displayName', value: `${name} (renamed)` }));
    expect(rename.status).toBe(204);

    const remove = await h.call('PATCH', `/Groups/${gid}`, patchOp({ op: 'Remove', path: 'members', value: [{ value: users[0] }, { value: users[1] }] }));
    expect(remove.status).toBe(204);
    const after = await h.call('GET', `/Groups/${gid}`);
    expect(after.body.members.map((m: { value: string }) => m.value).sort()).toEqual([users[2], users[3]].sort());
    expect(after.body.displayName).toBe(`${name} (renamed)`);

    const userView = await h.call('GET', `/Users/${users[2]}`);
    expect(userView.body.groups).toEqual([{ value: gid, $ref: `${h.base}/Groups/${gid}`, display: `${name} (renamed)`, type: 'direct' }]);

    expect((await h.call('DELETE', `/Groups/${gid}`)).status).toBe(204);
    expect((await h.call('GET', `/Groups/${gid}`)).status).toBe(404);
    expect((await h.call('GET', `/Users/${users[2]}`)).body.groups).toBeUndefined();
  });
});

describe('probes', () => {
  it('answers /healthz and /readyz without a token', async () => {
    expect((await request(`${h.service.url}/healthz`, 'GET')).status).toBe(200);
    const ready = await request(`${h.service.url}/readyz`, 'GET');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
  });
  it('content type of errors is application/scim+json', async () => {
    const res = await request(`${h.service.url}/nope`, 'GET');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(new RegExp(`^${scimJson.replace('+', '\\+')}`));
  });
});
});
