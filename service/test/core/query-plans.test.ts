// Issue 2 §2-3: after a full Entra sequence over HTTP (test connection, match by userName/externalId/email,
// create, update, group create, member batches, removals, deletes), no SQL statement the SQLite engine ran
// walks a whole tenant: every per-request statement seeks an index. Plans, not timings.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startService, type RunningService } from '../../src/index.js';
import { openSqliteStorage, type SqliteStorage } from '../../src/storage/sqlite/engine.js';
import { newUser, patchOp, request } from './support.js';

let storage: SqliteStorage;
let service: RunningService;
const call = (method: string, path: string, body?: unknown) => request(`${service.url}/scim/plans${path}`, method, body, { authorization: 'Bearer plans-token' });
beforeAll(async () => {
  storage = openSqliteStorage(':memory:');
  service = await startService({ port: 0, host: '127.0.0.1', logLevel: 'silent', tenant: 'plans', token: 'plans-token', authCacheMs: 0 }, { storage });
});
afterAll(async () => {
  await service.close();
});

// Statements that legitimately read a range: listing without a filter (paged by the id index), counting the
// tenant's resources, and reading a group's own member rows (the range of one group, for GET/PUT of that group).
const allowedRanges = [
  /ORDER BY r\.id (ASC|DESC) LIMIT/, // unfiltered list: paged along (tenant, type, id)
  /^SELECT COUNT\(\*\) AS n FROM resources r WHERE r\.tenant = \? AND r\.type = '(User|Group)'$/,
  /FROM tokens INDEXED BY tokens_tenant WHERE tenant = \?/, // a tenant's few tokens
  /FROM members WHERE tenant = \? AND group_id = \?( AND member_id > \?)? ORDER BY member_id/,
  /^DELETE FROM members WHERE tenant = \? AND group_id = \?$/,
];

it('no per-request statement scans a table or a whole tenant', async () => {
  const guid = randomUUID();
  await call('GET', `/Users?filter=${encodeURIComponent(`userName eq "${guid}"`)}`);
  await call('GET', `/Users?filter=${encodeURIComponent(`externalId eq "${guid}"`)}`);
  const users: string[] = [];
  for (let i = 0; i < 3; i++) users.push((await call('POST', '/Users', newUser(`plan${i}-${guid}@example.com`))).body.id);
  await call('GET', `/Users?filter=${encodeURIComponent(`emails[type eq "work"].value eq "plan0-${guid}@example.com"`)}`);
  await call('PATCH', `/Users/${users[0]}`, patchOp({ op: 'Replace', path: 'active', value: 'False' }, { op: 'Add', path: 'emails[type eq "home"].value', value: 'h@example.com' }));
  const gid = (await call('POST', '/Groups', { displayName: `Plans ${guid}` })).body.id;
  await call('GET', `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "Plans ${guid}"`)}`);
  await call('PATCH', `/Groups/${gid}`, patchOp({ op: 'Add', path: 'members', value: users.map((value) => ({ value })) }));
  await call('PATCH', `/Groups/${gid}`, patchOp({ op: 'Remove', path: 'members', value: [{ value: users[1] }] }));
  await call('PATCH', `/Groups/${gid}`, patchOp({ op: 'remove', path: `members[value eq "${users[2]}"]` }));
  await call('GET', `/Groups/${gid}?excludedAttributes=members`);
  await call('GET', `/Users/${users[0]}`);
  await call('DELETE', `/Users/${users[0]}`);
  await call('DELETE', `/Groups/${gid}`);
  await call('POST', '/dry-run/Users', newUser(`dry-${guid}@example.com`));

  const plans = storage.preparedPlans().filter(({ sql }) => !/^(PRAGMA|BEGIN|COMMIT|ROLLBACK|INSERT INTO audit|SELECT 1 AS ok)/.test(sql));
  expect(plans.length).toBeGreaterThan(10);
  const offenders = plans.filter(({ sql, plan }) => {
    if (allowedRanges.some((re) => re.test(sql))) return false;
    if (/\bSCAN\b/.test(plan.replace(/USE TEMP B-TREE[^|]*|SCAN \d+-ROW VALUES CLAUSE/g, ''))) return true; // table scan
    return /INDEX \w+ \(tenant=\?\)|INDEX \w+ \(tenant=\? AND type=\?\)/.test(plan); // whole-tenant range
  });
  expect(offenders).toEqual([]);
});
