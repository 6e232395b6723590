// PostgreSQL-engine behaviour beyond the shared contract: two engine instances (as two replicas) on one
// schema, the outbox events every committed change writes, and StorageUnavailableError when the server
// cannot be reached.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageUnavailableError, UniquenessError, VersionMismatchError, type Filter } from '../../src/storage/contract.js';
import { openPostgresStorage, type PostgresStorage } from '../../src/storage/postgres/engine.js';
import { createTestSchema, sharedServerUrl, type TestSchema } from './support/database.js';

let schema: TestSchema;
let one: PostgresStorage;
let two: PostgresStorage;
let raw: pg.Client;
const tenant = 'engine';

beforeAll(async () => {
  schema = await createTestSchema(undefined, 'scim_engine');
  // Opened concurrently: migrations are serialised by an advisory lock.
  [one, two] = await Promise.all([openPostgresStorage(schema.url), openPostgresStorage(schema.url)]);
  await one.createTenant(tenant);
  raw = new pg.Client({ connectionString: sharedServerUrl });
  await raw.connect();
});
afterAll(async () => {
  await raw?.end();
  await one?.close();
  await two?.close();
  await schema?.drop();
});

async function eventsOf(resourceId: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  const { rows } = await raw.query(`SELECT type, data FROM "${schema.name}".events WHERE tenant_id = $1 AND resource_id = $2 ORDER BY position`, [tenant, resourceId]);
  return rows as Array<{ type: string; data: Record<string, unknown> }>;
}

describe('postgres engine across two instances', () => {
  it('one winner when both instances insert the same userName at once', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? one : two).transaction(tenant, (tx) => tx.insertResource('User', randomUUID(), { userName: i % 3 ? 'Same@Example.com' : 'same@example.com' }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(UniquenessError);
  });

  it('read-modify-write transactions on the same resource never lose an update', async () => {
    const id = randomUUID();
    await one.transaction(tenant, (tx) => tx.insertResource('User', id, { userName: `counter-${id}`, counter: 0 }));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? one : two).transaction(tenant, async (tx) => {
          const current = await tx.getResource('User', id);
          await new Promise((r) => setTimeout(r, 2));
          return tx.updateResource('User', id, { ...current!.data, counter: Number(current!.data.counter) + 1 });
        }),
      ),
    );
    const final = await two.tenantStore(tenant).getResource('User', id);
    expect(final?.data.counter).toBe(20);
    expect(final?.version).toBe(21);
  });

  it('an expected version checked on one instance fails after the other instance changed it', async () => {
    const id = randomUUID();
    await one.transaction(tenant, (tx) => tx.insertResource('User', id, { userName: `v-${id}` }));
    await two.transaction(tenant, (tx) => tx.updateResource('User', id, { userName: `v-${id}`, title: 'x' }, 1));
    await expect(one.transaction(tenant, (tx) => tx.updateResource('User', id, { userName: `v-${id}`, title: 'y' }, 1))).rejects.toBeInstanceOf(VersionMismatchError);
  });
});

describe('outbox: every committed change writes an event in the same transaction', () => {
  it('created, updated (with member changes) and deleted events; none for dry-runs or rolled-back work', async () => {
    const g = randomUUID();
    const u = randomUUID();
    await one.transaction(tenant, async (tx) => {
      await tx.insertResource('User', u, { userName: `ev-${u}` });
      await tx.insertResource('Group', g, { displayName: `ev-${g}` });
    });
    await two.transaction(tenant, async (tx) => {
      await tx.addMembers(g, [{ value: u, type: 'User' }]);
      await tx.touchResource('Group', g);
    });
    await one.transaction(tenant, (tx) => tx.removeMembers(g, [u]), { rollback: true });
    await expect(one.transaction(tenant, async (tx) => {
      await tx.removeMembers(g, [u]);
      throw new Error('abort');
    })).rejects.toThrow('abort');
    await one.tenantStore(tenant).deleteResource('User', u);

    expect((await eventsOf(u)).map((e) => e.type)).toEqual(['user.created', 'user.deleted']);
    const groupEvents = await eventsOf(g);
    expect(groupEvents.map((e) => e.type)).toEqual(['group.created', 'group.updated', 'group.updated']);
    expect(groupEvents[1]!.data).toEqual({ version: 2, membersAdded: [u] });
    // Deleting the user removed its membership: the group's subscribers hear that too.
    expect(groupEvents[2]!.data).toEqual({ membersRemoved: [u] });
  });

  it('the event feed of the delivery store reads them in commit order', async () => {
    const store = one.webhookDeliveryStore();
    const events = await store.eventsAfter(tenant, '0', 1000);
    const cursors = events.map((e) => Number(e.cursor));
    // Gap-free and in order, also for transactions that wrote several events in one statement.
    expect(cursors).toEqual(cursors.map((_, i) => i + 1));
    expect(cursors.length).toBeGreaterThan(5);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(await store.latestCursor(tenant)).toBe(String(cursors[cursors.length - 1]));
  });
});

