// DATABASE_URL → a bounded pg Pool, and the classification of driver errors into "the database is
// unavailable" (the HTTP layer answers 503 + Retry-After) versus everything else.
import type { TokenCredential } from '@azure/identity';
import pg from 'pg';

export interface PostgresSettings {
  /** Connection string without our own parameters, as pg understands it. */
  connectionString: string;
  /** Schema holding the tables (created if missing); `public` unless `?schema=` is given. */
  schema: string;
  poolMax: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  idleTimeoutMs: number;
  /**
   * `password`: the password in the URL (default). `entra`: Azure Database for PostgreSQL with Microsoft Entra
   * authentication (password auth off, as the prod policy requires): every new connection gets a fresh access token
   * of the managed identity named by AZURE_CLIENT_ID as its password.
   */
  auth: 'password' | 'entra';
}

/** The OAuth scope Azure Database for PostgreSQL accepts Entra access tokens for. */
export const postgresEntraScope = 'https://ossrdbms-aad.database.windows.net/.default';

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Reads our parameters off the URL (`schema`, `pool_max`, `connect_timeout_ms`, `statement_timeout_ms`),
 * with environment fallbacks `PG_POOL_MAX`, `PG_CONNECT_TIMEOUT_MS`, `PG_STATEMENT_TIMEOUT_MS`.
 * Everything else (sslmode, application_name, …) is passed to pg untouched.
 */
export function parsePostgresUrl(databaseUrl: string, env: NodeJS.ProcessEnv = process.env): PostgresSettings {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new Error('DATABASE_URL is not a valid URL; expected postgres://user:password@host:5432/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`DATABASE_URL must start with postgres:// or postgresql:// for the PostgreSQL engine (got ${url.protocol}//)`);
  }
  const take = (name: string): string | undefined => {
    const value = url.searchParams.get(name) ?? undefined;
    url.searchParams.delete(name);
    return value;
  };
  const schema = take('schema') ?? 'public';
  const auth = take('auth') ?? env.PG_AUTH ?? 'password';
  if (auth !== 'password' && auth !== 'entra') {
    throw new Error(`DATABASE_URL auth / PG_AUTH must be "password" or "entra" (got "${auth}")`);
  }
  if (auth === 'entra' && url.password) {
    throw new Error('DATABASE_URL has a password and auth=entra: remove the password, the managed identity\'s token is used instead');
  }
  if (!identifier.test(schema)) {
    throw new Error(`DATABASE_URL schema "${schema}" must be a lower-case SQL identifier (letters, digits, _)`);
  }
  const int = (raw: string | undefined, fallback: number, name: string, min: number, max: number): number => {
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    return n;
  };
  return {
    connectionString: url.toString(),
    schema,
    poolMax: int(take('pool_max') ?? env.PG_POOL_MAX, 10, 'pool_max / PG_POOL_MAX', 1, 1000),
    connectTimeoutMs: int(take('connect_timeout_ms') ?? env.PG_CONNECT_TIMEOUT_MS, 2_000, 'connect_timeout_ms / PG_CONNECT_TIMEOUT_MS', 100, 120_000),
    statementTimeoutMs: int(take('statement_timeout_ms') ?? env.PG_STATEMENT_TIMEOUT_MS, 15_000, 'statement_timeout_ms / PG_STATEMENT_TIMEOUT_MS', 100, 3_600_000),
    idleTimeoutMs: 30_000,
    auth,
  };
}

// pg returns bigint (int8) as string by default; our counts and cursors fit in doubles.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/**
 * A password function for pg that returns an Entra access token, reusing it until 5 minutes before it expires.
 * pg calls it for every new connection, so a long-lived pool keeps working across token lifetimes.
 */
export function entraTokenPassword(
  credential: TokenCredential | (() => Promise<TokenCredential>),
  now: () => number = Date.now,
): () => Promise<string> {
  let cached: { token: string; expiresOnTimestamp: number } | undefined;
  let resolved: TokenCredential | undefined;
  return async () => {
    if (cached && cached.expiresOnTimestamp - 5 * 60_000 > now()) return cached.token;
    resolved ??= typeof credential === 'function' ? await credential() : credential;
    const token = await resolved.getToken(postgresEntraScope);
    if (!token) throw new Error('the managed identity returned no access token for Azure Database for PostgreSQL');
    cached = { token: token.token, expiresOnTimestamp: token.expiresOnTimestamp };
    return token.token;
  };
}

async function managedIdentityCredential(): Promise<TokenCredential> {
  // Loaded only in Entra mode: SQLite and password deployments never import @azure/identity.
  const { DefaultAzureCredential } = await import('@azure/identity');
  const clientId = process.env.AZURE_CLIENT_ID;
  return new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
}

export function createPool(settings: PostgresSettings, credential?: TokenCredential): pg.Pool {
  const password = settings.auth === 'entra' ? entraTokenPassword(credential ?? managedIdentityCredential) : undefined;
  const pool = new pg.Pool({
    ...(password ? { password } : {}),
    connectionString: settings.connectionString,
    max: settings.poolMax,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    idleTimeoutMillis: settings.idleTimeoutMs,
    statement_timeout: settings.statementTimeoutMs,
    // Every connection works in the configured schema; set at connect time, so no extra round trip.
    options: `-c search_path=${settings.schema}`,
    application_name: 'entra-scim',
    keepAlive: true,
  });
  // An idle client losing its connection (database restart) must not crash the process; the pool
  // discards it and the next checkout reconnects.
  pool.on('error', () => undefined);
  // The same for a client that is checked out (mid-transaction) when the server goes away: without a
  // listener pg would raise an unhandled 'error' event and end the process; the failing query rejects anyway.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

const unavailableCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up / recovery)
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
  '57014', // query_canceled (statement_timeout)
  '55P03', // lock_not_available
]);

const unavailableMessages = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection ended unexpectedly',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end',
];

/** True when the error means "the database cannot serve right now" rather than a bug or bad data. */
export function isUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (unavailableCodes.has(code) || code.startsWith('08'))) return true;
  if (unavailableMessages.some((m) => error.message.includes(m))) return true;
  const cause = (error as { cause?: unknown }).cause;
  if (cause && cause !== error) return isUnavailableError(cause);
  if (error instanceof AggregateError) return error.errors.some(isUnavailableError);
  return false;
}

/** Serialization failures and deadlocks: the transaction did nothing and can simply be run again. */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}

export function isUniqueViolation(error: unknown): error is Error & { constraint?: string } {
  return (error as { code?: unknown } | null)?.code === '23505';
}
