// Tenant isolation, token rotation, dry-run (answers like the real endpoint, writes nothing, audited as a
// dry run), the audit log of writes, and group membership cost measured by storage operation counts.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/scim/auth.js';
import { openSqliteStorage } from '../../src/storage/sqlite/engine.js';
import { openStorage, type Storage } from '../../src/storage/index.js';
import { engineDatabase, engineNames, type EngineDatabase } from './engines.js';
import { startService, type RunningService } from '../../src/index.js';
import { newUser, patchOp, request } from './support.js';

describe.each(engineNames)('on %s', (engine) => {
let storage: Storage;
let db: EngineDatabase;
let service: RunningService;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const a = (method: string, path: string, body?: unknown, token = 'token-a') => request(`${service.url}/scim/tenant-a${path}`, method, body, auth(token));
const b = (method: string, path: string, body?: unknown) => request(`${service.url}/scim/tenant-b${path}`, method, body, auth('token-b'));

beforeAll(async () => {
  db = await engineDatabase(engine);
  storage = await openStorage(db.url);
  await storage.createTenant('tenant-b');
  await storage.createToken('tenant-b', hashToken('token-b'));
  // No auth cache here: the operation-count test below must not depend on when the cache expires.
  service = await startService({ port: 0, host: '127.0.0.1', logLevel: 'silent', tenant: 'tenant-a', token: 'token-a', authCacheMs: 0 }, { storage });
});
afterAll(async () => {
  await service?.close();
  await db?.drop();
});

describe('tenant isolation', () => {
  it("a token of tenant A never reads or writes tenant B's resources", async () => {
    const userName = `shared-${randomUUID()}@example.com`;
    const inA = (await a('POST', '/Users', newUser(userName))).body.id;
    // The same userName is free in tenant B (uniqueness is per tenant).
    const inB = await b('POST', '/Users', newUser(userName));
    expect(inB.status).toBe(201);
    // A's token on B's URL: 401; B's ids through A's URL: 404.
    expect((await request(`${service.url}/scim/tenant-b/Users/${inB.body.id}`, 'GET', undefined, auth('token-a'))).status).toBe(401);
    expect((await a('GET', `/Users/${inB.body.id}`)).status).toBe(404);
    expect((await a('DELETE', `/Users/${inB.body.id}`)).status).toBe(404);
    expect((await a('PATCH', `/Users/${inB.body.id}`, patchOp({ op: 'replace', path: 'title', value: 'x' }))).status).toBe(404);
    const list = await a('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    expect(list.body.Resources.map((r: { id: string }) => r.id)).toEqual([inA]);
    // A group in A cannot take B's user as a member.
    const gid = (await a('POST', '/Groups', { displayName: `iso-${randomUUID()}` })).body.id;
    expect((await a('PATCH', `/Groups/${gid}`, patchOp({ op: 'add', path: 'members', value: [{ value: inB.body.id }] }))).status).toBe(400);
  });

  it('several tokens are active at once; a revoked one stops working within the auth cache time (1 s); a new one works at once (rotation without downtime)', async () => {
    const own = openSqliteStorage(':memory:');
    const cached = await startService({ port: 0, host: '127.0.0.1', logLevel: 'silent', tenant: 'rot', token: 'token-rot' }, { storage: own });
    const get = (token: string) => request(`${cached.url}/scim/rot/Users?count=1`, 'GET', undefined, auth(token));
    try {
      expect((await get('token-rot')).status).toBe(200); // fills the cache
      const second = await own.createToken('rot', hashToken('token-rot-2'));
      expect((await get('token-rot-2')).status).toBe(200);
      expect((await get('token-rot')).status).toBe(200);
      // Revoked directly in the database (as another replica would): effective within the 1 s cache time.
      await own.revokeToken('rot', second.id);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await get('token-rot-2')).status).toBe(401);
      expect((await get('token-rot')).status).toBe(200);
    } finally {
      await cached.close();
    }
  });
});

describe('dry-run (/scim/{tenant}/dry-run/...)', () => {
  it('answers POST, PATCH, PUT, DELETE exactly like the real endpoint but writes nothing', async () => {
    const userName = `dry-${randomUUID()}@example.com`;
    const before = storage.stats();
    const dryCreate = await a('POST', '/dry-run/Users', newUser(userName));
    expect(dryCreate.status).toBe(201);
    expect(dryCreate.body.userName).toBe(userName);
    expect(dryCreate.body.meta.location).toMatch(new RegExp(`/scim/tenant-a/Users/${dryCreate.body.id}$`));
    expect((await a('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).body.totalResults).toBe(0);
    expect((await a('GET', `/Users/${dryCreate.body.id}`)).status).toBe(404);
    expect(storage.stats().statements).toBeGreaterThan(before.statements);

    const real = (await a('POST', '/Users', newUser(userName))).body;
    // Dry-run sees the real data and validates as the real endpoint does.
    expect((await a('POST', '/dry-run/Users', newUser(userName))).status).toBe(409);
    const dryPatch = await a('PATCH', `/dry-run/Users/${real.id}`, patchOp({ op: 'Replace', path: 'active', value: 'False' }));
    expect(dryPatch.status).toBe(200);
    expect(dryPatch.body.active).toBe(false);
    expect(dryPatch.body.meta.version).toBe('W/"2"');
    expect((await a('DELETE', `/dry-run/Users/${real.id}`)).status).toBe(204);
    expect((await a('PUT', `/dry-run/Users/${real.id}`, newUser(`other-${userName}`))).status).toBe(200);
    const after = await a('GET', `/Users/${real.id}`);
    expect(after.status).toBe(200);
    expect(after.body.active).toBe(true);
    expect(after.body.userName).toBe(userName);
    expect(after.body.meta.version).toBe('W/"1"');

    const gid = (await a('POST', '/Groups', { displayName: `dry-g-${randomUUID()}` })).body.id;
    expect((await a('PATCH', `/dry-run/Groups/${gid}`, patchOp({ op: 'Add', path: 'members', value: [{ value: real.id }] }))).status).toBe(204);
    expect((await a('GET', `/Groups/${gid}`)).body.members).toBeUndefined();
    // Reads work under dry-run too; errors are the same.
    expect((await a('GET', `/dry-run/Users/${real.id}`)).status).toBe(200);
    expect((await a('PATCH', `/dry-run/Users/${randomUUID()}`, patchOp({ op: 'replace', path: 'title', value: 'x' }))).status).toBe(404);
  });

  it('records writes and dry runs in the audit log with token id, method, resource, summary and outcome', async () => {
    const tokens = await storage.activeTokens('tenant-a');
    const id = (await a('POST', '/Users', newUser(`audit-${randomUUID()}@example.com`))).body.id;
    await a('PATCH', `/dry-run/Users/${id}`, patchOp({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'secret@example.com' }));
    await a('DELETE', `/Users/${randomUUID()}`);
    const [failed, dry, created] = await storage.listAudit('tenant-a', { limit: 3 });
    expect(created).toMatchObject({ method: 'POST', resourceType: 'User', resourceId: id, status: 201, outcome: 'success', dryRun: false, summary: 'create User' });
    expect(tokens.map((t) => t.id)).toContain(created!.tokenId);
    expect(dry).toMatchObject({ method: 'PATCH', resourceId: id, status: 200, outcome: 'success', dryRun: true });
    expect(dry!.summary).toContain('replace emails[type eq "…"].value');
    expect(dry!.summary).not.toContain('secret@example.com'); // values stay out of the audit summary
    expect(failed).toMatchObject({ method: 'DELETE', status: 404, outcome: 'failure', dryRun: false });
  });
});

describe('audit entries of writes commit with the write', () => {
  it('a successful write is one commit with its entry (recorded once); the lower-case /users alias is audited too', async () => {
    const before = (await storage.listAudit('tenant-a', { limit: 1000 })).length;
    const id = (await a('POST', '/users', newUser(`lower-${randomUUID()}@example.com`))).body.id;
    await a('PATCH', `/Users/${id}`, patchOp({ op: 'Replace', path: 'title', value: 'Engineer' }));
    const entries = await storage.listAudit('tenant-a', { limit: 1000 });
    expect(entries.length - before).toBe(2);
    const [patched, created] = entries;
    expect(created).toMatchObject({ method: 'POST', resourceType: 'User', resourceId: id, status: 201, outcome: 'success' });
    expect(patched).toMatchObject({ method: 'PATCH', resourceType: 'User', resourceId: id, status: 200, outcome: 'success' });
  });

  it('a failed write still gets its failure entry (from the response hook)', async () => {
    const id = (await a('POST', '/Users', newUser(`dup-${randomUUID()}@example.com`))).body;
    const again = await a('POST', '/Users', newUser(id.userName));
    expect(again.status).toBe(409);
    const [failed] = await storage.listAudit('tenant-a', { limit: 1 });
    expect(failed).toMatchObject({ method: 'POST', status: 409, outcome: 'failure', dryRun: false });
  });
});

describe('group membership cost (reference §2.11: proportional to the change, not the group size)', () => {
  it('adding and removing one member costs the same storage operations for a 10- and a 1000-member group', async () => {
    const makeGroup = async (size: number) => {
      const gid = (await a('POST', '/Groups', { displayName: `size-${size}-${randomUUID()}` })).body.id as string;
      const ids: string[] = [];
      await storage.transaction('tenant-a', async (tx) => {
        for (let i = 0; i < size; i++) {
          const id = randomUUID();
          ids.push(id);
          await tx.insertResource('User', id, { userName: `bulk-${id}@example.com` });
        }
        await tx.addMembers(gid, ids.map((value) => ({ value, type: 'User' })));
      });
      return gid;
    };
    const small = await makeGroup(10);
    const large = await makeGroup(1000);
    const newcomer = (await a('POST', '/Users', newUser(`newcomer-${randomUUID()}@example.com`))).body.id;
    const cost = async (gid: string) => {
      const before = storage.stats();
      expect((await a('PATCH', `/Groups/${gid}`, patchOp({ op: 'Add', path: 'members', value: [{ value: newcomer }] }))).status).toBe(204);
      expect((await a('PATCH', `/Groups/${gid}`, patchOp({ op: 'Remove', path: 'members', value: [{ value: newcomer }] }))).status).toBe(204);
      const after = storage.stats();
      return { statements: after.statements - before.statements, rows: after.rows - before.rows };
    };
    const smallCost = await cost(small);
    const largeCost = await cost(large);
    expect(largeCost).toEqual(smallCost);
    expect(smallCost.rows).toBeLessThan(40);
  });
});
});
