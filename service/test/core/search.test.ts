// Query by POST (RFC 7644 §3.4.3) over real HTTP: POST /Users/.search, /Groups/.search and the root /.search
// answer the same ListResponse as the GET with the same parameters; errors are SCIM error bodies; the same
// auth, tenant isolation, dry-run prefix, rate limit and metrics as the other routes; a search never writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/scim/auth.js';
import { openSqliteStorage } from '../../src/storage/sqlite/engine.js';
import { openStorage, type Storage } from '../../src/storage/index.js';
import { startService, type RunningService } from '../../src/index.js';
import { engineDatabase, engineNames, type EngineDatabase } from './engines.js';
import { expectScimError, newUser, request, type ScimResponse } from './support.js';

const searchSchema = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

interface Query {
  filter?: string;
  startIndex?: number;
  count?: number;
  attributes?: string[];
  excludedAttributes?: string[];
  sortBy?: string;
  sortOrder?: string;
}

/** The GET query string with the same parameters as a SearchRequest (lists comma-separated). */
const queryString = (q: Query) => new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, Array.isArray(v) ? v.join(',') : String(v)])).toString();
const searchBody = (q: Query) => ({ schemas: [searchSchema], ...q });

const ids = (body: { Resources: Array<{ id: string }> }) => body.Resources.map((r) => r.id);

