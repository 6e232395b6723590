// Service configuration: from environment variables in process mode, the same fields programmatically in tests.
import { readFileSync } from 'node:fs';
import { defaultDatabaseUrl } from './storage/index.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ServiceConfig {
  /** Default 8080; 0 picks a free port (tests). */
  port: number;
  host: string;
  /** `sqlite:<path>` (default `sqlite:./data/scim.db`), `sqlite::memory:`, or `postgres://…`. */
  databaseUrl: string;
  /** Tenant bootstrapped at start (created if missing) together with `token`. */
  tenant?: string;
  /** Bearer token for `tenant`; stored hashed only. */
  token?: string;
  /** File holding the token (e.g. a Key Vault secret mounted by Container Apps). */
  tokenFile?: string;
  /** Bearer token of the admin API. */
  adminToken?: string;
  /** When set, GET /metrics requires this bearer token (checked by the observability extension). */
  metricsToken?: string;
  logLevel: LogLevel;
  /** Requests per minute per tenant before 429; 0 disables the limit. */
  rateLimitPerMinute: number;
  /** Largest accepted request body; larger → 413. */
  bodyLimitBytes: number;
  /** How long tenant settings and active token hashes are cached per replica (ms; 0 = read on every request). */
  authCacheMs?: number;
}

export const defaultConfig: ServiceConfig = {
  port: 8080,
  host: '0.0.0.0',
  databaseUrl: defaultDatabaseUrl,
  logLevel: 'info',
  rateLimitPerMinute: 6000,
  bodyLimitBytes: 1024 * 1024,
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const logLevels: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  return value;
}

/** Reads the configuration from environment variables (see service/README.md). */
export function loadConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const logLevel = (env.LOG_LEVEL ?? defaultConfig.logLevel).toLowerCase() as LogLevel;
  if (!logLevels.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${logLevels.join(', ')} (got "${env.LOG_LEVEL}")`);
  let databaseUrl = env.DATABASE_URL?.trim() || '';
  if (!databaseUrl && env.SCIM_SQLITE_PATH) databaseUrl = `sqlite:${env.SCIM_SQLITE_PATH}`;
  const config: ServiceConfig = {
    port: integer(env, 'PORT', defaultConfig.port, 0, 65535),
    host: env.HOST?.trim() || defaultConfig.host,
    databaseUrl: databaseUrl || defaultConfig.databaseUrl,
    logLevel,
    rateLimitPerMinute: integer(env, 'SCIM_RATE_LIMIT_PER_MINUTE', defaultConfig.rateLimitPerMinute, 0, 10_000_000),
    bodyLimitBytes: integer(env, 'SCIM_BODY_LIMIT_BYTES', defaultConfig.bodyLimitBytes, 1024, 100 * 1024 * 1024),
    authCacheMs: integer(env, 'SCIM_AUTH_CACHE_MS', 1000, 0, 60_000),
  };
  if (env.SCIM_TENANT) config.tenant = env.SCIM_TENANT.trim();
  if (env.SCIM_TOKEN) config.token = env.SCIM_TOKEN;
  if (env.SCIM_TOKEN_FILE) config.tokenFile = env.SCIM_TOKEN_FILE;
  if (env.SCIM_ADMIN_TOKEN) config.adminToken = env.SCIM_ADMIN_TOKEN;
  if (env.SCIM_METRICS_TOKEN) config.metricsToken = env.SCIM_METRICS_TOKEN;
  if (config.token && config.tokenFile) throw new ConfigError('set either SCIM_TOKEN or SCIM_TOKEN_FILE, not both');
  if ((config.token || config.tokenFile) && !config.tenant) throw new ConfigError('SCIM_TOKEN / SCIM_TOKEN_FILE need SCIM_TENANT (the tenant the token belongs to)');
  return config;
}

/** The bootstrap token, read from `token` or `tokenFile` (trailing newline trimmed). */
export function bootstrapToken(config: ServiceConfig): string | undefined {
  if (config.token) return config.token;
  if (!config.tokenFile) return undefined;
  let text: string;
  try {
    text = readFileSync(config.tokenFile, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(`cannot read SCIM_TOKEN_FILE ${config.tokenFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (!text) throw new ConfigError(`SCIM_TOKEN_FILE ${config.tokenFile} is empty`);
  return text;
}

export const tenantNamePattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
