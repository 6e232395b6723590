// Two service processes (replicas) on one PostgreSQL database under concurrent Entra-style load:
// the database's constraints and transactions, not process-local locks, must give one winner for a
// duplicate userName, no lost member under concurrent PATCHes of one group, and ETags that hold
// across replicas. Reference: entra-scim-client.md §1.1 (create after match, member PATCH batches)
// and §1.2 ("409 uniqueness conflicts are logged and retried next cycle").
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceProcess, type ServiceProcess } from '../resilience/support/service-process.js';
import { groupMemberIds, patchSchema, runConcurrently, scimClient, type ScimClient, type ScimResource } from '../resilience/support/scim-client.js';
import { createTestSchema, type TestSchema } from './support/database.js';

const tenant = 'replicas';
const token = randomBytes(24).toString('hex');
let schema: TestSchema;
let replicas: ServiceProcess[] = [];
let a: ScimClient;
let b: ScimClient;

beforeAll(async () => {
  schema = await createTestSchema();
  const env = { DATABASE_URL: schema.url, SCIM_TENANT: tenant, SCIM_TOKEN: token, PG_POOL_MAX: '8' };
  // Start one first so the second finds the schema migrated, then a second concurrently-started pair
  // would also be safe (advisory lock), which the start-up test below checks.
  replicas = await Promise.all([startServiceProcess({ env }), startServiceProcess({ env })]);
  a = scimClient(replicas[0]!.url, tenant, token);
  b = scimClient(replicas[1]!.url, tenant, token);
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await schema?.drop();
});

const clients = () => [a, b];

