// Dispatcher settings from the environment (the service is configured only by environment variables).

export interface DispatcherSettings {
  enabled: boolean;
  pollIntervalMs: number;
  requestTimeoutMs: number;
  batchSize: number;
  concurrency: number;
  backoff: { baseMs: number; maxMs: number };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  return value;
}

export function dispatcherSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): DispatcherSettings {
  const enabled = env.SCIM_WEBHOOKS_ENABLED ?? 'true';
  if (enabled !== 'true' && enabled !== 'false') throw new Error(`SCIM_WEBHOOKS_ENABLED must be true or false (got "${enabled}")`);
  const baseMs = integer(env, 'SCIM_WEBHOOK_RETRY_BASE_MS', 1_000, 10, 3_600_000);
  return {
    enabled: enabled === 'true',
    pollIntervalMs: integer(env, 'SCIM_WEBHOOK_POLL_MS', 1_000, 10, 600_000),
    requestTimeoutMs: integer(env, 'SCIM_WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    batchSize: integer(env, 'SCIM_WEBHOOK_BATCH_SIZE', 100, 1, 1_000),
    concurrency: integer(env, 'SCIM_WEBHOOK_CONCURRENCY', 4, 1, 64),
    backoff: { baseMs, maxMs: integer(env, 'SCIM_WEBHOOK_RETRY_MAX_MS', 10 * 60_000, baseMs, 24 * 3_600_000) },
  };
}
