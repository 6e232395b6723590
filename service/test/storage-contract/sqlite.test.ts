import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AttrPath, Filter, ResourceType } from '../../src/storage/contract.js';
import { openSqliteStorage } from '../../src/storage/sqlite/engine.js';
import { runStorageContract } from './contract.js';

runStorageContract('sqlite in memory', async () => openSqliteStorage(':memory:'));

const dir = mkdtempSync(join(tmpdir(), 'scim-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
runStorageContract('sqlite file (WAL)', async () => openSqliteStorage(join(dir, 'nested', 'scim.db')));

// Issue 2 §2: an `eq` lookup on the attributes Entra filters on never scans all rows — checked on the plan.
describe('sqlite query plans for Entra lookups', () => {
  const tenant = 'plans';
  const storage = openSqliteStorage(':memory:');
  afterAll(() => storage.close());
  const eq = (attr: string, value: string | boolean, extra: Partial<AttrPath> = {}): Filter => ({ kind: 'compare', path: { attr, ...extra }, op: 'eq', value });
  const cases: Array<[string, ResourceType, Filter, RegExp]> = [
    ['userName eq', 'User', eq('userName', 'a@example.com'), /USING INDEX users_user_name/],
    ['externalId eq', 'User', eq('externalId', 'x'), /USING INDEX resources_external_id/],
    ['id eq', 'User', eq('id', 'x'), /USING (COVERING )?INDEX (resources_type_id|sqlite_autoindex_resources_1)/],
    ['emails[type eq "work"].value eq', 'User', eq('emails', 'a@example.com', { sub: 'value', filter: eq('type', 'work') }), /USING INDEX emails_value/],
    ['emails.value eq', 'User', eq('emails', 'a@example.com', { sub: 'value' }), /USING INDEX emails_value/],
    ['userName eq and active eq', 'User', { kind: 'and', left: eq('userName', 'a@example.com'), right: eq('active', 'True') }, /USING INDEX users_user_name/],
    ['displayName eq (group)', 'Group', eq('displayName', 'Team'), /USING INDEX (groups_display_name|resources_display_name)/],
    ['members.value eq (group)', 'Group', eq('members', 'u1', { sub: 'value' }), /USING (COVERING )?INDEX members_member/],
    ['externalId eq and an unindexed attribute', 'User', { kind: 'and', left: eq('externalId', 'x'), right: eq('name', 'F', { sub: 'familyName' }) }, /USING INDEX resources_external_id/],
  ];
  it.each(cases)('%s uses an index and never scans the resources table', async (_name, type, filter, index) => {
    await storage.createTenant(tenant).catch(() => undefined);
    const plan = storage.explainQuery(tenant, type, { filter, startIndex: 1, count: 100 }).join(' | ');
    expect(plan).toMatch(index);
    expect(plan).not.toMatch(/SCAN r\b/);
    // Walking the tenant's (tenant, type) index range is a scan in disguise.
    expect(plan).not.toMatch(/INDEX resources_type_id \(tenant=\? AND type=\?\)/);
  });
});

// The member filter's plan (semantics are in the contract suite): driven by the (tenant, member_id) index.
describe('sqlite plan of a group member filter', () => {
  const storage = openSqliteStorage(':memory:');
  afterAll(() => storage.close());
  it('members[value eq …] uses members_member', async () => {
    await storage.createTenant('m');
    const value: Filter = { kind: 'compare', path: { attr: 'value' }, op: 'eq', value: 'u2' };
    const plan = storage.explainQuery('m', 'Group', { filter: { kind: 'valuePath', path: { attr: 'members' }, filter: value }, count: 10 }).join(' | ');
    expect(plan).toMatch(/INDEX members_member/);
  });
});

// Edge operands: "" (every string starts/ends with and contains it) and NUL (SQLite's LIKE/substr stop at NUL).
describe('sqlite string operands at the edges', () => {
  const storage = openSqliteStorage(':memory:');
  afterAll(() => storage.close());
  it('sw/ew/co "" select every user with the attribute; a NUL operand matches like the in-memory evaluator', async () => {
    await storage.createTenant('edge');
    await storage.transaction('edge', async (tx) => {
      await tx.insertResource('User', 'a', { userName: 'a@example.com', externalId: 'ext-a' });
      await tx.insertResource('User', 'b', { userName: 'b@example.com' });
    });
    const count = async (attr: string, op: 'sw' | 'ew' | 'co', value: string) =>
      (await storage.tenantStore('edge').query('User', { filter: { kind: 'compare', path: { attr }, op, value } })).totalResults;
    for (const op of ['sw', 'ew', 'co'] as const) {
      expect(await count('externalId', op, '')).toBe(1);
      expect(await count('userName', op, '')).toBe(2);
      expect(await count('userName', op, '\u0000')).toBe(0);
      expect(await count('externalId', op, '\u0000')).toBe(0);
    }
  });
});
