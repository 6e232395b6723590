// kill -9 of a service process in the middle of an Entra-style load on PostgreSQL, then a new process
// on the same database: every write acknowledged with 2xx is there, and every write whose outcome the
// client never learnt is either entirely there or entirely absent (no half-written user, no member row
// without its user, no resource without its change event).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, type TestSchema } from '../postgres/support/database.js';
import { startServiceProcess, type ServiceProcess } from './support/service-process.js';
import { groupMemberIds, patchSchema, scimClient, type ScimResource } from './support/scim-client.js';
import { readFeed } from './support/admin.js';

const tenant = 'crash';
const token = randomBytes(24).toString('hex');
const adminToken = randomBytes(24).toString('hex');
let schema: TestSchema;
const processes: ServiceProcess[] = [];

beforeAll(async () => {
  schema = await createTestSchema();
});

afterAll(async () => {
  await Promise.all(processes.map((p) => p.kill()));
  await schema?.drop();
});

interface Attempt {
  userName: string;
  title: string;
  /** 'acked' = 2xx seen; 'unknown' = the connection died first; 'rejected' = a non-2xx answer. */
  create: 'acked' | 'unknown' | 'rejected' | 'not-sent';
  id?: string;
  titlePatch: 'acked' | 'unknown' | 'rejected' | 'not-sent';
  member: 'acked' | 'unknown' | 'rejected' | 'not-sent';
}

describe('kill -9 in the middle of a load', () => {
  it('keeps every acknowledged write and never leaves a half-written one', async () => {
    const env = { DATABASE_URL: schema.url, SCIM_TENANT: tenant, SCIM_TOKEN: token, SCIM_ADMIN_TOKEN: adminToken };
    const first = await startServiceProcess({ env });
    processes.push(first);
    const client = scimClient(first.url, tenant, token, { timeoutMs: 10_000 });
    const group = await client.createGroup('Crash group');
    expect(group.status).toBe(201);
    const groupId = (group.body as ScimResource).id;

    const attempts: Attempt[] = [];
    let killed = false;
    const outcome = (status: number | 'error'): 'acked' | 'unknown' | 'rejected' =>
      status === 'error' ? 'unknown' : status >= 200 && status < 300 ? 'acked' : 'rejected';
    const send = async (fn: () => Promise<{ status: number }>) => {
      try {
        return (await fn()).status;
      } catch {
        return 'error' as const;
      }
    };

    const worker = async (w: number) => {
      for (let i = 0; !killed; i++) {
        const attempt: Attempt = { userName: `crash${w}-${i}.${randomBytes(2).toString('hex')}@example.com`, title: `T${w}-${i}`, create: 'not-sent', titlePatch: 'not-sent', member: 'not-sent' };
        attempts.push(attempt);
        let response: { status: number; body: unknown } | undefined;
        const status = await send(async () => (response = await client.createUser(attempt.userName)));
        attempt.create = outcome(status);
        if (attempt.create !== 'acked') return;
        attempt.id = (response!.body as ScimResource).id;
        attempt.titlePatch = outcome(await send(() => client.request('PATCH', `/Users/${attempt.id}`, { schemas: [patchSchema], Operations: [{ op: 'Replace', path: 'title', value: attempt.title }] })));
        if (attempt.titlePatch !== 'acked') return;
        attempt.member = outcome(await send(() => client.addMembers(groupId, [attempt.id!])));
        if (attempt.member !== 'acked') return;
      }
    };
    const load = Promise.all(Array.from({ length: 10 }, (_, w) => worker(w)));
    // Kill once a good amount of work has been acknowledged, while requests are in flight.
    while (attempts.filter((a) => a.member === 'acked').length < 120) await new Promise((r) => setTimeout(r, 5));
    killed = true;
    await first.kill();
    await load;

    const second = await startServiceProcess({ env });
    processes.push(second);
    const after = scimClient(second.url, tenant, token);
    const members = new Set(await groupMemberIds(after, groupId));

    let unknownSeen = 0;
    for (const attempt of attempts) {
      const found = await after.findUser(attempt.userName);
      expect(found.status).toBe(200);
      const resources = (found.body as { Resources: ScimResource[] }).Resources;
      if (attempt.create === 'acked') {
        expect(resources.map((r) => r.id)).toEqual([attempt.id]);
      } else if (attempt.create === 'unknown') {
        unknownSeen++;
        expect(resources.length).toBeLessThanOrEqual(1);
      } else {
        expect(resources).toEqual([]);
      }
      const user = resources[0];
      if (!user) continue;
      // All of the create or none of it: the email row written with the user is findable by filter.
      expect(user.userName).toBe(attempt.userName);
      expect(user.emails).toEqual([expect.objectContaining({ type: 'work', value: attempt.userName })]);
      const byEmail = await after.request('GET', `/Users?filter=${encodeURIComponent(`emails.value eq "${attempt.userName}"`)}`);
      expect((byEmail.body as { Resources: ScimResource[] }).Resources.map((r) => r.id)).toEqual([user.id]);
      if (attempt.titlePatch === 'acked') expect(user.title).toBe(attempt.title);
      if (attempt.titlePatch === 'not-sent') expect(user.title).toBeUndefined();
      if (attempt.member === 'acked') expect(members.has(user.id)).toBe(true);
      if (attempt.member === 'not-sent') expect(members.has(user.id)).toBe(false);
    }
    // Every member row belongs to a user whose creation this test attempted and that exists.
    const existing = new Set<string>();
    for (const attempt of attempts) if (attempt.id) existing.add(attempt.id);
    for (const member of members) expect(existing.has(member)).toBe(true);
    expect(attempts.filter((a) => a.member === 'acked').length).toBeGreaterThanOrEqual(120);
    expect(unknownSeen + attempts.filter((a) => a.titlePatch === 'unknown' || a.member === 'unknown').length).toBeGreaterThan(0);

    // Outbox: each existing user has exactly one creation event; no event names a user that is absent.
    const events = await readFeed(second.url, adminToken, tenant);
    const created = events.filter((e) => e.type === 'user.created').map((e) => e.resourceId);
    const usersNow = new Set<string>();
    for (const attempt of attempts) {
      const found = await after.findUser(attempt.userName);
      for (const r of (found.body as { Resources: ScimResource[] }).Resources) usersNow.add(r.id);
    }
    expect(new Set(created).size).toBe(created.length);
    expect([...created].sort()).toEqual([...usersNow].sort());
  }, 90_000); // two process start-ups, a load and ~500 checking requests; CI machines run two files at once
});
