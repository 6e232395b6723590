// Benchmark: Entra's request mix against the SCIM service with 100,000 users (SQLite file, WAL), next to a
// bare Fastify "hello" route measured in the same run as the ceiling; plus adding one member to a 10-member
// group versus a 100,000-member group. Servers run in child processes; autocannon drives them from here.
// The SCIM service runs compiled, started by the command of `npm run start:prod` (service/) as the Docker
// image starts it; LOG_LEVEL=silent, rate limit off.
//
//   npx tsx bench/service-entra-mix.ts [--users=100000] [--duration=10] [--connections=10] [--json] [--no-write]
//
// Writes its figures and the command to BENCHMARKS.md between <!-- bench:service-entra-mix --> markers.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon, { type RawRequest, type Result } from 'autocannon';
import { openStorage } from '../service/src/storage/index.js';
import { startServiceProcess } from '../service/test/resilience/support/service-process.js';
import { writeBenchmarkSection } from './support/benchmarks-file.js';
import { processCpuSeconds } from './support/process-cpu.js';
import { compileService } from './support/compiled-service.js';

const HELP = `Entra request-mix benchmark for the SCIM service (figures → BENCHMARKS.md).

Usage: npx tsx bench/service-entra-mix.ts [options]
  --users=<n>         users in the store (default 100000); the big group has all of them as members
  --duration=<s>      seconds per scenario (default 10)
  --connections=<n>   concurrent connections (default 10)
  --amount=<n>        requests per group-size scenario (default 2000)
  --warmup=<s>        seconds of unmeasured load before each timed scenario (default 2)
  --json              print the results as JSON
  --no-write          do not update BENCHMARKS.md
  --help              this text`;

const TENANT = 'bench';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface Options {
  users: number;
  duration: number;
  connections: number;
  amount: number;
  warmup: number;
  json: boolean;
  write: boolean;
}

