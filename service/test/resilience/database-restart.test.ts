// PostgreSQL stopped (cleanly, then by a crash) and started again while Entra-style load runs. Uses a
// private PostgreSQL instance on its own port, so the shared server other suites use is never touched.
// While the database is away the service answers 503 with Retry-After (Entra retries failed requests,
// entra-scim-client.md §1.2 "Errors, retries, throttling") and /readyz fails; afterwards it recovers by
// itself, and every write acknowledged with 2xx is present.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSchema } from '../postgres/support/database.js';
import { startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.js';
import { startServiceProcess, type ServiceProcess } from './support/service-process.js';
import { scimClient, type ScimClient, type ScimResource } from './support/scim-client.js';

const tenant = 'restart';
const token = randomBytes(24).toString('hex');
let postgres: PrivatePostgres;
let service: ServiceProcess;
let client: ScimClient;

beforeAll(async () => {
  postgres = await startPrivatePostgres();
  service = await startServiceProcess({
    env: { DATABASE_URL: withSchema(postgres.url, 'scim'), SCIM_TENANT: tenant, SCIM_TOKEN: token, PG_CONNECT_TIMEOUT_MS: '500', PG_POOL_MAX: '6' },
  });
  client = scimClient(service.url, tenant, token, { timeoutMs: 20_000 });
});

afterAll(async () => {
  await service?.stop();
  await postgres?.destroy();
});

async function probe(url: string): Promise<number> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(5_000) })).status;
  } catch {
    return -1;
  }
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${service.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface LoadResult {
  acked: string[];
  statuses: Map<number | 'error', number>;
  missingRetryAfter: number;
}

function startLoad(label: string) {
  const result: LoadResult = { acked: [], statuses: new Map(), missingRetryAfter: 0 };
  let running = true;
  const workers = Array.from({ length: 6 }, async (_, w) => {
    for (let i = 0; running; i++) {
      const userName = `${label}${w}-${i}@example.com`;
      let status: number | 'error';
      try {
        const res = await client.createUser(userName);
        status = res.status;
        if (status === 201) result.acked.push(userName);
        if (status === 503 && !/^\d+$/.test(res.headers.get('retry-after') ?? '')) result.missingRetryAfter++;
        if (status === 503) await new Promise((r) => setTimeout(r, 20)); // a client honouring Retry-After, compressed
      } catch {
        status = 'error';
      }
      result.statuses.set(status, (result.statuses.get(status) ?? 0) + 1);
    }
  });
  return {
    result,
    async stop() {
      running = false;
      await Promise.all(workers);
      return result;
    },
  };
}

async function expectAllPresent(userNames: string[]): Promise<void> {
  for (const userName of userNames) {
    const found = await client.findUser(userName);
    expect(found.status).toBe(200);
    expect((found.body as { Resources: ScimResource[] }).Resources.map((r) => r.userName)).toEqual([userName]);
  }
}

describe.each([
  ['stopped cleanly (pg_ctl -m fast)', 'stop' as const],
  ['crashed (pg_ctl -m immediate)', 'kill' as const],
])('PostgreSQL %s during a load', (_title, how) => {
  it('answers 503 + Retry-After and fails /readyz while down, recovers by itself, loses no acknowledged write', async () => {
    expect(await probe(`${service.url}/readyz`)).toBe(200);
    const load = startLoad(`${how}-`);
    await until(async () => load.result.acked.length >= 30, 'writes before the outage');

    await (how === 'stop' ? postgres.stop() : postgres.kill());
    await until(async () => (load.result.statuses.get(503) ?? 0) >= 5, '503 answers while the database is down');
    expect(await probe(`${service.url}/readyz`)).toBe(503);
    expect(await probe(`${service.url}/healthz`)).toBe(200); // the process itself is alive
    const ackedBeforeRestart = load.result.acked.length;

    await postgres.start();
    await until(async () => (await probe(`${service.url}/readyz`)) === 200, '/readyz to recover');
    await until(async () => load.result.acked.length >= ackedBeforeRestart + 30, 'writes after the database came back');
    const result = await load.stop();

    // Only success or "unavailable, retry later": never a 500, never a dropped connection.
    expect([...result.statuses.keys()].sort()).toEqual([201, 503]);
    expect(result.missingRetryAfter).toBe(0);
    await expectAllPresent(result.acked);
  });
});
