// The storage engines the core HTTP suites run on: SQLite in memory and PostgreSQL in a private schema
// (dropped after the file), so every Entra behaviour is checked on both.
import { createTestSchema } from '../postgres/support/database.js';

export type EngineName = 'sqlite' | 'postgres';
export const engineNames: EngineName[] = ['sqlite', 'postgres'];

export interface EngineDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function engineDatabase(engine: EngineName): Promise<EngineDatabase> {
  if (engine === 'sqlite') return { url: 'sqlite::memory:', drop: async () => {} };
  const schema = await createTestSchema(undefined, 'scim_core');
  return { url: schema.url, drop: () => schema.drop() };
}