describe('unreachable database', () => {
  it('opening raises StorageUnavailableError (→ 503 Retry-After), not a driver error', async () => {
    await expect(openPostgresStorage('postgres://postgres@127.0.0.1:1/test?connect_timeout_ms=500')).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  it('a closed pool answers ping and queries with StorageUnavailableError', async () => {
    const s = await openPostgresStorage(schema.url);
    await s.ping();
    await s.close();
    await expect(s.ping()).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(s.transaction(tenant, (tx) => tx.getResource('User', 'x'))).rejects.toBeInstanceOf(StorageUnavailableError);
  });
});

describe('audit entry in the write transaction', () => {
  it('the audit row and the written row carry the same transaction id (one commit)', async () => {
    const id = randomUUID();
    await one.transaction(tenant, (tx) => tx.insertResource('User', id, { userName: `xmin-${id}@example.com` }), {
      audit: () => ({ time: new Date().toISOString(), tenant, method: 'POST', resourceType: 'User', resourceId: id, summary: 'create User', status: 201, outcome: 'success', dryRun: false }),
    });
    const { rows } = await raw.query<{ resource: string; audit: string }>(
      `SELECT (SELECT xmin::text FROM "${schema.name}".resources WHERE tenant = $1 AND id = $2) AS resource,
              (SELECT xmin::text FROM "${schema.name}".audit WHERE tenant = $1 AND resource_id = $2) AS audit`,
      [tenant, id],
    );
    expect(rows[0]!.audit).toBeTruthy();
    expect(rows[0]!.audit).toBe(rows[0]!.resource);
  });
});

// Entra's lookups must use an index, never walk the tenant (as sqlite.test.ts checks for SQLite), on analyzed tables.
describe('postgres query plans for Entra lookups', () => {
  const planTenant = 'plans';
  const eq = (attr: string, value: string | boolean, extra: Partial<{ sub: string; filter: Filter }> = {}): Filter => ({ kind: 'compare', path: { attr, ...extra }, op: 'eq', value });
  beforeAll(async () => {
    await one.createTenant(planTenant);
    const ids: string[] = [];
    await one.transaction(planTenant, async (tx) => {
      for (let i = 0; i < 3000; i++) {
        const id = randomUUID();
        ids.push(id);
        await tx.insertResource('User', id, { userName: `plan${i}@example.com`, externalId: `x${i}`, active: i % 2 === 0, emails: [{ type: 'work', value: `plan${i}@example.com` }] });
      }
      for (let g = 0; g < 50; g++) {
        const id = randomUUID();
        await tx.insertResource('Group', id, { displayName: `Plan group ${g}` });
        await tx.addMembers(id, ids.slice(g * 50, g * 50 + 60).map((value) => ({ value })));
      }
    });
    for (const table of ['resources', 'emails', 'members']) await raw.query(`ANALYZE "${schema.name}".${table}`);
  }, 60_000);
  const cases: Array<[string, 'User' | 'Group', Filter, RegExp]> = [
    ['userName eq', 'User', eq('userName', 'Plan7@example.com'), /users_user_name/],
    ['externalId eq', 'User', eq('externalId', 'x7'), /resources_external_id/],
    ['emails[type eq "work"].value eq', 'User', eq('emails', 'plan7@example.com', { sub: 'value', filter: eq('type', 'work') }), /emails_value/],
    ['userName eq and active eq', 'User', { kind: 'and', left: eq('userName', 'plan7@example.com'), right: eq('active', 'True') }, /users_user_name/],
    ['displayName eq (group)', 'Group', eq('displayName', 'Plan group 3'), /groups_display_name|resources_display_name/],
    ['members.value eq (group)', 'Group', eq('members', 'u1', { sub: 'value' }), /members_member/],
  ];
  it.each(cases)('%s uses its index and never scans resources', async (_name, type, filter, index) => {
    const plan = (await one.explainQuery(planTenant, type, { filter, startIndex: 1, count: 100 })).join('\n');
    expect(plan).toMatch(index);
    expect(plan).not.toMatch(/Seq Scan on resources/);
    // A walk of the whole tenant: resources_type_id with only tenant and type as its condition.
    expect(plan).not.toMatch(/using resources_type_id on resources r[^\n]*\n\s*Index Cond: \(\((tenant = [^)]*|type = '[A-Za-z]+'::text)\) AND \((tenant = [^)]*|type = '[A-Za-z]+'::text)\)\)\s*$/m);
  });
});

