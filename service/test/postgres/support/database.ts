// A private schema on the shared PostgreSQL server for one test file, so parallel runs never collide.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const sharedServerUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  name: string;
  /** DATABASE_URL selecting this schema (the engine creates it on first connect). */
  url: string;
  drop(): Promise<void>;
}

export function withSchema(baseUrl: string, schema: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set('schema', schema);
  return url.toString();
}

export function uniqueSchemaName(prefix = 'scim_test'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export async function createTestSchema(baseUrl = sharedServerUrl, prefix?: string): Promise<TestSchema> {
  const name = uniqueSchemaName(prefix);
  return {
    name,
    url: withSchema(baseUrl, name),
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
