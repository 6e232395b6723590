// Every error status of issue 2 §5 as a SCIM error body (schemas, status as a string, scimType, a detail
// that says what to fix), over real HTTP; never a 500 or a stack trace for a client mistake.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../../src/storage/sqlite/engine.js';
import { startService, type RunningService } from '../../src/index.js';
import { engineDatabase, engineNames, type EngineDatabase } from './engines.js';
import { expectScimError, newUser, patchOp, request, startHarness, type Harness } from './support.js';

describe.each(engineNames)('on %s', (engine) => {
let h: Harness;
let db: EngineDatabase;
beforeAll(async () => {
  db = await engineDatabase(engine);
  h = await startHarness({ bodyLimitBytes: 4096, databaseUrl: db.url }, 'errors', 'errors-token');
});
afterAll(async () => {
  await h?.service.close();
  await db?.drop();
});


describe('400', () => {
  it('invalidSyntax for malformed JSON (Postman "acve": tre body) and a non-object body', async () => {
    expectScimError(await h.call('POST', '/Users', '{"acve": tre, "userName": "x"}'), 400, 'invalidSyntax');
    expectScimError(await h.call('POST', '/Users', '[1,2]'), 400, 'invalidSyntax');
    expectScimError(await h.call('PATCH', `/Users/${randomUUID()}`, { Operations: 'nope' }), 400, 'invalidSyntax');
    // The same body is fine with application/json (no 415 for either JSON content type).
    expect((await h.call('POST', '/Users', `{"userName": "json-${randomUUID()}@example.com"}`, { 'content-type': 'application/json' })).status).toBe(201);
  });
  it('invalidFilter for a bad filter', async () => {
    expectScimError(await h.call('GET', `/Users?filter=${encodeURIComponent('userName eq')}`), 400, 'invalidFilter');
  });
  it('invalidPath for an unparsable or unknown PATCH path', async () => {
    const id = (await h.call('POST', '/Users', newUser(`p-${randomUUID()}@example.com`))).body.id;
    expectScimError(await h.call('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'emails[type eq "work"', value: 'x' })), 400, 'invalidPath');
    expectScimError(await h.call('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'shoeSize', value: '44' })), 400, 'invalidPath');
  });
  it('invalidValue for a wrong type or a missing required attribute', async () => {
    expectScimError(await h.call('POST', '/Users', { userName: 'v@example.com', active: 'maybe' }), 400, 'invalidValue');
    expectScimError(await h.call('POST', '/Users', { displayName: 'no userName' }), 400, 'invalidValue');
    expectScimError(await h.call('POST', '/Groups', { members: [] }), 400, 'invalidValue');
    const gid = (await h.call('POST', '/Groups', { displayName: `g-${randomUUID()}` })).body.id;
    expectScimError(await h.call('PATCH', `/Groups/${gid}`, patchOp({ op: 'Add', path: 'members', value: [{ value: randomUUID() }] })), 400, 'invalidValue');
  });
  it('noTarget for remove without a path', async () => {
    const id = (await h.call('POST', '/Users', newUser(`n-${randomUUID()}@example.com`))).body.id;
    expectScimError(await h.call('PATCH', `/Users/${id}`, patchOp({ op: 'remove' })), 400, 'noTarget');
  });
  it('mutability for read-only attributes', async () => {
    const id = (await h.call('POST', '/Users', newUser(`m-${randomUUID()}@example.com`))).body.id;
    expectScimError(await h.call('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'id', value: 'x' })), 400, 'mutability');
    expectScimError(await h.call('PATCH', `/Users/${id}`, patchOp({ op: 'add', path: 'groups', value: [{ value: 'x' }] })), 400, 'mutability');
  });
  it('an invalid op name', async () => {
    const id = (await h.call('POST', '/Users', newUser(`o-${randomUUID()}@example.com`))).body.id;
    expectScimError(await h.call('PATCH', `/Users/${id}`, patchOp({ op: 'merge', path: 'title', value: 'x' })), 400, 'invalidSyntax');
  });
  it('a PATCH with one bad operation applies none of them (all or nothing)', async () => {
    const id = (await h.call('POST', '/Users', newUser(`atomic-${randomUUID()}@example.com`))).body.id;
    const res = await h.call('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'title', value: 'Boss' }, { op: 'replace', path: 'active', value: 'perhaps' }));
    expectScimError(res, 400, 'invalidValue');
    const read = await h.call('GET', `/Users/${id}`);
    expect(read.body.title).toBeUndefined();
    expect(read.body.meta.version).toBe('W/"1"');
  });
});

describe('401', () => {
  it('missing, wrong and other-scheme tokens get 401 with WWW-Authenticate and a SCIM body', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Basic ZXJyb3JzOmVycm9ycy10b2tlbg==' }] as Array<Record<string, string>>) {
      const res = await request(`${h.base}/Users`, 'GET', undefined, headers);
      expectScimError(res, 401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });
  it('an unknown tenant answers 401 exactly like a wrong token', async () => {
    const res = await request(`${h.service.url}/scim/no-such-tenant/Users`, 'GET', undefined, { authorization: `Bearer ${h.token}` });
    expectScimError(res, 401);
  });
});

describe('404, 409, 412, 413', () => {
  it('404 for an unknown id (Okta check: id 00919288221112222) and for DELETE/PATCH of a deleted user', async () => {
    expectScimError(await h.call('GET', '/Users/00919288221112222'), 404);
    const id = (await h.call('POST', '/Users', newUser(`d-${randomUUID()}@example.com`))).body.id;
    expect((await h.call('DELETE', `/Users/${id}`)).status).toBe(204);
    expectScimError(await h.call('DELETE', `/Users/${id}`), 404);
    expectScimError(await h.call('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'title', value: 'x' })), 404);
    expectScimError(await h.call('GET', `/Groups/${randomUUID()}`), 404);
  });
  it('409 uniqueness for userName case-insensitively and group displayName', async () => {
    const userName = `Dup.${randomUUID()}@Example.com`;
    expect((await h.call('POST', '/Users', newUser(userName))).status).toBe(201);
    expectScimError(await h.call('POST', '/Users', newUser(userName.toLowerCase())), 409, 'uniqueness');
    const other = (await h.call('POST', '/Users', newUser(`other-${randomUUID()}@example.com`))).body.id;
    expectScimError(await h.call('PATCH', `/Users/${other}`, patchOp({ op: 'replace', path: 'userName', value: userName.toUpperCase() })), 409, 'uniqueness');
    const name = `Team ${randomUUID()}`;
    expect((await h.call('POST', '/Groups', { displayName: name })).status).toBe(201);
    expectScimError(await h.call('POST', '/Groups', { displayName: name.toUpperCase() }), 409, 'uniqueness');
  });
  it('412 when If-Match does not match; the matching ETag and * succeed', async () => {
    const created = await h.call('POST', '/Users', newUser(`e-${randomUUID()}@example.com`));
    const id = created.body.id;
    const etag = created.headers.get('etag')!;
    expect((await h.call('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'title', value: 'A' }), { 'if-match': etag })).status).toBe(200);
    expectScimError(await h.call('PATCH', `/Users/${id}`, patchOp({ op: 'replace', path: 'title', value: 'B' }), { 'if-match': etag }), 412);
    expectScimError(await h.call('DELETE', `/Users/${id}`, undefined, { 'if-match': 'W/"99"' }), 412);
    expect((await h.call('PUT', `/Users/${id}`, newUser(`e2-${randomUUID()}@example.com`), { 'if-match': '*' })).status).toBe(200);
  });
  it('413 for a body over the limit', async () => {
    const res = await h.call('POST', '/Users', newUser(`big-${randomUUID()}@example.com`, { title: 'x'.repeat(10_000) }));
    expectScimError(res, 413);
  });
});

});

describe('429 and 503', () => {
  it('429 with Retry-After over the per-tenant rate limit, other tenants unaffected', async () => {
    const storage = openSqliteStorage(':memory:');
    await storage.createTenant('other');
    const { hashToken } = await import('../../src/scim/auth.js');
    await storage.createToken('other', hashToken('other-token'));
    const service = await startService({ port: 0, host: '127.0.0.1', logLevel: 'silent', rateLimitPerMinute: 3, tenant: 'limited', token: 'limited-token' }, { storage });
    try {
      const get = (tenant: string, token: string) => request(`${service.url}/scim/${tenant}/Users`, 'GET', undefined, { authorization: `Bearer ${token}` });
      for (let i = 0; i < 3; i++) expect((await get('limited', 'limited-token')).status).toBe(200);
      const limited = await get('limited', 'limited-token');
      expectScimError(limited, 429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await get('other', 'other-token')).status).toBe(200);
    } finally {
      await service.close();
    }
  });
  it('503 with Retry-After when storage is unavailable; /readyz reports it', async () => {
    const storage = openSqliteStorage(':memory:');
    const service = await startService({ port: 0, host: '127.0.0.1', logLevel: 'silent', tenant: 'down', token: 'down-token' }, { storage, keepStorageOpen: true });
    try {
      await storage.close();
      const res = await request(`${service.url}/scim/down/Users`, 'GET', undefined, { authorization: 'Bearer down-token' });
      expectScimError(res, 503);
      expect(res.headers.get('retry-after')).toBeTruthy();
      expect((await request(`${service.url}/readyz`, 'GET')).status).toBe(503);
    } finally {
      await service.close();
    }
  });
});