describe('group names and versions apart from the group rows (migrations 6 and 7)', () => {
  const namesTenant = 'names';
  const eqUser = (value: string): Filter => ({ kind: 'compare', path: { attr: 'userName' }, op: 'eq', value });
  /** Shared buffers the whole lookup statement touched (EXPLAIN ANALYZE BUFFERS, top node). */
  const lookupBuffers = async (userName: string): Promise<number> => {
    const plan = await one.explainQuery(namesTenant, 'User', { filter: eqUser(userName), withGroups: true }, { analyze: true });
    const line = plan.find((l) => /Buffers: shared/.test(l)) ?? '';
    return [...line.matchAll(/(hit|read|dirtied|written)=(\d+)/g)].reduce((sum, m) => (m[1] === 'hit' || m[1] === 'read' ? sum + Number(m[2]) : sum), 0);
  };

  it('a lookup of a member reads as many buffers after 400 member changes of its group as before', async () => {
    await one.createTenant(namesTenant);
    const [u, g] = [randomUUID(), randomUUID()];
    const spare = Array.from({ length: 20 }, () => randomUUID());
    await one.transaction(namesTenant, async (tx) => {
      await tx.insertResource('User', u, { userName: 'churn-member@example.com' });
      for (const id of spare) await tx.insertResource('User', id, { userName: `spare-${id}@example.com` });
      // 1.5 kB of attributes: a few versions fill a page, so every change that cannot be pruned moves the row on.
      await tx.insertResource('Group', g, { displayName: 'Churning', externalId: randomBytes(750).toString('hex') });
      await tx.addMembers(g, [{ value: u }]);
    });
    const before = await lookupBuffers('churn-member@example.com');
    // An open snapshot keeps every dead version of the group's row, as concurrent transactions of a busy sync do.
    const holder = new pg.Client({ connectionString: sharedServerUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await holder.query(`SELECT count(*) FROM "${schema.name}".resources`);
      for (let i = 0; i < 400; i++) {
        const member = spare[i % spare.length]!;
        await one.transaction(namesTenant, async (tx) => {
          await (i % 2 === 0 ? tx.addMembers(g, [{ value: member }]) : tx.removeMembers(g, [member]));
          await tx.touchResource('Group', g);
        });
      }
      const after = await lookupBuffers('churn-member@example.com');
      expect(before).toBeGreaterThan(0);
      expect(after).toBeLessThanOrEqual(before + 2);
      expect((await one.tenantStore(namesTenant).groupsOf(u))).toEqual([{ value: g, display: 'Churning' }]);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
  }, 60_000);

  it("member changes bump the group's version without a new version of its resources row; a rename and a member change never share a version", async () => {
    const [u, g] = [randomUUID(), randomUUID()];
    await one.transaction(namesTenant, async (tx) => {
      await tx.insertResource('User', u, { userName: 'versions-member@example.com' });
      await tx.insertResource('Group', g, { displayName: 'Versions' });
    });
    const rowVersion = async () => (await raw.query(`SELECT ctid::text, xmin::text FROM "${schema.name}".resources WHERE id = $1`, [g])).rows[0] as { ctid: string; xmin: string };
    const before = await rowVersion();
    const store = one.tenantStore(namesTenant);
    const touched = await one.transaction(namesTenant, async (tx) => {
      await tx.addMembers(g, [{ value: u }]);
      return tx.touchResource('Group', g);
    });
    expect(touched?.version).toBe(2);
    expect(await rowVersion()).toEqual(before);
    expect((await store.getResource('Group', g))?.version).toBe(2);
    expect((await store.query('Group', { filter: { kind: 'compare', path: { attr: 'displayName' }, op: 'eq', value: 'versions' } })).resources[0]?.version).toBe(2);
    // Concurrently, on two instances: a rename that read the group first, and a member change.
    const versions = await Promise.all([
      one.transaction(namesTenant, async (tx) => {
        const current = await tx.getResource('Group', g);
        await new Promise((r) => setTimeout(r, 50));
        return (await tx.updateResource('Group', g, { ...current!.data, displayName: 'Versions renamed' }, current!.version))!.version;
      }),
      two.transaction(namesTenant, async (tx) => {
        await tx.removeMembers(g, [u]);
        return (await tx.touchResource('Group', g))!.version;
      }),
    ]);
    expect(versions.sort()).toEqual([3, 4]);
    expect((await store.getResource('Group', g))?.version).toBe(4);
    await expect(store.updateResource('Group', g, { displayName: 'Stale' }, 3)).rejects.toBeInstanceOf(VersionMismatchError);
  });

  it('migration 6 copies the names of existing groups: plain, with a \\u0000 escape (U+FFFD), none', async () => {
    const legacy = await createTestSchema(undefined, 'scim_names');
    try {
      const storage = await openPostgresStorage(legacy.url);
      const [u, plain, nul, none] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      try {
        await storage.createTenant('legacy');
        await storage.transaction('legacy', async (tx) => {
          await tx.insertResource('User', u, { userName: 'legacy@example.com' });
          await tx.insertResource('Group', plain, { displayName: 'Plain "quoted" é' });
          await tx.insertResource('Group', nul, { displayName: 'a\u0000b' });
          await tx.insertResource('Group', none, { externalId: 'nameless' });
          for (const g of [plain, nul, none]) await tx.addMembers(g, [{ value: u }]);
        });
      } finally {
        await storage.close();
      }
      // The schema as migration 5 left it, the groups' versions on their resources rows.
      await raw.query(`DROP TABLE "${legacy.name}".group_names`);
      await raw.query(`DROP TABLE "${legacy.name}".group_versions`);
      await raw.query(`UPDATE "${legacy.name}".resources SET version = 7, last_modified = '2026-01-02T03:04:05.000Z' WHERE id = $1`, [plain]);
      await raw.query(`DELETE FROM "${legacy.name}".schema_migrations WHERE version IN (6, 7)`);
      const migrated = await openPostgresStorage(legacy.url);
      try {
        const groups = await migrated.tenantStore('legacy').groupsOf(u);
        const expected = [
          { value: plain, display: 'Plain "quoted" é' },
          { value: nul, display: 'a\ufffdb' },
          { value: none },
        ].sort((a, b) => (a.value < b.value ? -1 : 1));
        expect(groups).toEqual(expected);
        const kept = await migrated.tenantStore('legacy').getResource('Group', plain);
        expect({ version: kept?.version, lastModified: kept?.lastModified }).toEqual({ version: 7, lastModified: '2026-01-02T03:04:05.000Z' });
      } finally {
        await migrated.close();
      }
    } finally {
      await legacy.drop();
    }
  });
});
