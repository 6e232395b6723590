// Regression: foreign-key checks and ON DELETE CASCADE actions run as plans PostgreSQL caches per
// connection. Planned while the tables were (nearly) empty, an index leading with (tenant) could be kept for
// the lookup by (tenant, id) with "Filter: id = $2", so every insert read every row of the tenant: seeding
// slowed with the table's size (O(n²)). Migration 3 leaves no such index; this test counts the tuples read.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgresStorage, type PostgresStorage } from '../../src/storage/postgres/engine.js';
import { createTestSchema, sharedServerUrl, type TestSchema } from './support/database.js';

let schema: TestSchema;
let storage: PostgresStorage;
let raw: pg.Client;
const tenant = 'fk';

beforeAll(async () => {
  schema = await createTestSchema(undefined, 'scim_fk');
  // One connection, so the plans cached while the tables were empty are the ones every later write uses.
  const url = new URL(schema.url);
  url.searchParams.set('pool_max', '1');
  storage = await openPostgresStorage(url.toString());
  await storage.createTenant(tenant);
  raw = new pg.Client({ connectionString: sharedServerUrl });
  await raw.connect();
});
afterAll(async () => {
  await raw?.end();
  await storage?.close();
  await schema?.drop();
});

/** Tuples read by index and sequential scans of the resource tables, as the cumulative statistics count them. */
async function tuplesRead(): Promise<number> {
  const { rows } = await raw.query<{ n: string }>(
    `SELECT (SELECT coalesce(sum(idx_tup_read), 0) FROM pg_stat_user_indexes WHERE schemaname = $1 AND relname IN ('resources', 'emails', 'members'))
          + (SELECT coalesce(sum(seq_tup_read), 0) FROM pg_stat_user_tables WHERE schemaname = $1 AND relname IN ('resources', 'emails', 'members')) AS n`,
    [schema.name],
  );
  return Number(rows[0]!.n);
}

async function readsPerIndex(): Promise<Record<string, number>> {
  const { rows } = await raw.query<{ name: string; n: string }>(
    `SELECT indexrelname AS name, idx_tup_read AS n FROM pg_stat_user_indexes WHERE schemaname = $1 AND idx_tup_read > 0`, [schema.name]);
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.n)]));
}

/** A backend flushes its statistics when it exits: close the storage, then wait until the figure settles. */
async function tuplesReadAfterClose(): Promise<number> {
  await storage.close();
  let last = -1;
  for (let i = 0; i < 40; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await tuplesRead();
    if (now === last && now > 0) return now;
    last = now;
  }
  return last;
}

it('inserts, member adds and deletes read O(1) rows each, not the whole tenant, after plans were made on empty tables', async () => {
  // First writes on empty tables: the foreign-key check and cascade plans are made now.
  const groupId = randomUUID();
  const firstUser = randomUUID();
  await storage.transaction(tenant, async (tx) => {
    await tx.insertResource('User', firstUser, { userName: 'first@example.com', emails: [{ value: 'first@example.com' }] });
    await tx.insertResource('Group', groupId, { displayName: 'Everyone' });
    await tx.addMembers(groupId, [{ value: firstUser }]);
  });
  await storage.transaction(tenant, (tx) => tx.deleteResource('User', firstUser));

  const n = 2000;
  const ids = Array.from({ length: n }, () => randomUUID());
  await storage.transaction(tenant, async (tx) => {
    for (const [i, id] of ids.entries()) {
      await tx.insertResource('User', id, { userName: `user${i}@example.com`, externalId: `ext-${i}`, emails: [{ type: 'work', value: `user${i}@example.com` }] });
    }
  });
  for (const id of ids) await storage.transaction(tenant, (tx) => tx.addMembers(groupId, [{ value: id }]));
  for (const id of ids.slice(0, 200)) await storage.transaction(tenant, (tx) => tx.deleteResource('User', id));
  const read = await tuplesReadAfterClose();

  const operations = 4 + n + n + 200;
  // Each operation touches a handful of rows (its key lookups); a walk of the tenant would read ~n/2 each (millions in all).
  expect(read).toBeGreaterThan(0);
  expect(read, `tuples read per index: ${JSON.stringify(await readsPerIndex())}`).toBeLessThan(operations * 10);
}, 120_000);
