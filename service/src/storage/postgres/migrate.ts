// Applies the schema migrations in order, each in its own transaction, under an advisory lock so that
// replicas starting at the same moment never race (the second waits, then finds nothing to do).
import type pg from 'pg';
import { migrations } from './migrations.js';

export interface MigrationResult {
  applied: number[];
}

export async function migrate(pool: pg.Pool, schema: string): Promise<MigrationResult> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    // Lock key derived from the schema name: different schemas migrate independently.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`entra-scim-migrations:${schema}`]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.query(`CREATE TABLE IF NOT EXISTS "${schema}".schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations`);
      const done = new Set(rows.map((r) => r.version));
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(`SET LOCAL search_path TO "${schema}"`);
          await client.query(migration.sql);
          await client.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
          await client.query('COMMIT');
          applied.push(migration.version);
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new Error(`PostgreSQL migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`, { cause: error });
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`entra-scim-migrations:${schema}`]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
  return { applied };
}
