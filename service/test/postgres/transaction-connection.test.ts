// BEGIN travels with a transaction's first statement and COMMIT with its last (transaction-connection.ts), so
// those statements reach PostgreSQL in a simple-protocol query, as literals or as EXECUTE of a statement prepared
// with SQL PREPARE. These tests hold that both forms mean exactly what the bound parameters mean, against a real
// server, that the prepared statements are planned from the cache, and that Entra's writes cost the round trips
// docs/production.md#round-trips promises.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { StorageUnavailableError } from '../../src/storage/contract.js';
import { openPostgresStorage, type PostgresStorage } from '../../src/storage/postgres/engine.js';
import { inlineParameters, literal, TransactionConnection } from '../../src/storage/postgres/transaction-connection.js';
import { createTestSchema, sharedServerUrl, type TestSchema } from './support/database.js';

let client: pg.Client;
beforeAll(async () => {
  client = new pg.Client({ connectionString: sharedServerUrl });
  await client.connect();
});
afterAll(async () => {
  await client?.end();
});

/** Property: `run` answers a statement exactly as node-postgres's bound parameters do, for any values. */
async function meansTheSameAsBound(db: pg.ClientBase, run: (sql: string, values: unknown[]) => Promise<pg.QueryResult>, numRuns: number): Promise<void> {
  // U+0000 cannot be in PostgreSQL text at all (the engine replaces it before either form is sent).
  const text = fc.string({ unit: 'binary', maxLength: 40 }).map((v) => v.replaceAll('\u0000', ''));
  const sql = 'SELECT $1::text AS t, $2::text[] AS a, $3::bigint AS n, $4::boolean AS b, $5::text AS nothing';
  await fc.assert(
    fc.asyncProperty(text, fc.array(fc.option(text, { nil: null }), { maxLength: 5 }), fc.integer(), fc.boolean(), async (t, a, n, b) => {
      const values = [t, a, n, b, null];
      const bound = await db.query(sql, values);
      const other = await run(sql, values);
      expect(other.rows).toEqual(bound.rows);
      const row = other.rows[0] as Record<string, unknown>;
      expect({ ...row, n: Number(row.n) }).toEqual({ t, a, n, b, nothing: null });
    }),
    { numRuns },
  );
}

describe('inlineParameters', () => {
  it('replaces $n outside quoted literals and refuses a missing parameter', () => {
    expect(inlineParameters("SELECT $1, '$1', $2 || 'it''s $2'", ['a', 2])).toBe("SELECT 'a', '$1', '2' || 'it''s $2'");
    expect(inlineParameters('SELECT $10, $1', Array.from({ length: 10 }, (_, i) => i + 1))).toBe("SELECT '10', '1'");
    expect(() => inlineParameters('SELECT $3', [1, 2])).toThrow(/\$3 but has 2/);
    // What the scan cannot read is refused, not guessed at.
    for (const text of ["SELECT $1 -- it's", 'SELECT /* $1 */ $1', 'SELECT $$x$$, $1', "SELECT E'\\'', $1", 'SELECT $tag$x$tag$, $1']) {
      expect(() => inlineParameters(text, ['a'])).toThrow(/may not contain/);
    }
  });

  it('writes the literals node-postgres would bind: NULL, booleans, numbers, strings with quotes and backslashes, arrays', () => {
    expect(literal(null)).toBe('NULL');
    expect(literal(undefined)).toBe('NULL');
    expect(literal(true)).toBe("'true'");
    expect(literal(42)).toBe("'42'");
    expect(literal("O'Brien")).toBe("'O''Brien'");
    expect(literal('a\\b')).toBe(" E'a\\\\b'");
    expect(literal(['x', null, 'NULL', 'a,b}'])).toBe(`'{"x",NULL,"NULL","a,b}"}'`);
    // Array quoting adds backslashes, so the literal becomes an E'' string with them doubled.
    expect(literal(['say "hi"'])).toBe(String.raw` E'{"say \\"hi\\""}'`);
    expect(() => literal({ a: 1 })).toThrow(TypeError);
    expect(() => literal(Number.NaN)).toThrow(TypeError);
  });

  it('means the same to PostgreSQL as bound parameters, for any text, number, boolean and text array', () =>
    meansTheSameAsBound(client, (sql, values) => client.query(inlineParameters(sql, values)), 300));
});