describe('two replicas on one PostgreSQL database', () => {
  it('both replicas migrated the same schema concurrently and serve the same data', async () => {
    const created = await a.createUser('shared.view@example.com');
    expect(created.status).toBe(201);
    const id = (created.body as ScimResource).id;
    const viaB = await b.request('GET', `/Users/${id}`);
    expect(viaB.status).toBe(200);
    expect((viaB.body as ScimResource).userName).toBe('shared.view@example.com');
  });

  it('duplicate userName created concurrently on both replicas: exactly one 201, every other attempt 409 uniqueness', async () => {
    for (let round = 0; round < 5; round++) {
      const base = `dup${round}.${randomBytes(3).toString('hex')}@example.com`;
      // Case variants: userName is caseExact false (entra-scim-client.md §1.2).
      const variants = [base, base.toUpperCase(), base, `${base[0]!.toUpperCase()}${base.slice(1)}`, base, base.toUpperCase()];
      const results = await Promise.all(variants.map((name, i) => clients()[i % 2]!.createUser(name)));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
      for (const conflict of results.filter((r) => r.status === 409)) {
        expect(conflict.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
      }
      const found = await b.findUser(base.toLowerCase());
      expect((found.body as { totalResults: number }).totalResults).toBe(1);
    }
  });

  it('no member is lost when many PATCHes hit one group at once from both replicas', async () => {
    const group = await a.createGroup(`Concurrent ${randomBytes(3).toString('hex')}`);
    expect(group.status).toBe(201);
    const groupId = (group.body as ScimResource).id;
    const users = await runConcurrently(
      Array.from({ length: 120 }, (_, i) => () => clients()[i % 2]!.createUser(`member${i}.${randomBytes(2).toString('hex')}@example.com`)),
      16,
    );
    const ids = users.map((u) => {
      expect(u.status).toBe(201);
      return (u.body as ScimResource).id;
    });
    // 40 PATCHes of 3 members each, 16 in flight, alternating replicas (Entra batches member adds).
    const batches = Array.from({ length: 40 }, (_, i) => ids.slice(i * 3, i * 3 + 3));
    const adds = await runConcurrently(batches.map((batch, i) => () => clients()[i % 2]!.addMembers(groupId, batch)), 16);
    expect(adds.map((r) => r.status)).toEqual(adds.map(() => 204));
    expect((await groupMemberIds(b, groupId)).sort()).toEqual([...ids].sort());

    // Concurrent removes of half, interleaved with re-adds of already present members (no-ops).
    const removed = ids.filter((_, i) => i % 2 === 0);
    const kept = ids.filter((_, i) => i % 2 === 1);
    const mixed = [
      ...removed.map((id, i) => () => clients()[i % 2]!.removeMembers(groupId, [id])),
      ...kept.slice(0, 30).map((id, i) => () => clients()[(i + 1) % 2]!.addMembers(groupId, [id])),
    ];
    const mixedResults = await runConcurrently(mixed, 16);
    expect(mixedResults.map((r) => r.status)).toEqual(mixedResults.map(() => 204));
    expect((await groupMemberIds(a, groupId)).sort()).toEqual([...kept].sort());
  });

  it('member PATCHes racing with renames of that group lose neither a member, a name nor a version', async () => {
    const group = await a.createGroup(`Racing ${randomBytes(3).toString('hex')}`);
    const groupId = (group.body as ScimResource).id;
    const users = await runConcurrently(Array.from({ length: 30 }, (_, i) => () => clients()[i % 2]!.createUser(`racer${i}.${randomBytes(2).toString('hex')}@example.com`)), 8);
    const ids = users.map((u) => (u.body as ScimResource).id);
    const rename = (name: string) => ({ schemas: [patchSchema], Operations: [{ op: 'Replace', path: 'displayName', value: name }] });
    const names = Array.from({ length: 10 }, (_, i) => `Racing renamed ${i} ${randomBytes(2).toString('hex')}`);
    const work = [
      ...ids.map((id, i) => () => clients()[i % 2]!.addMembers(groupId, [id])),
      ...names.map((name, i) => () => clients()[(i + 1) % 2]!.request('PATCH', `/Groups/${groupId}`, rename(name))),
    ].sort(() => Math.random() - 0.5);
    const results = await runConcurrently(work, 12);
    expect(results.map((r) => r.status)).toEqual(results.map(() => 204));
    expect((await groupMemberIds(b, groupId)).sort()).toEqual([...ids].sort());
    const final = await a.request('GET', `/Groups/${groupId}?excludedAttributes=members`);
    const body = final.body as ScimResource & { displayName: string };
    // Every change bumped the version exactly once (created as 1), and the name is one of the renames.
    expect(body.meta?.version).toBe(`W/"${1 + ids.length + names.length}"`);
    expect(names).toContain(body.displayName);
  });

  it('ETags hold across replicas: a stale If-Match on the other replica gets 412, a fresh one succeeds', async () => {
    const created = await a.createUser(`etag.${randomBytes(3).toString('hex')}@example.com`);
    const user = created.body as ScimResource;
    const etag = created.headers.get('etag') ?? user.meta?.version;
    expect(etag).toBeTruthy();
    const replace = (title: string) => ({ schemas: [patchSchema], Operations: [{ op: 'Replace', path: 'title', value: title }] });

    const first = await b.request('PATCH', `/Users/${user.id}`, replace('first'), { 'if-match': etag! });
    expect(first.status).toBe(200);
    const stale = await a.request('PATCH', `/Users/${user.id}`, replace('stale'), { 'if-match': etag! });
    expect(stale.status).toBe(412);
    const fresh = await a.request('GET', `/Users/${user.id}`);
    const freshTag = fresh.headers.get('etag') ?? (fresh.body as ScimResource).meta?.version;
    expect(freshTag).not.toBe(etag);
    expect((fresh.body as ScimResource).title).toBe('first');

    // Concurrent conditional updates with the same fresh ETag: exactly one wins.
    const racing = await Promise.all([
      a.request('PATCH', `/Users/${user.id}`, replace('from a'), { 'if-match': freshTag! }),
      b.request('PATCH', `/Users/${user.id}`, replace('from b'), { 'if-match': freshTag! }),
    ]);
    expect(racing.map((r) => r.status).sort()).toEqual([200, 412]);
  });

  it('Entra-style mixed load on both replicas answers no 5xx and leaves consistent data', async () => {
    const prefix = randomBytes(3).toString('hex');
    const group = await b.createGroup(`Mixed ${prefix}`);
    const groupId = (group.body as ScimResource).id;
    const tasks: (() => Promise<number>)[] = [];
    for (let i = 0; i < 60; i++) {
      const c = clients()[i % 2]!;
      const userName = `mixed${i}.${prefix}@example.com`;
      tasks.push(async () => {
        // Match → create → update → add to group, as one Entra cycle does per user.
        const match = await c.findUser(userName);
        if (match.status !== 200) return match.status;
        const created = await c.createUser(userName);
        if (created.status !== 201) return created.status;
        const id = (created.body as ScimResource).id;
        const patch = await c.request('PATCH', `/Users/${id}`, {
          schemas: [patchSchema],
          Operations: [{ op: 'Replace', path: 'active', value: 'False' }, { op: 'Add', path: 'name.givenName', value: `Given${i}` }],
        });
        if (patch.status !== 200 && patch.status !== 204) return patch.status;
        return (await clients()[(i + 1) % 2]!.addMembers(groupId, [id])).status;
      });
    }
    const statuses = await runConcurrently(tasks, 12);
    expect(statuses.filter((s) => s !== 204)).toEqual([]);
    expect(await groupMemberIds(a, groupId)).toHaveLength(60);
  });
});
