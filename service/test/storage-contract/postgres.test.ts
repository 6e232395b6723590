// The storage contract suite against the PostgreSQL engine, in a private schema dropped afterwards.
import { afterAll, describe, expect, it } from 'vitest';
import type { Filter } from '../../src/storage/contract.js';
import { openPostgresStorage } from '../../src/storage/postgres/engine.js';
import { createTestSchema } from '../postgres/support/database.js';
import { runStorageContract } from './contract.js';

const schema = await createTestSchema(undefined, 'scim_contract');
afterAll(() => schema.drop());

runStorageContract('postgres', () => openPostgresStorage(schema.url));

// Same cases as sqlite.test.ts "sqlite filters on group members" (members are rows, not part of the document).
describe('postgres filters on group members', () => {
  it('members[value eq …] (also or-ed), members pr, not (members pr), members[display co …]', async () => {
    const storage = await openPostgresStorage(schema.url);
    try {
      await storage.createTenant('m');
      const value = (v: string): Filter => ({ kind: 'compare', path: { attr: 'value' }, op: 'eq', value: v });
      await storage.transaction('m', async (tx) => {
        for (const u of ['u1', 'u2', 'u3']) await tx.insertResource('User', u, { userName: `${u}@example.com` });
        await tx.insertResource('Group', 'g1', { displayName: 'One' });
        await tx.insertResource('Group', 'g2', { displayName: 'Two' });
        await tx.insertResource('Group', 'g3', { displayName: 'Empty' });
        await tx.addMembers('g1', [{ value: 'u1', display: 'Ursula' }, { value: 'u2' }]);
        await tx.addMembers('g2', [{ value: 'u3' }]);
      });
      const ids = async (filter: Filter) => (await storage.tenantStore('m').query('Group', { filter })).resources.map((r) => r.id).sort();
      expect(await ids({ kind: 'valuePath', path: { attr: 'members' }, filter: value('u2') })).toEqual(['g1']);
      expect(await ids({ kind: 'valuePath', path: { attr: 'members' }, filter: { kind: 'or', left: value('u2'), right: value('u3') } })).toEqual(['g1', 'g2']);
      expect(await ids({ kind: 'present', path: { attr: 'members' } })).toEqual(['g1', 'g2']);
      expect(await ids({ kind: 'not', filter: { kind: 'present', path: { attr: 'members' } } })).toEqual(['g3']);
      expect(await ids({ kind: 'valuePath', path: { attr: 'members' }, filter: { kind: 'compare', path: { attr: 'display' }, op: 'co', value: 'urs' } })).toEqual(['g1']);
      await storage.deleteTenant('m');
    } finally {
      await storage.close();
    }
  });
});