describe("round trips of Entra's requests on PostgreSQL", () => {
  let schema: TestSchema;
  let storage: PostgresStorage;
  let built: BuiltApp;
  const headers = { authorization: 'Bearer rt-token-0123456789', 'content-type': 'application/scim+json' };
  const patchOp = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

  beforeAll(async () => {
    schema = await createTestSchema(undefined, 'scim_round_trips');
    storage = await openPostgresStorage(schema.url);
    built = await buildApp({ tenant: 'rt', token: 'rt-token-0123456789', logLevel: 'silent', rateLimitPerMinute: 0 }, { storage, keepStorageOpen: true });
  });
  afterAll(async () => {
    await built?.app.close();
    await storage?.close();
    await schema?.drop();
  });

  async function roundTrips(request: InjectOptions): Promise<{ trips: number; status: number; body: string }> {
    const before = storage.stats().statements;
    const res = await built.app.inject({ headers, ...request });
    return { trips: storage.stats().statements - before, status: res.statusCode, body: res.body };
  }

  it('lookup 1, create 1 (insert, audit and outbox with BEGIN and COMMIT), user PATCH 2, member PATCH 4 (the version bump goes with COMMIT)', async () => {
    await roundTrips({ method: 'GET', url: '/scim/rt/Users' }); // fills the tenant/token cache
    const create = (userName: string) => roundTrips({ method: 'POST', url: '/scim/rt/Users', payload: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName } });
    const first = await create('one@example.com');
    expect([first.status, first.trips]).toEqual([201, 1]);
    // A duplicate fails in that one statement: 409, and nothing of it is written.
    const duplicate = await create('ONE@example.com');
    expect(duplicate.status).toBe(409);
    expect((await storage.tenantStore('rt').query('User', { filter: { kind: 'compare', path: { attr: 'userName' }, op: 'eq', value: 'one@example.com' } })).totalResults).toBe(1);
    const u1 = (JSON.parse(first.body) as { id: string }).id;
    const u2 = (JSON.parse((await create('two@example.com')).body) as { id: string }).id;
    const group = await roundTrips({ method: 'POST', url: '/scim/rt/Groups', payload: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'RT', members: [{ value: u1 }] } });
    const g = (JSON.parse(group.body) as { id: string }).id;

    const lookup = await roundTrips({ method: 'GET', url: `/scim/rt/Users?filter=${encodeURIComponent('userName eq "ONE@example.com"')}` });
    expect([lookup.status, lookup.trips]).toEqual([200, 1]);
    expect(JSON.parse(lookup.body)).toMatchObject({ totalResults: 1, Resources: [{ id: u1, groups: [{ value: g, display: 'RT' }] }] });

    const patchUser = await roundTrips({
      method: 'PATCH', url: `/scim/rt/Users/${u1}`,
      payload: { schemas: [patchOp], Operations: [{ op: 'Replace', path: 'title', value: 'Engineer' }, { op: 'Replace', path: 'active', value: 'False' }] },
    });
    expect([patchUser.status, patchUser.trips]).toEqual([200, 2]);
    // The answer still carries the user's groups (read with the locked row).
    expect(JSON.parse(patchUser.body)).toMatchObject({ title: 'Engineer', active: false, groups: [{ value: g }] });

    const patchGroup = await roundTrips({
      method: 'PATCH', url: `/scim/rt/Groups/${g}`,
      payload: { schemas: [patchOp], Operations: [{ op: 'Remove', path: 'members', value: [{ value: u1 }] }, { op: 'Add', path: 'members', value: [{ value: u1 }, { value: u2 }] }] },
    });
    expect([patchGroup.status, patchGroup.trips]).toEqual([204, 4]);
    expect((await storage.tenantStore('rt').listMembers(g)).map((m) => m.value).sort()).toEqual([u1, u2].sort());

    // An unknown member id is a 400 and the rows the statement added roll back.
    const bad = await roundTrips({ method: 'PATCH', url: `/scim/rt/Groups/${g}`, payload: { schemas: [patchOp], Operations: [{ op: 'Remove', path: 'members', value: [{ value: u2 }] }, { op: 'Add', path: 'members', value: [{ value: randomUUID() }] }] } });
    expect(bad.status).toBe(400);
    expect((await storage.tenantStore('rt').listMembers(g)).map((m) => m.value).sort()).toEqual([u1, u2].sort());
  });

  it("a members-only PATCH waits for another writer's lock on the group only in its COMMIT round trip, never on the group's row", async () => {
    const { id: u } = JSON.parse((await built.app.inject({ method: 'POST', url: '/scim/rt/Users', headers, payload: { userName: `${randomUUID()}@example.com` } })).body) as { id: string };
    const { id: g } = JSON.parse((await built.app.inject({ method: 'POST', url: '/scim/rt/Groups', headers, payload: { displayName: `Locked ${u}` } })).body) as { id: string };
    const { id: u2 } = JSON.parse((await built.app.inject({ method: 'POST', url: '/scim/rt/Users', headers, payload: { userName: `${randomUUID()}@example.com` } })).body) as { id: string };
    const addMember = (value: string) =>
      built.app.inject({ method: 'PATCH', url: `/scim/rt/Groups/${g}`, headers, payload: { schemas: [patchOp], Operations: [{ op: 'Add', path: 'members', value: [{ value }] }] } });
    const holder = new pg.Client({ connectionString: sharedServerUrl });
    await holder.connect();
    try {
      // A lock on the group's resources row alone (its document) does not stop a member change (migration 7).
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM "${schema.name}".resources WHERE tenant = 'rt' AND id = $1 FOR NO KEY UPDATE`, [g]);
      const first = await addMember(u);
      expect(first.statusCode).toBe(204);
      await holder.query('ROLLBACK');
      // A writer of the group (a locked read locks its version row too) makes it wait, at the version bump only,
      // which travels with COMMIT: the lock is held for one round trip inside PostgreSQL, never across the service.
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM "${schema.name}".group_versions WHERE tenant = 'rt' AND group_id = $1 FOR NO KEY UPDATE`, [g]);
      const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const before = storage.stats().statements;
      const patch = addMember(u2);
      let blocked = false;
      for (let i = 0; i < 100 && !blocked; i++) {
        await new Promise((r) => setTimeout(r, 20));
        blocked = (await client.query('SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [holderPid])).rows.length > 0;
      }
      expect(blocked).toBe(true);
      // Read and member rows went through (two round trips done); it waits in its third and last, with COMMIT.
      const doneWhileBlocked = storage.stats().statements - before;
      expect(doneWhileBlocked).toBe(2);
      // The holder bumps the version meanwhile: the PATCH's ETag and event carry the version after both.
      await holder.query(`UPDATE "${schema.name}".group_versions SET version = version + 1 WHERE tenant = 'rt' AND group_id = $1`, [g]);
      await holder.query('COMMIT');
      const second = await patch;
      expect(second.statusCode).toBe(204);
      expect(storage.stats().statements - before).toBe(doneWhileBlocked + 1);
      const versionOf = (etag: unknown) => Number(/"(\d+)"/.exec(String(etag))?.[1]);
      expect(versionOf(second.headers.etag)).toBe(versionOf(first.headers.etag) + 2);
      const { rows: events } = await client.query<{ data: { version?: number } }>(
        `SELECT data FROM "${schema.name}".events WHERE resource_id = $1 AND type = 'group.updated' ORDER BY position`, [g],
      );
      expect(events.map((e) => e.data.version)).toEqual([versionOf(first.headers.etag), versionOf(second.headers.etag)]);
    } finally {
      await holder.end();
    }
    expect((await storage.tenantStore('rt').listMembers(g)).map((m) => m.value).sort()).toEqual([u, u2].sort());
  });

  it('a connection lost before COMMIT or ROLLBACK answers StorageUnavailableError (503), not a driver error', async () => {
    const name = `rt-lost-${randomUUID().slice(0, 8)}`;
    const lossy = await openPostgresStorage(`${schema.url}&application_name=${name}`);
    try {
      for (const rollback of [true, false]) {
        const work = lossy.transaction('rt', async (tx) => {
          await tx.getResource('User', randomUUID()); // BEGIN went with it: the transaction is open
          await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle in transaction'", [name]);
          return 'done';
        }, { rollback });
        await expect(work).rejects.toBeInstanceOf(StorageUnavailableError);
      }
    } finally {
      await lossy.close();
    }
  });

  it('prepared statements keep working when a migration adds a column to a table they read', async () => {
    // One connection, so the second call runs on the connection that prepared the statement.
    const single = await openPostgresStorage(`${schema.url}&pool_max=1`);
    try {
      const before = await single.activeTokens('rt');
      await single.listAudit('rt', { limit: 1 });
      await client.query(`ALTER TABLE "${schema.name}".tokens ADD COLUMN later_column text`);
      await client.query(`ALTER TABLE "${schema.name}".audit ADD COLUMN later_column text`);
      expect(await single.activeTokens('rt')).toEqual(before);
      expect(await single.listAudit('rt', { limit: 1 })).toHaveLength(1);
    } finally {
      await single.close();
      await client.query(`ALTER TABLE "${schema.name}".tokens DROP COLUMN later_column`);
      await client.query(`ALTER TABLE "${schema.name}".audit DROP COLUMN later_column`);
    }
  });

  it('migrations 4 and 5: resources pages keep room for HOT updates and autovacuum comes at 2% dead rows', async () => {
    const { rows } = await client.query<{ reloptions: string[] | null }>('SELECT reloptions FROM pg_class WHERE oid = $1::regclass', [`"${schema.name}".resources`]);
    expect(rows[0]?.reloptions).toEqual(expect.arrayContaining(['fillfactor=90', 'autovacuum_vacuum_scale_factor=0.02', 'autovacuum_vacuum_threshold=500']));
  });
});

