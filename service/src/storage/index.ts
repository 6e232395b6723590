// Chooses the storage engine from DATABASE_URL: `sqlite:<path>` / `sqlite::memory:` (default
// `sqlite:./data/scim.db`) or `postgres://…` (loaded by dynamic import only when asked for).
import type { Storage } from './contract.js';
import { openSqliteStorage } from './sqlite/engine.js';

export * from './contract.js';

export class StorageConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageConfigError';
  }
}

export const defaultDatabaseUrl = 'sqlite:./data/scim.db';

/** The SQLite file path of a `sqlite:` URL (`:memory:` allowed), or null for other URLs. */
export function sqlitePathOf(databaseUrl: string): string | null {
  if (!databaseUrl.startsWith('sqlite:')) return null;
  let path = databaseUrl.slice('sqlite:'.length);
  if (path.startsWith('//')) path = path.slice(2); // sqlite:///abs/path and sqlite://./rel forms
  if (path === '' ) throw new StorageConfigError('DATABASE_URL "sqlite:" needs a path, e.g. sqlite:./data/scim.db or sqlite::memory:');
  return path;
}

interface PostgresEngineModule {
  openPostgresStorage(databaseUrl: string): Promise<Storage>;
}

export async function openStorage(databaseUrl: string = defaultDatabaseUrl): Promise<Storage> {
  const sqlitePath = sqlitePathOf(databaseUrl);
  if (sqlitePath !== null) return openSqliteStorage(sqlitePath);
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    // The specifier is a variable so the type checker does not require the module to exist yet.
    const specifier = './postgres/engine.js';
    let mod: Partial<PostgresEngineModule>;
    try {
      mod = (await import(specifier)) as Partial<PostgresEngineModule>;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ERR_MODULE_NOT_FOUND') {
        throw new StorageConfigError('DATABASE_URL selects PostgreSQL, but this build has no PostgreSQL engine yet (service/src/storage/postgres/engine.ts); use sqlite:<path> instead');
      }
      throw error;
    }
    if (typeof mod.openPostgresStorage !== 'function') {
      throw new StorageConfigError('service/src/storage/postgres/engine.ts must export openPostgresStorage(databaseUrl)');
    }
    return mod.openPostgresStorage(databaseUrl);
  }
  throw new StorageConfigError(`DATABASE_URL must start with sqlite: or postgres:// (got "${databaseUrl.replace(/\/\/[^@/]*@/, '//***@')}")`);
}