describe.each(engineNames)('on %s', (engine) => {
  let storage: Storage;
  let db: EngineDatabase;
  let service: RunningService;
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const a = (method: string, path: string, body?: unknown) => request(`${service.url}/scim/search-a${path}`, method, body, auth('token-a'));
  const b = (method: string, path: string, body?: unknown) => request(`${service.url}/scim/search-b${path}`, method, body, auth('token-b'));
  const users: string[] = [];
  const groups: string[] = [];

  beforeAll(async () => {
    db = await engineDatabase(engine);
    storage = await openStorage(db.url);
    await storage.createTenant('search-b');
    await storage.createToken('search-b', hashToken('token-b'));
    service = await startService({ port: 0, host: '127.0.0.1', logLevel: 'silent', tenant: 'search-a', token: 'token-a' }, { storage });
    // Five users (family names out of id and userName order, so sorting is visible) and three groups.
    const family = ['Moreau', 'Adams', 'Zhou', 'Baker', 'Nakamura'];
    for (let i = 0; i < 5; i++) {
      const res = await a('POST', '/Users', newUser(`srch-${i}@example.com`, {
        displayName: `srch-user-${i}`,
        title: i % 2 === 0 ? 'Engineer' : 'Manager',
        name: { givenName: `Given${i}`, familyName: family[i] },
      }));
      expect(res.status).toBe(201);
      users.push(res.body.id);
    }
    for (let i = 0; i < 3; i++) {
      const res = await a('POST', '/Groups', { displayName: `srch-group-${i}`, members: users.slice(0, i + 1).map((value) => ({ value })) });
      expect(res.status).toBe(201);
      groups.push(res.body.id);
    }
    // Tenant B has a user with the same userName as one in A, and a group with the same name.
    expect((await b('POST', '/Users', newUser('srch-0@example.com', { displayName: 'srch-user-b' }))).status).toBe(201);
    expect((await b('POST', '/Groups', { displayName: 'srch-group-0' })).status).toBe(201);
  });
  afterAll(async () => {
    await service?.close(); // closes the storage too
    await db?.drop();
  });

  /** GET and POST .search with the same parameters: both 200, the same body; returns the body. */
  async function expectParity(path: string, q: Query) {
    const get = await a('GET', `${path}?${queryString(q)}`);
    const post = await a('POST', `${path}/.search`, searchBody(q));
    expect(get.status).toBe(200);
    expect(post.status).toBe(200);
    expect(post.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(post.body).toEqual(get.body);
    return post.body;
  }

  describe('POST /Users/.search and /Groups/.search answer what GET answers', () => {
    it('filter', async () => {
      expect((await expectParity('/Users', { filter: 'userName eq "srch-3@example.com"' })).Resources.map((r: { id: string }) => r.id)).toEqual([users[3]]);
      expect((await expectParity('/Users', { filter: 'title eq "Engineer" and userName sw "srch-"' })).totalResults).toBe(3);
      expect((await expectParity('/Users', { filter: 'emails[type eq "work" and value co "srch-1"]' })).totalResults).toBe(1);
      expect((await expectParity('/Groups', { filter: `members.value eq "${users[1]}"` })).totalResults).toBe(2);
      expect((await expectParity('/Users', { filter: 'userName eq "nobody@example.com"' })).Resources).toEqual([]);
    });

    it('paging: startIndex and count, count 0, past the end', async () => {
      const page = await expectParity('/Users', { filter: 'userName sw "srch-"', startIndex: 2, count: 2 });
      expect(page).toMatchObject({ totalResults: 5, startIndex: 2, itemsPerPage: 2 });
      expect(await expectParity('/Users', { count: 0 })).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
      expect(await expectParity('/Groups', { startIndex: 10, count: 5 })).toMatchObject({ totalResults: 3, startIndex: 10, Resources: [] });
      // startIndex < 1 is 1, count < 0 is 0 (RFC 7644 §3.4.2.4), as for GET.
      expect(await expectParity('/Users', { startIndex: -4, count: -1 })).toMatchObject({ startIndex: 1, itemsPerPage: 0 });
      // A numeric string is accepted like the URL's string.
      const asString = await a('POST', '/Users/.search', { schemas: [searchSchema], startIndex: '2', count: '2', filter: 'userName sw "srch-"' });
      expect(asString.body).toEqual(page);
    });

    it('attributes and excludedAttributes', async () => {
      const projected = await expectParity('/Users', { filter: 'userName sw "srch-"', attributes: ['userName', 'name.givenName'] });
      expect(projected.Resources).toHaveLength(5);
      for (const r of projected.Resources) expect(Object.keys(r).sort()).toEqual(['id', 'name', 'schemas', 'userName']);
      expect(projected.Resources[0].name).toEqual({ givenName: expect.stringMatching(/^Given\d$/) });

      const withMembers = await a('GET', `/Groups/${groups[2]}`);
      expect(withMembers.body.members).toHaveLength(3);
      const lean = await expectParity('/Groups', { excludedAttributes: ['members'] });
      expect(lean.totalResults).toBe(3);
      for (const g of lean.Resources) {
        expect(g.members).toBeUndefined();
        expect(g.displayName).toMatch(/^srch-group-\d$/);
      }
      // The lower-case alias answers too.
      const alias = await a('POST', '/groups/.search', searchBody({ excludedAttributes: ['members'] }));
      expect(alias.body).toEqual(lean);
    });

    it('sortBy and sortOrder', async () => {
      const asc = await expectParity('/Users', { sortBy: 'name.familyName' });
      expect(asc.Resources.map((r: { name: { familyName: string } }) => r.name.familyName)).toEqual(['Adams', 'Baker', 'Moreau', 'Nakamura', 'Zhou']);
      const desc = await expectParity('/Users', { sortBy: 'name.familyName', sortOrder: 'descending', count: 2 });
      expect(desc.Resources.map((r: { name: { familyName: string } }) => r.name.familyName)).toEqual(['Zhou', 'Nakamura']);
      await expectParity('/Groups', { sortBy: 'displayName', sortOrder: 'descending', filter: 'displayName sw "srch-"' });
    });

    it('under the dry-run prefix, with the same result', async () => {
      const q: Query = { filter: 'title eq "Manager"', sortBy: 'userName' };
      const real = await a('POST', '/Users/.search', searchBody(q));
      const dry = await a('POST', '/dry-run/Users/.search', searchBody(q));
      expect(dry.status).toBe(200);
      expect(dry.body).toEqual(real.body);
      expect(real.body.totalResults).toBe(2);
      const dryRoot = await a('POST', '/dry-run/.search', searchBody({}));
      expect(dryRoot.status).toBe(200);
      expect(dryRoot.body).toEqual((await a('POST', '/.search', searchBody({}))).body);
    });
  });

  describe('POST /.search at the root: Users then Groups in one ListResponse', () => {
    /** The documented order: every matching user as GET /Users lists them, then every group as GET /Groups does. */
    async function concatenation(q: Query) {
      const u = await a('GET', `/Users?${queryString({ ...q, count: 1000 })}`);
      const g = await a('GET', `/Groups?${queryString({ ...q, count: 1000 })}`);
      return { total: u.body.totalResults + g.body.totalResults, userCount: u.body.totalResults as number, resources: [...u.body.Resources, ...g.body.Resources] };
    }

    it('searches both types with one filter; the total is the sum', async () => {
      const q: Query = { filter: 'displayName sw "srch-"' };
      const all = await concatenation(q);
      expect(all.total).toBe(8);
      const res = await a('POST', '/.search', searchBody(q));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 8, startIndex: 1, itemsPerPage: 8 });
      expect(res.body.Resources).toEqual(all.resources);
      expect(res.body.Resources.map((r: { meta: { resourceType: string } }) => r.meta.resourceType)).toEqual([...Array(5).fill('User'), ...Array(3).fill('Group')]);
      // An attribute one type does not have matches nothing there.
      const onlyUsers = await a('POST', '/.search', searchBody({ filter: 'userName sw "srch-"' }));
      expect(ids(onlyUsers.body).sort()).toEqual([...users].sort());
      const onlyGroups = await a('POST', '/.search', searchBody({ filter: `members.value eq "${users[0]}"` }));
      expect(ids(onlyGroups.body).sort()).toEqual([...groups].sort());
    });

    it('pages over the concatenation: every page size gives the whole list once, in order', async () => {
      const q: Query = { filter: 'displayName sw "srch-"', sortBy: 'displayName', sortOrder: 'descending' };
      const all = await concatenation(q);
      expect(all.userCount).toBe(5);
      for (const count of [1, 2, 3, 5, 7]) {
        const seen: unknown[] = [];
        for (let startIndex = 1; startIndex <= all.total; startIndex += count) {
          const page = await a('POST', '/.search', searchBody({ ...q, startIndex, count }));
          expect(page.status).toBe(200);
          expect(page.body).toMatchObject({ totalResults: all.total, startIndex, itemsPerPage: Math.min(count, all.total - startIndex + 1) });
          seen.push(...page.body.Resources);
        }
        expect(seen).toEqual(all.resources);
      }
      // The page across the boundary: the last user, then the first group.
      const straddle = await a('POST', '/.search', searchBody({ ...q, startIndex: 5, count: 2 }));
      expect(ids(straddle.body)).toEqual([all.resources[4].id, all.resources[5].id]);
      expect(straddle.body.Resources[1].meta.resourceType).toBe('Group');
      // Only groups left; past the end; count 0.
      expect(ids((await a('POST', '/.search', searchBody({ ...q, startIndex: 7, count: 10 }))).body)).toEqual(all.resources.slice(6).map((r) => r.id));
      expect((await a('POST', '/.search', searchBody({ ...q, startIndex: 9 }))).body).toMatchObject({ totalResults: 8, startIndex: 9, itemsPerPage: 0, Resources: [] });
      expect((await a('POST', '/.search', searchBody({ ...q, count: 0 }))).body).toMatchObject({ totalResults: 8, itemsPerPage: 0, Resources: [] });
    });

    it('projects attributes on both types', async () => {
      const res = await a('POST', '/.search', searchBody({ filter: 'displayName sw "srch-"', attributes: ['displayName'] }));
      expect(res.body.totalResults).toBe(8);
      for (const r of res.body.Resources) {
        expect(Object.keys(r).sort()).toEqual(['displayName', 'id', 'schemas']);
        expect(r.displayName).toMatch(/^srch-(user|group)-\d$/);
      }
      const lean = await a('POST', '/.search', searchBody({ excludedAttributes: ['members', 'emails'] }));
      expect(lean.body.totalResults).toBe(8);
      for (const r of lean.body.Resources) {
        expect(r.members).toBeUndefined();
        expect(r.emails).toBeUndefined();
      }
    });
  });

  describe('errors are SCIM error bodies', () => {
    const paths = ['/Users/.search', '/Groups/.search', '/.search'];

    it('400 invalidSyntax for a missing or wrong schemas, malformed JSON, and a body that is not an object', async () => {
      for (const path of paths) {
        expectScimError(await a('POST', path, { filter: 'userName eq "x"' }), 400, 'invalidSyntax', /schemas.*SearchRequest/);
        expectScimError(await a('POST', path, { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'] }), 400, 'invalidSyntax', /SearchRequest/);
        expectScimError(await a('POST', path, { schemas: searchSchema }), 400, 'invalidSyntax', /SearchRequest/);
        expectScimError(await a('POST', path, '{"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "count": }'), 400, 'invalidSyntax', /JSON/);
        expectScimError(await a('POST', path, '[1, 2]'), 400, 'invalidSyntax', /SearchRequest/);
        expectScimError(await a('POST', path), 400, 'invalidSyntax', /SearchRequest/);
      }
    });

    it('400 invalidFilter for a bad filter', async () => {
      for (const path of paths) {
        expectScimError(await a('POST', path, searchBody({ filter: 'userName eq' })), 400, 'invalidFilter');
        expectScimError(await a('POST', path, searchBody({ filter: 'displayName eq "x" and (' })), 400, 'invalidFilter');
        expectScimError(await a('POST', path, searchBody({ filter: 'meta.created gt "yesterday"' })), 400, 'invalidFilter');
      }
    });

    it('400 invalidValue for wrong types, with a detail that says what to fix', async () => {
      for (const path of paths) {
        expectScimError(await a('POST', path, { schemas: [searchSchema], count: 'ten' }), 400, 'invalidValue', /count.*integer/);
        expectScimError(await a('POST', path, { schemas: [searchSchema], count: true }), 400, 'invalidValue', /count.*integer/);
        expectScimError(await a('POST', path, { schemas: [searchSchema], startIndex: 1.5 }), 400, 'invalidValue', /startIndex.*integer/);
        expectScimError(await a('POST', path, { schemas: [searchSchema], startIndex: [1] }), 400, 'invalidValue', /startIndex.*integer/);
        expectScimError(await a('POST', path, { schemas: [searchSchema], attributes: 'userName' }), 400, 'invalidValue', /attributes.*array/);
        expectScimError(await a('POST', path, { schemas: [searchSchema], attributes: ['userName', 7] }), 400, 'invalidValue', /attributes.*array/);
        expectScimError(await a('POST', path, { schemas: [searchSchema], excludedAttributes: { members: true } }), 400, 'invalidValue', /excludedAttributes.*array/);
        expectScimError(await a('POST', path, { schemas: [searchSchema], filter: 42 }), 400, 'invalidValue', /filter.*string/);
        expectScimError(await a('POST', path, { schemas: [searchSchema], sortBy: ['userName'] }), 400, 'invalidValue', /sortBy.*string/);
        expectScimError(await a('POST', path, { schemas: [searchSchema], sortOrder: 'upwards' }), 400, 'invalidValue', /sortOrder/);
      }
    });

    it('400 invalidSyntax for an unknown member (a misspelt "filter" must not widen the search to everything)', async () => {
      for (const path of paths) {
        expectScimError(await a('POST', path, { schemas: [searchSchema], fitler: 'userName eq "x"' }), 400, 'invalidSyntax', /unknown SearchRequest member "fitler".*filter/);
        expectScimError(await a('POST', path, { schemas: [searchSchema], filter: 'userName eq "x"', page: 2, size: 5 }), 400, 'invalidSyntax', /members "page", "size"/);
      }
      // Member names match in any case, as attribute names do.
      expect((await a('POST', '/Users/.search', { Schemas: [searchSchema], FILTER: 'userName eq "nobody"' })).status).toBe(200);
    });

    it('405 with Allow: POST for any other method on .search', async () => {
      for (const path of paths) {
        for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
          const res = await a(method, path, method === 'GET' || method === 'DELETE' ? undefined : searchBody({}));
          expectScimError(res, 405, undefined, /POST/);
          expect(res.headers.get('allow')).toBe('POST');
        }
      }
    });

    it('401 without a valid token or for a tenant the token does not belong to', async () => {
      for (const path of paths) {
        expectScimError(await request(`${service.url}/scim/search-a${path}`, 'POST', searchBody({})), 401);
        expectScimError(await request(`${service.url}/scim/search-a${path}`, 'POST', searchBody({}), auth('wrong-token')), 401);
        expectScimError(await request(`${service.url}/scim/no-such-tenant${path}`, 'POST', searchBody({}), auth('token-a')), 401);
      }
    });
  });

  describe('tenant isolation', () => {
    it("a search sees only its own tenant's resources; another tenant's token is refused", async () => {
      const byName = searchBody({ filter: 'userName eq "srch-0@example.com"' });
      const inA = await a('POST', '/Users/.search', byName);
      const inB = await b('POST', '/Users/.search', byName);
      expect(ids(inA.body)).toEqual([users[0]]);
      expect(inB.body.totalResults).toBe(1);
      expect(ids(inB.body)).not.toContain(users[0]);
      expect(inB.body.Resources[0].meta.location).toContain('/scim/search-b/Users/');

      const rootB = await b('POST', '/.search', searchBody({}));
      expect(rootB.body.totalResults).toBe(2);
      for (const r of rootB.body.Resources) expect([...users, ...groups]).not.toContain(r.id);
      const rootA = await a('POST', '/.search', searchBody({ filter: 'displayName eq "srch-group-0"' }));
      expect(ids(rootA.body)).toEqual([groups[0]]);

      for (const path of ['/Users/.search', '/Groups/.search', '/.search']) {
        expectScimError(await request(`${service.url}/scim/search-b${path}`, 'POST', searchBody({}), auth('token-a')), 401);
      }
    });
  });

  describe('a search never writes', () => {
    it('the audit log, the resources and their versions are unchanged after searches (real, dry-run, failed)', async () => {
      const snapshot = async () => ({
        audit: await storage.listAudit('search-a', { limit: 1000 }),
        users: (await a('GET', '/Users?count=1000')).body,
        groups: (await a('GET', '/Groups?count=1000')).body,
      });
      const before = await snapshot();
      expect(before.audit.length).toBeGreaterThanOrEqual(8); // the set-up's writes are in it
      for (const path of ['/Users/.search', '/Groups/.search', '/.search', '/dry-run/Users/.search', '/dry-run/.search']) {
        expect((await a('POST', path, searchBody({ filter: 'displayName sw "srch-"' }))).status).toBe(200);
        expect((await a('POST', path, searchBody({ filter: 'displayName eq' }))).status).toBe(400);
        expect((await a('POST', path, { filter: 'x' })).status).toBe(400);
      }
      expect(await snapshot()).toEqual(before);
      // The audit log is live: a write right after is recorded.
      const created = await a('POST', '/Users', newUser('srch-audit@example.com'));
      const [latest] = await storage.listAudit('search-a', { limit: 1 });
      expect(latest).toMatchObject({ method: 'POST', resourceType: 'User', resourceId: created.body.id, status: 201 });
      expect((await a('DELETE', `/Users/${created.body.id}`)).status).toBe(204);
    });
  });

  describe('metrics', () => {
    it('count .search requests by route pattern and status', async () => {
      await a('POST', '/Groups/.search', searchBody({}));
      await a('POST', '/Groups/.search', searchBody({ filter: 'displayName eq' }));
      await a('POST', '/.search', searchBody({}));
      const text = await (await fetch(`${service.url}/metrics`)).text();
      expect(text).toMatch(/scim_http_requests_total\{method="POST",route="\/scim\/:tenant\/Groups\/\.search",status="200"\} [1-9]/);
      expect(text).toMatch(/scim_http_requests_total\{method="POST",route="\/scim\/:tenant\/Groups\/\.search",status="400"\} [1-9]/);
      expect(text).toMatch(/scim_http_requests_total\{method="POST",route="\/scim\/:tenant\/\.search",status="200"\} [1-9]/);
      expect(text).not.toContain('search-a');
    });
  });
});

describe('rate limit', () => {
  it('.search counts against the per-tenant limit like any request (429 with Retry-After)', async () => {
    const storage = openSqliteStorage(':memory:');
    const service = await startService({ port: 0, host: '127.0.0.1', logLevel: 'silent', rateLimitPerMinute: 3, tenant: 'limited', token: 'limited-token' }, { storage });
    try {
      const search = (path: string) => request(`${service.url}/scim/limited${path}`, 'POST', searchBody({}), { authorization: 'Bearer limited-token' });
      expect((await search('/Users/.search')).status).toBe(200);
      expect((await search('/Groups/.search')).status).toBe(200);
      expect((await search('/.search')).status).toBe(200);
      const limited = await search('/.search');
      expectScimError(limited, 429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await service.close();
    }
  });
});