describe('statements with a name travel as EXECUTE of a statement prepared on the connection', () => {
  let schema: TestSchema;
  let pool: pg.Pool;
  const insert = 'INSERT INTO t (k, v, tags) VALUES ($1, $2, $3)';
  const update = 'UPDATE t SET v = $2 WHERE k = $1';
  const select = 'SELECT k, v, tags FROM t WHERE k = $1';
  const names = new Map([[insert, 'ins'], [update, 'upd'], [select, 'sel']]);
  const namer = (text: string) => names.get(text);

  beforeAll(async () => {
    schema = await createTestSchema(undefined, 'scim_execute');
    await client.query(`CREATE SCHEMA "${schema.name}"`);
    pool = new pg.Pool({ connectionString: sharedServerUrl, max: 1, options: `-c search_path="${schema.name}"` });
    await pool.query('CREATE TABLE t (k text PRIMARY KEY, v text, tags text[])');
  });
  afterAll(async () => {
    await pool?.end();
    await schema?.drop();
  });

  /** Runs `fn` on the pool's only connection (pg_prepared_statements is per connection). */
  async function onConnection(fn: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await pool.connect();
    try {
      await fn(client);
    } finally {
      client.release();
    }
  }

  /** One transaction on the pool's only connection: a deferred insert, a read with BEGIN, an update with COMMIT. */
  async function write(client: pg.PoolClient, k: string, v: string): Promise<{ read: unknown[]; updated: number | null }> {
    const tx = new TransactionConnection(client, namer);
    tx.defer(insert, [k, "it's", ['a', null, 'b"c']]);
    const read = await tx.query(select, [k]);
    const done = await tx.commitWith(update, [k, v]);
    return { read: read.rows, updated: done.rowCount };
  }

  it('prepares once per connection, then executes from the plan cache with the same results as literals', () =>
    onConnection(async (client) => {
      for (let i = 0; i < 8; i++) {
        const { read, updated } = await write(client, `k${i}`, `v${i}`);
        expect(read).toEqual([{ k: `k${i}`, v: "it's", tags: ['a', null, 'b"c'] }]);
        expect(updated).toBe(1);
      }
      const { rows } = await client.query<{ name: string; generic_plans: string; custom_plans: string }>(
        'SELECT name, generic_plans, custom_plans FROM pg_prepared_statements WHERE from_sql ORDER BY name',
      );
      // All three went in batches (the read carried BEGIN and the deferred insert). Each was prepared once (else
      // PREPARE would have failed: the name exists) and has run 8 times; after five custom plans PostgreSQL settled
      // on the generic plan, so it stopped planning these statements.
      expect(rows.map((r) => r.name)).toEqual(['ins_sql', 'sel_sql', 'upd_sql']);
      for (const r of rows) {
        expect(Number(r.generic_plans) + Number(r.custom_plans)).toBe(8);
        expect(Number(r.generic_plans)).toBeGreaterThan(0);
      }
      expect((await client.query('SELECT count(*)::int AS n FROM t')).rows[0]).toEqual({ n: 8 });
    }));

  it('EXECUTE with literal arguments means the same as bound parameters, for any text, number, boolean and text array', () =>
    onConnection(async (client) => {
      await meansTheSameAsBound(client, async (sql, values) => {
        const tx = new TransactionConnection(client, (q) => (q === sql ? 'prop' : undefined));
        const executed = await tx.query(sql, values); // carries BEGIN: EXECUTE prop_sql('…', …)
        await tx.commit();
        return executed;
      }, 200);
      const { rows } = await client.query("SELECT 1 FROM pg_prepared_statements WHERE name = 'prop_sql'");
      expect(rows).toHaveLength(1); // prepared once, executed every time
    }));

  it('plans the statements of a transaction once (generic plans from the first execution), and only inside it', () =>
    onConnection(async (client) => {
      const remove = 'DELETE FROM t WHERE k = ANY($1::text[]) RETURNING k';
      for (let i = 0; i < 8; i++) {
        const tx = new TransactionConnection(client, (text) => (text === remove ? 'arr' : namer(text)));
        await tx.query(select, ['none']); // carries BEGIN
        expect((await tx.query(remove, [[`gone-${i}`, 'none']])).rows).toEqual([]); // bound parameters, prepared by node-postgres
        await tx.commit();
      }
      const { rows } = await client.query<{ generic_plans: string; custom_plans: string }>("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = 'arr'");
      // Left to choose, PostgreSQL plans the first five executions for their values (and one with an array
      // parameter on every execution, as pg_stat_statements showed under Entra's mix).
      expect(rows.map((r) => [Number(r.generic_plans), Number(r.custom_plans)])).toEqual([[8, 0]]);
      expect((await client.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode')).rows[0]?.plan_cache_mode).toBe('auto');
    }));

  it('after a failed batch that carried PREPAREs, the connection knows again which statements exist', () =>
    onConnection(async (client) => {
      const other = 'INSERT INTO t (k, v) VALUES ($1, $2)';
      const failing = new TransactionConnection(client, (text) => (text === other ? 'other' : namer(text)));
      // The duplicate key fails the batch after its PREPARE ran: the statement exists although the batch failed.
      failing.defer(other, ['k0', 'dup']);
      await expect(failing.commit()).rejects.toMatchObject({ code: '23505' });
      await failing.rollback();
      // A bad statement fails its own PREPARE: it does not exist, and must not be taken for prepared.
      const bad = 'INSERT INTO later_table (k) VALUES ($1)';
      const badNamer = (text: string) => (text === bad ? 'bad' : namer(text));
      const broken = new TransactionConnection(client, badNamer);
      broken.defer(bad, ['x']);
      await expect(broken.commit()).rejects.toMatchObject({ code: '42P01' });
      await broken.rollback();
      // Once the table exists the statement is prepared for real (EXECUTE of a statement taken for prepared would fail).
      await client.query('CREATE TABLE later_table (k text)');
      const fixed = new TransactionConnection(client, badNamer);
      fixed.defer(bad, ['y']);
      await fixed.commit();
      expect((await client.query('SELECT k FROM later_table')).rows).toEqual([{ k: 'y' }]);

      const again = new TransactionConnection(client, (text) => (text === other ? 'other' : namer(text)));
      again.defer(other, ['k-other', 'fine']);
      await again.commit();
      expect((await client.query(select, ['k-other'])).rows).toEqual([{ k: 'k-other', v: 'fine', tags: null }]);
      const { rows } = await client.query<{ name: string }>("SELECT name FROM pg_prepared_statements WHERE from_sql AND name IN ('bad_sql', 'other_sql') ORDER BY name");
      expect(rows.map((r) => r.name)).toEqual(['bad_sql', 'other_sql']);
      // Nothing of the failed batches was written.
      expect((await client.query("SELECT count(*)::int AS n FROM t WHERE v = 'dup' OR k = 'x'")).rows[0]).toEqual({ n: 0 });
    }));
});
