// Engine-agnostic storage contract suite: every engine (SQLite, PostgreSQL) runs exactly these tests.
// Usage: runStorageContract('sqlite', async () => openSqliteStorage(':memory:')).
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UniquenessError, VersionMismatchError, type Filter, type ResourceQuery, type Storage, type StorageFactory } from '../../src/storage/contract.js';

const eq = (attr: string, value: string | boolean, extra: Partial<{ uri: string; sub: string; filter: Filter }> = {}): Filter => ({
  kind: 'compare',
  path: { attr, ...extra },
  op: 'eq',
  value,
});
const and = (left: Filter, right: Filter): Filter => ({ kind: 'and', left, right });

export function runStorageContract(name: string, factory: StorageFactory): void {
  describe(`storage contract: ${name}`, () => {
    let storage: Storage;
    const tenant = `t-${randomUUID().slice(0, 8)}`;
    const other = `o-${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      storage = await factory();
      await storage.createTenant(tenant, { customSchemas: ['urn:ietf:params:scim:schemas:extension:Acme:2.0:User'] });
      await storage.createTenant(other);
    });
    afterAll(async () => {
      await storage.deleteTenant(tenant);
      await storage.deleteTenant(other);
      await storage.close();
    });

    it('creates, reads, lists and rejects duplicate tenants', async () => {
      expect((await storage.getTenant(tenant))?.settings.customSchemas).toEqual(['urn:ietf:params:scim:schemas:extension:Acme:2.0:User']);
      expect((await storage.listTenants()).map((t) => t.name)).toEqual(expect.arrayContaining([tenant, other]));
      await expect(storage.createTenant(tenant)).rejects.toBeInstanceOf(UniquenessError);
      expect(await storage.getTenant('missing-tenant')).toBeNull();
      const updated = await storage.updateTenantSettings(other, { policies: { requireAttributes: ['userName'] } });
      expect(updated?.settings.policies).toEqual({ requireAttributes: ['userName'] });
    });

    it('stores several active token hashes per tenant and revokes one', async () => {
      const h1 = createHash('sha256').update('one').digest('hex');
      const h2 = createHash('sha256').update('two').digest('hex');
      const t1 = await storage.createToken(tenant, h1, 'first');
      const t2 = await storage.createToken(tenant, h2);
      expect((await storage.activeTokens(tenant)).map((t) => t.hash).sort()).toEqual([h1, h2].sort());
      expect(await storage.revokeToken(tenant, t1.id)).toBe(true);
      expect(await storage.revokeToken(other, t2.id)).toBe(false);
      expect((await storage.activeTokens(tenant)).map((t) => t.id)).toEqual([t2.id]);
      const all = await storage.listTokens(tenant);
      expect(all.find((t) => t.id === t1.id)?.revoked).toBeTypeOf('string');
      expect(all.find((t) => t.id === t1.id)?.label).toBe('first');
      await expect(storage.createToken('missing-tenant', h1)).rejects.toThrow(/does not exist/);
    });

    it('inserts users, enforces case-insensitive userName uniqueness per tenant', async () => {
      const s = storage.tenantStore(tenant);
      const id = randomUUID();
      const created = await storage.transaction(tenant, (tx) => tx.insertResource('User', id, { userName: 'Alice@Example.com', active: true }));
      expect(created.version).toBe(1);
      expect((await s.getResource('User', id))?.data.userName).toBe('Alice@Example.com');
      expect(await s.getResource('Group', id)).toBeNull();
      await expect(storage.transaction(tenant, (tx) => tx.insertResource('User', randomUUID(), { userName: 'alice@example.COM' }))).rejects.toBeInstanceOf(UniquenessError);
      // Another tenant may use the same userName.
      await storage.transaction(other, (tx) => tx.insertResource('User', randomUUID(), { userName: 'alice@example.com' }));
      expect(await storage.tenantStore(other).getResource('User', id)).toBeNull();
    });

    it('finds users by indexed filters case-insensitively and pages results', async () => {
      const ids: string[] = [];
      await storage.transaction(tenant, async (tx) => {
        for (let i = 0; i < 5; i++) {
          const id = randomUUID();
          ids.push(id);
          await tx.insertResource('User', id, {
            userName: `page${i}@example.com`,
            externalId: `ext-${i}`,
            displayName: `Page User ${i}`,
            active: i % 2 === 0,
            emails: [{ type: 'work', value: `Page${i}@Work.example`, primary: true }],
            name: { familyName: `F${4 - i}` },
          });
        }
      });
      const s = storage.tenantStore(tenant);
      expect((await s.query('User', { filter: eq('userName', 'PAGE3@example.com') })).resources.map((r) => r.id)).toEqual([ids[3]]);
      expect((await s.query('User', { filter: eq('externalId', 'ext-2') })).resources.map((r) => r.id)).toEqual([ids[2]]);
      expect((await s.query('User', { filter: eq('externalId', 'EXT-2') })).totalResults).toBe(0); // externalId is caseExact
      expect((await s.query('User', { filter: eq('id', ids[1]!) })).resources[0]?.data.userName).toBe('page1@example.com');
      expect((await s.query('User', { filter: eq('emails', 'page4@work.example', { sub: 'value', filter: eq('type', 'work') }) })).resources.map((r) => r.id)).toEqual([ids[4]]);
      expect((await s.query('User', { filter: eq('emails', 'page4@work.example', { sub: 'value', filter: eq('type', 'home') }) })).totalResults).toBe(0);
      expect((await s.query('User', { filter: and(eq('active', 'False'), { kind: 'compare', path: { attr: 'userName' }, op: 'sw', value: 'page' }) })).totalResults).toBe(2);
      expect((await s.query('User', { filter: eq('userName', 'nobody@example.com') })).resources).toEqual([]);
      // Not indexed: evaluated in memory, same semantics.
      expect((await s.query('User', { filter: { kind: 'compare', path: { attr: 'name', sub: 'familyName' }, op: 'eq', value: 'f0' } })).resources.map((r) => r.id)).toEqual([ids[4]]);
      const filter: Filter = { kind: 'compare', path: { attr: 'userName' }, op: 'sw', value: 'page' };
      const page = await s.query('User', { filter, startIndex: 2, count: 2, sortBy: 'userName' });
      expect(page.totalResults).toBe(5);
      expect(page.resources.map((r) => r.data.userName)).toEqual(['page1@example.com', 'page2@example.com']);
      const desc = await s.query('User', { filter, count: 1, sortBy: 'name.familyName', sortOrder: 'descending' });
      expect(desc.resources[0]?.id).toBe(ids[0]);
      expect((await s.query('User', { filter, count: 0 })).totalResults).toBe(5);
      // A lookup by a unique key (answered without ORDER BY/LIMIT) pages like any other query.
      const unique = eq('userName', 'page3@example.com');
      expect(await s.query('User', { filter: unique, startIndex: 2, count: 10 })).toEqual({ totalResults: 1, resources: [] });
      expect(await s.query('User', { filter: unique, count: 0 })).toEqual({ totalResults: 1, resources: [] });
      expect((await s.query('User', { filter: and(unique, eq('active', 'False')), count: 5 })).resources.map((r) => r.id)).toEqual([ids[3]]);
      expect((await s.query('User', { filter: and(eq('id', ids[0]!), eq('userName', 'page3@example.com')) })).totalResults).toBe(0);
    });

    it('updates with optimistic versions and keeps indexes in step', async () => {
      const id = randomUUID();
      await storage.transaction(tenant, (tx) => tx.insertResource('User', id, { userName: 'bob@example.com', emails: [{ value: 'bob@old.example' }] }));
      const updated = await storage.transaction(tenant, (tx) => tx.updateResource('User', id, { userName: 'robert@example.com', emails: [{ value: 'bob@new.example' }] }, 1));
      expect(updated?.version).toBe(2);
      await expect(storage.transaction(tenant, (tx) => tx.updateResource('User', id, { userName: 'x@example.com' }, 1))).rejects.toBeInstanceOf(VersionMismatchError);
      const s = storage.tenantStore(tenant);
      expect((await s.query('User', { filter: eq('userName', 'bob@example.com') })).totalResults).toBe(0);
      expect((await s.query('User', { filter: eq('emails', 'bob@new.example', { sub: 'value' }) })).totalResults).toBe(1);
      expect((await s.query('User', { filter: eq('emails', 'bob@old.example', { sub: 'value' }) })).totalResults).toBe(0);
      expect(await storage.transaction(tenant, (tx) => tx.updateResource('User', randomUUID(), {}))).toBeNull();
    });

    it('rolls back a failed transaction and a dry-run transaction', async () => {
      const id = randomUUID();
      await expect(
        storage.transaction(tenant, async (tx) => {
          await tx.insertResource('User', id, { userName: 'rollback@example.com' });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await storage.tenantStore(tenant).getResource('User', id)).toBeNull();
      const result = await storage.transaction(tenant, async (tx) => (await tx.insertResource('User', id, { userName: 'dry@example.com' })).id, { rollback: true });
      expect(result).toBe(id);
      expect(await storage.tenantStore(tenant).getResource('User', id)).toBeNull();
    });

    it('a read running while a dry-run transaction is open never sees its writes', async () => {
      const id = randomUUID();
      let concurrent: Promise<unknown> | undefined;
      await storage.transaction(
        tenant,
        async (tx) => {
          await tx.insertResource('User', id, { userName: `concurrent-${id}@example.com` });
          concurrent = storage.tenantStore(tenant).getResource('User', id);
          await new Promise((r) => setTimeout(r, 20));
        },
        { rollback: true },
      );
      expect(await concurrent).toBeNull();
      expect(await storage.tenantStore(tenant).getResource('User', id)).toBeNull();
    });

    it('stores group members as rows: add, find, remove, delete cascade, group displayName unique', async () => {
      const g = randomUUID();
      const users = [randomUUID(), randomUUID(), randomUUID()];
      await storage.transaction(tenant, async (tx) => {
        for (const u of users) await tx.insertResource('User', u, { userName: `m-${u}@example.com` });
        await tx.insertResource('Group', g, { displayName: 'Engineering' });
        expect((await tx.addMembers(g, users.map((value) => ({ value, type: 'User' })))).sort()).toEqual([...users].sort());
        expect(await tx.addMembers(g, [{ value: users[0]! }])).toEqual([]);
      });
      await expect(storage.transaction(tenant, (tx) => tx.insertResource('Group', randomUUID(), { displayName: 'ENGINEERING' }))).rejects.toBeInstanceOf(UniquenessError);
      const s = storage.tenantStore(tenant);
      expect(await s.countMembers(g)).toBe(3);
      expect((await s.listMembers(g, { limit: 2 })).length).toBe(2);
      expect((await s.groupsOf(users[0]!))).toEqual([{ value: g, display: 'Engineering' }]);
      expect((await s.query('Group', { filter: eq('members', users[2]!, { sub: 'value' }) })).resources.map((r) => r.id)).toEqual([g]);
      expect((await s.query('Group', { filter: eq('displayName', 'engineering') })).totalResults).toBe(1);
      expect(await storage.transaction(tenant, (tx) => tx.removeMembers(g, [users[0]!, 'nope', users[0]!]))).toEqual([users[0]]);
      expect(await storage.transaction(tenant, (tx) => tx.deleteResource('User', users[1]!))).toBe(true);
      expect((await s.listMembers(g)).map((m) => m.value)).toEqual([users[2]]);
      const existing = await s.existingIds([users[2]!, users[1]!, g]);
      expect([...existing.entries()].sort()).toEqual([[g, 'Group'], [users[2], 'User']].sort());
      const touched = await storage.transaction(tenant, (tx) => tx.touchResource('Group', g));
      expect(touched?.version).toBe(2);
    });

    it('a transaction reads its own writes, and a failing write fails the transaction however late it is sent', async () => {
      const [u, v] = [randomUUID(), randomUUID()];
      const byName = (name: string): ResourceQuery => ({ filter: { kind: 'compare', path: { attr: 'userName' }, op: 'eq', value: name } });
      const seen = await storage.transaction(tenant, async (tx) => {
        await tx.insertResource('User', u, { userName: `own-${u}@example.com`, title: 'a' });
        const afterInsert = (await tx.query('User', byName(`own-${u}@example.com`))).resources.map((r) => r.data.title);
        const locked = await tx.getResource('User', u);
        await tx.updateResource('User', u, { ...locked!.data, title: 'b', emails: [{ value: `own-${u}@example.com`, type: 'work' }] }, locked!.version);
        const afterUpdate = await tx.getResource('User', u);
        const byEmail = await tx.query('User', { filter: { kind: 'compare', path: { attr: 'emails', sub: 'value' }, op: 'eq', value: `own-${u}@example.com` } });
        return { afterInsert, afterUpdate: [afterUpdate?.data.title, afterUpdate?.version], byEmail: byEmail.resources.map((r) => r.id) };
      });
      expect(seen).toEqual({ afterInsert: ['a'], afterUpdate: ['b', 2], byEmail: [u] });
      // A duplicate userName written last in the transaction still fails it, and nothing of it stays.
      await expect(storage.transaction(tenant, async (tx) => {
        await tx.insertResource('User', v, { userName: `other-${v}@example.com` });
        await tx.insertResource('User', randomUUID(), { userName: `OWN-${u}@example.com` });
      })).rejects.toBeInstanceOf(UniquenessError);
      expect(await storage.tenantStore(tenant).getResource('User', v)).toBeNull();
      // An update with a stale expected version fails without writing.
      await expect(storage.transaction(tenant, async (tx) => {
        const current = await tx.getResource('User', u);
        await tx.updateResource('User', u, { ...current!.data, title: 'c' }, current!.version - 1);
      })).rejects.toBeInstanceOf(VersionMismatchError);
      expect((await storage.tenantStore(tenant).getResource('User', u))?.data.title).toBe('b');
    });

    it('addExistingMembers adds only resources of the tenant, typed from the resource, and names the missing ids', async () => {
      const [u, g, sub, strangerOfOther] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await storage.transaction(other, (tx) => tx.insertResource('User', strangerOfOther, { userName: `${strangerOfOther}@example.com` }));
      await storage.transaction(tenant, async (tx) => {
        await tx.insertResource('User', u, { userName: `${u}@example.com` });
        await tx.insertResource('Group', g, { displayName: `G ${g}` });
        await tx.insertResource('Group', sub, { displayName: `Sub ${sub}` });
      });
      const first = await storage.transaction(tenant, (tx) =>
        tx.addExistingMembers(g, [{ value: u, display: 'Ursula' }, { value: 'nope-1' }, { value: sub }, { value: strangerOfOther }, { value: u }]),
      );
      expect(first.added.sort()).toEqual([u, sub].sort());
      expect(first.missing).toEqual(['nope-1', strangerOfOther]);
      // Already present: a no-op, not an error.
      expect(await storage.transaction(tenant, (tx) => tx.addExistingMembers(g, [{ value: u }]))).toEqual({ added: [], missing: [] });
      const members = await storage.tenantStore(tenant).listMembers(g);
      expect(members.map((m) => [m.value, m.type, m.display ?? null]).sort()).toEqual([[u, 'User', 'Ursula'], [sub, 'Group', null]].sort());
      // A caller that rejects missing ids throws, and the rows the call added roll back with the transaction.
      const h = randomUUID();
      await storage.transaction(tenant, (tx) => tx.insertResource('Group', h, { displayName: `H ${h}` }));
      await expect(storage.transaction(tenant, async (tx) => {
        const { missing } = await tx.addExistingMembers(h, [{ value: u }, { value: 'nope-2' }]);
        if (missing.length) throw new Error('rejected');
      })).rejects.toThrow('rejected');
      expect(await storage.tenantStore(tenant).countMembers(h)).toBe(0);
    });

    it('filters groups on members: members[value eq …] (or-ed), members pr, not (members pr), other member sub-attributes', async () => {
      const [u1, u2, u3, g1, g2, g3] = Array.from({ length: 6 }, () => randomUUID());
      await storage.transaction(other, async (tx) => {
        for (const u of [u1!, u2!, u3!]) await tx.insertResource('User', u, { userName: `${u}@example.com` });
        await tx.insertResource('Group', g1!, { displayName: 'One' });
        await tx.insertResource('Group', g2!, { displayName: 'Two' });
        await tx.insertResource('Group', g3!, { displayName: 'Empty' });
        await tx.addMembers(g1!, [{ value: u1!, display: 'Ursula' }, { value: u2! }]);
        await tx.addMembers(g2!, [{ value: u3! }]);
      });
      const value = (v: string): Filter => ({ kind: 'compare', path: { attr: 'value' }, op: 'eq', value: v });
      const ids = async (filter: Filter) => (await storage.tenantStore(other).query('Group', { filter })).resources.map((r) => r.id).sort();
      expect(await ids({ kind: 'valuePath', path: { attr: 'members' }, filter: value(u2!) })).toEqual([g1]);
      expect(await ids({ kind: 'valuePath', path: { attr: 'members' }, filter: { kind: 'or', left: value(u2!), right: value(u3!) } })).toEqual([g1, g2].sort());
      expect(await ids({ kind: 'present', path: { attr: 'members' } })).toEqual([g1, g2].sort());
      expect(await ids({ kind: 'not', filter: { kind: 'present', path: { attr: 'members' } } })).toEqual([g3]);
      expect(await ids({ kind: 'valuePath', path: { attr: 'members' }, filter: { kind: 'compare', path: { attr: 'display' }, op: 'co', value: 'urs' } })).toEqual([g1]);
    });

    it('a renamed group shows its new displayName in its members\' groups, whichever way it was updated', async () => {
      const [u, g] = [randomUUID(), randomUUID()];
      await storage.transaction(other, async (tx) => {
        await tx.insertResource('User', u, { userName: 'renamed-group-member@example.com' });
        await tx.insertResource('Group', g, { displayName: 'Before' });
        await tx.addMembers(g, [{ value: u }]);
      });
      const s = storage.tenantStore(other);
      const groupsSeen = async () => {
        const lookup = await s.query('User', { filter: eq('userName', 'renamed-group-member@example.com'), withGroups: true });
        expect(lookup.resources[0]?.groups).toEqual(await s.groupsOf(u));
        return lookup.resources[0]?.groups;
      };
      expect(await groupsSeen()).toEqual([{ value: g, display: 'Before' }]);
      // Read with the lock, then updated (a PATCH); then without a read first (a PUT); then a name with U+0000; then none.
      await storage.transaction(other, async (tx) => {
        const current = await tx.getResource('Group', g);
        await tx.updateResource('Group', g, { ...current!.data, displayName: 'After lock' });
      });
      expect(await groupsSeen()).toEqual([{ value: g, display: 'After lock' }]);
      await storage.transaction(other, (tx) => tx.updateResource('Group', g, { displayName: 'After put' }));
      expect(await groupsSeen()).toEqual([{ value: g, display: 'After put' }]);
      await s.updateResource('Group', g, { displayName: 'nul \u0000 inside' });
      expect(await groupsSeen()).toEqual([{ value: g, display: 'nul \u0000 inside' }]);
      await s.updateResource('Group', g, { externalId: 'no-name' });
      expect(await groupsSeen()).toEqual([{ value: g }]);
      // A rolled-back rename changes nothing.
      await storage.transaction(other, (tx) => tx.updateResource('Group', g, { displayName: 'Dry run' }), { rollback: true });
      expect(await groupsSeen()).toEqual([{ value: g }]);
    });

    it('a query withGroups returns each user\'s groups (as groupsOf does) in one statement', async () => {
      const [u1, u2, g1, g2] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      await storage.transaction(other, async (tx) => {
        await tx.insertResource('User', u1, { userName: 'with-groups-1@example.com', externalId: 'wg' });
        await tx.insertResource('User', u2, { userName: 'with-groups-2@example.com', externalId: 'wg' });
        await tx.insertResource('Group', g1, { displayName: 'Alpha \u00e9' });
        await tx.insertResource('Group', g2, {});
        await tx.addMembers(g1, [{ value: u1 }]);
        await tx.addMembers(g2, [{ value: u1 }, { value: u2 }]);
      });
      const s = storage.tenantStore(other);
      const byId = (a: { value: string }, b: { value: string }) => (a.value < b.value ? -1 : 1);
      const before = storage.stats();
      const lookup = await s.query('User', { filter: eq('userName', 'WITH-GROUPS-1@example.com'), withGroups: true });
      expect(storage.stats().statements - before.statements).toBe(1);
      expect(lookup.resources[0]?.groups).toEqual([{ value: g1, display: 'Alpha \u00e9' }, { value: g2 }].sort(byId));
      expect(lookup.resources[0]?.groups).toEqual(await s.groupsOf(u1));
      const page = await s.query('User', { filter: eq('externalId', 'wg'), withGroups: true, count: 10 });
      expect(Object.fromEntries(page.resources.map((r) => [r.id, r.groups]))).toEqual({ [u1]: await s.groupsOf(u1), [u2]: [{ value: g2 }] });
      // Without withGroups nothing is loaded; a group is never given groups.
      expect((await s.query('User', { filter: eq('userName', 'with-groups-2@example.com') })).resources[0]?.groups).toBeUndefined();
      expect((await s.query('Group', { filter: eq('id', g1), withGroups: true })).resources[0]?.groups).toBeUndefined();
    });

    it('adding one member costs the same number of operations for a small and a large group', async () => {
      const small = randomUUID();
      const large = randomUUID();
      await storage.transaction(tenant, async (tx) => {
        await tx.insertResource('Group', small, { displayName: `small-${small}` });
        await tx.insertResource('Group', large, { displayName: `large-${large}` });
        await tx.addMembers(small, Array.from({ length: 10 }, () => ({ value: randomUUID() })));
        await tx.addMembers(large, Array.from({ length: 2000 }, () => ({ value: randomUUID() })));
      });
      const cost = async (group: string) => {
        const before = storage.stats();
        await storage.transaction(tenant, async (tx) => {
          await tx.addMembers(group, [{ value: randomUUID() }]);
          await tx.removeMembers(group, [randomUUID()]);
          await tx.touchResource('Group', group);
        });
        const after = storage.stats();
        return { statements: after.statements - before.statements, rows: after.rows - before.rows };
      };
      expect(await cost(large)).toEqual(await cost(small));
    });

    it('a transaction\'s audit entry commits with its work, and never on rollback or failure', async () => {
      const entry = (summary: string, status: number) => ({ time: new Date().toISOString(), tenant: other, method: 'POST', resourceType: 'User', summary, status, outcome: 'success' as const, dryRun: false });
      const id = randomUUID();
      const result = await storage.transaction(other, async (tx) => {
        await tx.insertResource('User', id, { userName: `audited-${id}@example.com` });
        return 201;
      }, { audit: (status) => entry(`in-transaction ${id}`, status) });
      expect(result).toBe(201);
      await storage.transaction(other, (tx) => tx.insertResource('User', randomUUID(), { userName: `dry-${id}@example.com` }), { rollback: true, audit: () => entry(`rolled back ${id}`, 201) });
      await expect(storage.transaction(other, async () => { throw new Error('work failed'); }, { audit: () => entry(`failed ${id}`, 201) })).rejects.toThrow('work failed');
      const summaries = (await storage.listAudit(other, { limit: 1000 })).map((e) => e.summary);
      expect(summaries).toContain(`in-transaction ${id}`);
      expect(summaries.filter((x) => x.endsWith(id))).toEqual([`in-transaction ${id}`]);
      const [latest] = (await storage.listAudit(other, { limit: 1000 })).filter((e) => e.summary === `in-transaction ${id}`);
      expect(latest).toMatchObject({ status: 201, method: 'POST', resourceType: 'User', outcome: 'success', dryRun: false });
    });

    it('appends and pages the audit log newest first, per tenant', async () => {
      for (let i = 0; i < 3; i++) {
        await storage.appendAudit({ time: new Date().toISOString(), tenant, method: 'POST', resourceType: 'User', resourceId: `r${i}`, summary: `create ${i}`, status: 201, outcome: 'success', dryRun: i === 2 });
      }
      await storage.appendAudit({ time: new Date().toISOString(), tenant: other, method: 'DELETE', summary: 'x', status: 404, outcome: 'failure', dryRun: false });
      const first = await storage.listAudit(tenant, { limit: 2 });
      expect(first.map((e) => e.summary)).toEqual(['create 2', 'create 1']);
      expect(first[0]?.dryRun).toBe(true);
      const next = await storage.listAudit(tenant, { limit: 2, beforeSeq: first[1]!.seq });
      expect(next.map((e) => e.summary)).toEqual(['create 0']);
    });

    it('answers ping', async () => {
      await expect(storage.ping()).resolves.toBeUndefined();
    });
  });
}