function parseArgs(argv: readonly string[]): Options | 'help' {
  const o: Options = { users: 100_000, duration: 10, connections: 10, amount: 2000, warmup: 2, json: false, write: true };
  for (const arg of argv) {
    const [key, value] = arg.split('=', 2) as [string, string | undefined];
    const int = () => {
      const n = Number(value);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${key} needs a positive integer (got "${value ?? ''}")`);
      return n;
    };
    if (key === '--help' || key === '-h') return 'help';
    else if (key === '--users') o.users = int();
    else if (key === '--duration') o.duration = int();
    else if (key === '--connections') o.connections = int();
    else if (key === '--amount') o.amount = int();
    else if (key === '--warmup') o.warmup = int();
    else if (key === '--json') o.json = true;
    else if (key === '--no-write') o.write = false;
    else throw new Error(`unknown argument "${arg}" (see --help)`);
  }
  return o;
}

interface Seeded {
  userIds: string[];
  /** Users in no group, used as the one member added to the small and the big group. */
  spareIds: string[];
  smallGroupId: string;
  bigGroupId: string;
  batchGroupId: string;
  seconds: number;
}

function userDoc(i: number, prefix: string) {
  return {
    schemas: [USER_SCHEMA],
    userName: `${prefix}${i}@contoso.com`,
    externalId: randomUUID(),
    displayName: `User ${i}`,
    name: { givenName: 'Given', familyName: `Family${i}` },
    emails: [{ type: 'work', value: `${prefix}${i}@contoso.com`, primary: true }],
    active: true,
  };
}

/** Seeds through the storage contract directly (one transaction per 5,000 rows): the HTTP path is what is measured. */
async function seed(databaseUrl: string, users: number, spare: number): Promise<Seeded> {
  const started = performance.now();
  const storage = await openStorage(databaseUrl);
  try {
    await storage.createTenant(TENANT);
    const userIds: string[] = [];
    const spareIds: string[] = [];
    const chunk = 5000;
    for (let start = 0; start < users + spare; start += chunk) {
      await storage.transaction(TENANT, async (store) => {
        for (let i = start; i < Math.min(start + chunk, users + spare); i++) {
          const id = randomUUID();
          await store.insertResource('User', id, i < users ? userDoc(i, 'user') : userDoc(i - users, 'spare'));
          (i < users ? userIds : spareIds).push(id);
        }
      });
    }
    const group = async (displayName: string, members: string[]) => {
      const id = randomUUID();
      await storage.transaction(TENANT, (store) => store.insertResource('Group', id, { schemas: [GROUP_SCHEMA], displayName }));
      for (let start = 0; start < members.length; start += chunk) {
        await storage.transaction(TENANT, (store) =>
          store.addMembers(id, members.slice(start, start + chunk).map((value) => ({ value, type: 'User' }))),
        );
      }
      return id;
    };
    const smallGroupId = await group('Ten members', userIds.slice(0, 10));
    const bigGroupId = await group('Everyone', userIds);
    const batchGroupId = await group('Batch target', []);
    return { userIds, spareIds, smallGroupId, bigGroupId, batchGroupId, seconds: (performance.now() - started) / 1000 };
  } finally {
    await storage.close();
  }
}

async function startChild(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'service-bench-server.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return { url, child };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

interface Row {
  scenario: string;
  requestsPerSecond: number | null;
  /** CPU time (user + system, all threads) the server process spent per request during the measured run. */
  cpuMicrosPerRequest: number | null;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

function row(scenario: string, r: Result, fixedAmount: boolean, cpu: number | null): Row {
  const requests = r['2xx'] + r.non2xx;
  // A fixed-amount run ends on autocannon's one-second tick, so its requests/s would be an artefact: latency only.
  return {
    scenario,
    requestsPerSecond: fixedAmount ? null : Math.round(r.requests.average),
    cpuMicrosPerRequest: cpu === null || requests === 0 ? null : Math.round((cpu * 1e6) / requests),
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

async function main(): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${(error as Error).message}`);
    return 2;
  }
  if (options === 'help') {
    console.log(HELP);
    return 0;
  }
  const o = options;
  const dir = mkdtempSync(join(tmpdir(), 'scim-bench-'));
  const databaseUrl = `sqlite:${join(dir, 'scim.db')}`;
  const token = randomBytes(32).toString('base64url');
  const children: ChildProcess[] = [];
  const log = (message: string) => {
    if (!o.json) console.log(message);
  };
  try {
    log(`seeding ${o.users} users, a 10-member and a ${o.users}-member group …`);
    const spare = o.amount * 2;
    const seeded = await seed(databaseUrl, o.users, spare);
    log(`seeded in ${seeded.seconds.toFixed(1)} s`);

    const hello = await startChild(['--mode=hello']);
    children.push(hello.child);
    log('compiling the service (tsc -p service/tsconfig.build.json) …');
    const scim = await startServiceProcess({
      nodeArgs: await compileService(),
      env: { DATABASE_URL: databaseUrl, SCIM_TENANT: TENANT, SCIM_TOKEN: token, LOG_LEVEL: 'silent', SCIM_RATE_LIMIT_PER_MINUTE: '0' },
      readyTimeoutMs: 60_000,
    });
    children.push(scim.child);
    const base = `/scim/${TENANT}`;
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json; charset=utf-8' };
    const rows: Row[] = [];
    const pids = new Map<string, number | undefined>([[hello.url, hello.child.pid], [scim.url, scim.pid]]);
    const run = async (scenario: string, url: string, setup: (req: RawRequest) => RawRequest, extra: { amount?: number } = {}) => {
      log(`▶ ${scenario}`);
      if (!extra.amount) {
        // JIT and SQLite page cache warm-up, not measured (the same for the ceiling and the service).
        await autocannon({ url, connections: o.connections, duration: o.warmup, requests: [{ setupRequest: (req) => setup(req) }] });
      }
      const cpuBefore = processCpuSeconds(pids.get(url));
      const result = await autocannon({
        url,
        connections: o.connections,
        ...(extra.amount ? { amount: extra.amount } : { duration: o.duration }),
        requests: [{ setupRequest: (req) => setup(req) }],
      });
      const cpuAfter = processCpuSeconds(pids.get(url));
      rows.push(row(scenario, result, Boolean(extra.amount), cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore));
      const last = rows[rows.length - 1];
      log(`  ${last.requestsPerSecond ?? '—'} req/s, server CPU ${last.cpuMicrosPerRequest ?? '—'} µs/request, p50 ${last.p50} ms, p99 ${last.p99} ms, non-2xx ${last.non2xx}, errors ${last.errors}`);
    };

    // Entra-style query strings: `+` for spaces, %22 quotes (reference §1.2).
    const eqFilter = (attr: string, value: string) => `filter=${attr}+eq+%22${encodeURIComponent(value)}%22`;
    const testConnection = (req: RawRequest): RawRequest => ({ ...req, method: 'GET', path: `${base}/Users?${eqFilter('userName', randomUUID())}`, headers: { ...auth } });
    const lookup = (req: RawRequest): RawRequest => ({
      ...req,
      method: 'GET',
      path: `${base}/Users?${eqFilter('userName', `user${Math.floor(Math.random() * o.users)}@contoso.com`)}`,
      headers: { ...auth },
    });
    let created = 0;
    const runId = randomBytes(3).toString('hex');
    const postUser = (req: RawRequest): RawRequest => ({
      ...req,
      method: 'POST',
      path: `${base}/Users`,
      headers: { ...auth },
      body: JSON.stringify({ ...userDoc(created++, `new-${runId}-`), roles: [] }),
    });
    const patchUser = (req: RawRequest): RawRequest => ({
      ...req,
      method: 'PATCH',
      path: `${base}/Users/${pick(seeded.userIds)}`,
      headers: { ...auth },
      body: JSON.stringify({
        schemas: [PATCH_SCHEMA],
        Operations: [
          { op: 'Replace', path: 'displayName', value: `Renamed ${Math.random()}` },
          { op: 'Replace', path: 'active', value: Math.random() < 0.5 ? 'False' : 'True' },
        ],
      }),
    });
    let batchCursor = 0;
    const memberBatch = (req: RawRequest): RawRequest => {
      const members = Array.from({ length: 10 }, () => ({ value: seeded.userIds[batchCursor++ % seeded.userIds.length] }));
      return {
        ...req,
        method: 'PATCH',
        path: `${base}/Groups/${seeded.batchGroupId}`,
        headers: { ...auth },
        body: JSON.stringify({ schemas: [PATCH_SCHEMA], Operations: [{ op: 'Add', path: 'members', value: members }] }),
      };
    };
    // One incremental cycle's proportions: mostly match lookups, then updates, creates and membership batches.
    const mix = (req: RawRequest): RawRequest => {
      const r = Math.random();
      if (r < 0.05) return testConnection(req);
      if (r < 0.6) return lookup(req);
      if (r < 0.8) return patchUser(req);
      if (r < 0.9) return postUser(req);
      return memberBatch(req);
    };

    await run('bare Fastify GET /hello (ceiling)', hello.url, (req) => ({ ...req, method: 'GET', path: '/hello' }));
    // The cheapest authenticated SCIM answer (token check, hooks, metrics, a 1 kB static body, no storage): no
    // lookup can be faster, so this row shows how much of the ceiling is left to storage and rendering.
    await run('floor: GET /ServiceProviderConfig (authenticated, static body, no storage)', scim.url, (req) => ({ ...req, method: 'GET', path: `${base}/ServiceProviderConfig`, headers: { ...auth } }));
    await run('test connection: GET /Users?filter=userName eq "<random GUID>"', scim.url, testConnection);
    await run('match: GET /Users?filter=userName eq "<existing>"', scim.url, lookup);
    const matchRow = rows[rows.length - 1];
    const floorRow = rows[1];
    await run('create: POST /Users', scim.url, postUser);
    await run('update: PATCH /Users/{id} (Replace displayName + active "False")', scim.url, patchUser);
    await run('group: PATCH /Groups/{id} Add 10 members', scim.url, memberBatch);
    await run('mix: 5% test connection, 55% match, 20% PATCH user, 10% POST user, 10% member batch', scim.url, mix);
    const addOne = (groupId: string, pool: string[]) => {
      let next = 0;
      return (req: RawRequest): RawRequest => ({
        ...req,
        method: 'PATCH',
        path: `${base}/Groups/${groupId}`,
        headers: { ...auth },
        body: JSON.stringify({ schemas: [PATCH_SCHEMA], Operations: [{ op: 'Add', path: 'members', value: [{ value: pool[next++ % pool.length] }] }] }),
      });
    };
    // Timed rows: each request adds or removes (Entra's remove-with-value form) one member, alternately, so the group
    // stays at 10 or at N members for the whole run and the operation is always a real change.
    const addRemove = (groupId: string, pool: string[]) => {
      let k = 0;
      return (req: RawRequest): RawRequest => {
        const value = pool[Math.floor(k / 2) % pool.length];
        const op = k++ % 2 === 0 ? 'Add' : 'Remove';
        return {
          ...req,
          method: 'PATCH',
          path: `${base}/Groups/${groupId}`,
          headers: { ...auth },
          body: JSON.stringify({ schemas: [PATCH_SCHEMA], Operations: [{ op, path: 'members', value: [{ value }] }] }),
        };
      };
    };
    await run('add/remove one member, 10-member group', scim.url, addRemove(seeded.smallGroupId, seeded.spareIds.slice(0, o.amount)));
    await run(`add/remove one member, ${o.users}-member group`, scim.url, addRemove(seeded.bigGroupId, seeded.spareIds.slice(o.amount)));
    // Fixed-amount rows: adds only, each of a user not yet in the group (latency is the figure; runs are too short for req/s).
    await run('add one member to a 10-member group', scim.url, addOne(seeded.smallGroupId, seeded.spareIds.slice(0, o.amount)), { amount: o.amount });
    await run(`add one member to a ${o.users}-member group`, scim.url, addOne(seeded.bigGroupId, seeded.spareIds.slice(o.amount)), { amount: o.amount });

    const ceiling = rows[0].requestsPerSecond ?? 1;
    const match = matchRow.requestsPerSecond ?? 0;
    const smallTimedRate = rows[rows.length - 4].requestsPerSecond ?? 0;
    const bigTimedRate = rows[rows.length - 3].requestsPerSecond ?? 0;
    const small = rows[rows.length - 2];
    const big = rows[rows.length - 1];
    const targets = {
      lookupShareOfCeiling: match / ceiling,
      lookupTargetMet: match >= ceiling * 0.5,
      floorShareOfCeiling: (floorRow.requestsPerSecond ?? 0) / ceiling,
      lookupShareOfFloor: match / Math.max(floorRow.requestsPerSecond ?? 0, 1),
      addOneP50Ratio: big.p50 / Math.max(small.p50, 1),
      changeThroughputRatio: smallTimedRate / Math.max(bigTimedRate, 1),
      addOneTargetMet:
        big.p50 <= Math.max(small.p50, 1) * 2 && bigTimedRate * 2 >= smallTimedRate,
    };
    // Load average at the end: on a shared machine the absolute figures move with it; the ratios much less.
    const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} at the end`;
    const command = `npx tsx bench/service-entra-mix.ts --users=${o.users} --duration=${o.duration} --connections=${o.connections} --amount=${o.amount} --warmup=${o.warmup}`;
    if (o.json) console.log(JSON.stringify({ machine, command, seedSeconds: seeded.seconds, rows, targets }, null, 2));
    if (o.write) writeBenchmarkSection('service-entra-mix', markdown(rows, targets, machine, command, o, seeded.seconds));
    const failures = rows.filter((r) => r.non2xx > 0 || r.errors > 0);
    if (failures.length > 0) {
      console.error(`bench: non-2xx answers or errors in: ${failures.map((f) => f.scenario).join('; ')}`);
      return 1;
    }
    return 0;
  } finally {
    for (const child of children) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

function markdown(rows: Row[], targets: Record<string, number | boolean>, machine: string, command: string, o: Options, seedSeconds: number): string {
  const lines = [
    '## SCIM service: Entra request mix (bench/service-entra-mix.ts)',
    '',
    `Command: \`${command}\` (run ${new Date().toISOString().slice(0, 16)}Z on ${machine}).`,
    `Store: SQLite file (WAL) with ${o.users.toLocaleString('en-US')} users (seeded through the storage contract in ${seedSeconds.toFixed(1)} s),`,
    `a 10-member group and a ${o.users.toLocaleString('en-US')}-member group. Servers run in child processes (the SCIM service compiled,`,
    'started by `npm run start:prod` in service/ as the Docker image starts it, LOG_LEVEL=silent, rate limit off), autocannon with',
    `${o.connections} connections, ${o.duration} s per scenario after ${o.warmup} s of unmeasured warm-up (the two group-size rows:`,
    `${o.amount} requests each, no warm-up, so they measure adds to exactly 10 and ${o.users.toLocaleString('en-US')} members; a fixed-amount`,
    'run ends on autocannon\'s one-second tick, so only its latency is a figure). Server CPU: user + system time of the server',
    'process per request during the measured run (from /proc; the load generator runs on the other core).',
    '',
    '| Scenario | req/s | server CPU µs/request | p50 ms | p99 ms | requests | non-2xx | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.scenario} | ${r.requestsPerSecond ?? '—'} | ${r.cpuMicrosPerRequest ?? '—'} | ${r.p50} | ${r.p99} | ${r.requests} | ${r.non2xx} | ${r.errors} |`),
    '',
    `Targets (issue 2): \`userName eq\` lookups at ≥ 50% of the bare route: ${(Number(targets.lookupShareOfCeiling) * 100).toFixed(0)}% → ${targets.lookupTargetMet ? 'met' : 'NOT met'}.`,
    `For scale: the authenticated static route (floor row) reaches ${(Number(targets.floorShareOfCeiling) * 100).toFixed(0)}% of the bare route, and the lookups ${(Number(targets.lookupShareOfFloor) * 100).toFixed(0)}% of that floor.`,
    `One-member change, ${o.users.toLocaleString('en-US')}-member vs 10-member group: add p50 ratio ${Number(targets.addOneP50Ratio).toFixed(2)}, add/remove throughput ratio ${Number(targets.changeThroughputRatio).toFixed(2)} → within 2x: ${targets.addOneTargetMet ? 'met' : 'NOT met'}.`,
  ];
  return lines.join('\n');
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`bench: ${(error as Error).message}`);
    process.exitCode = 1;
  },
);
