// Production-mode benchmark: Entra's request mix against the service on PostgreSQL with 1 and 2
// service processes, next to the same mix on SQLite, with 100,000 users and a 100,000-member group;
// RSS of a service process at 100,000 users; start-up time to ready. Writes BENCHMARKS.md (section
// `postgres`). Run: npm run bench:postgres   (env BENCH_USERS, BENCH_DURATION_S to scale down)
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createTestSchema } from '../service/test/postgres/support/database.js';
import { startServiceProcess, type ServiceProcess } from '../service/test/resilience/support/service-process.js';
import { patchSchema, runConcurrently, scimClient, type ScimResource } from '../service/test/resilience/support/scim-client.js';

const users = Number(process.env.BENCH_USERS ?? 100_000);
const durationS = Number(process.env.BENCH_DURATION_S ?? 10);
const tenant = 'bench';
const token = randomBytes(24).toString('hex');
const connections = 20;

interface MixResult {
  label: string;
  processes: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

const baseEnv = { SCIM_TENANT: tenant, SCIM_TOKEN: token, LOG_LEVEL: 'warn', SCIM_RATE_LIMIT_PER_MINUTE: '100000000', SCIM_WEBHOOKS_ENABLED: 'true' };

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

async function seed(service: ServiceProcess): Promise<{ ids: string[]; groupId: string }> {
  const client = scimClient(service.url, tenant, token, { timeoutMs: 60_000 });
  const started = Date.now();
  const results = await runConcurrently(
    Array.from({ length: users }, (_, i) => async () => {
      const res = await client.createUser(`user${i}@bench.example.com`, { externalId: `ext-${i}`, name: { givenName: `Given${i}`, familyName: `Family${i}` } });
      if (res.status !== 201) throw new Error(`seeding user ${i}: ${res.status} ${res.text}`);
      return (res.body as ScimResource).id;
    }),
    32,
  );
  const group = await client.createGroup('All users');
  const groupId = (group.body as ScimResource).id;
  for (let i = 0; i < results.length; i += 1000) {
    const res = await client.addMembers(groupId, results.slice(i, i + 1000));
    if (res.status !== 204) throw new Error(`seeding members: ${res.status} ${res.text}`);
  }
  console.log(`  seeded ${users} users + a ${users}-member group in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { ids: results, groupId };
}

/** Entra's mix per connection: test connection, matches, create, updates, member batches. */
function mixRequests(ids: string[], groupId: string, label: string) {
  const pick = () => ids[Math.floor(Math.random() * ids.length)]!;
  const pickIndex = () => Math.floor(Math.random() * ids.length);
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json; charset=utf-8' };
  let created = 0;
  const get = (path: () => string) => ({ method: 'GET' as const, headers: auth, setupRequest: (req: { path: string }) => ({ ...req, path: path() }) });
  const match = get(() => `/scim/${tenant}/Users?filter=${encodeURIComponent(`userName eq "user${pickIndex()}@bench.example.com"`)}`);
  return [
    get(() => `/scim/${tenant}/Users?filter=${encodeURIComponent(`userName eq "${randomUUID()}"`)}`),
    match,
    match,
    get(() => `/scim/${tenant}/Users?filter=${encodeURIComponent(`externalId eq "ext-${pickIndex()}"`)}`),
    match,
    {
      method: 'POST' as const,
      headers: auth,
      setupRequest: (req: { path: string }) => ({
        ...req,
        path: `/scim/${tenant}/Users`,
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `new-${label}-${process.pid}-${created++}-${randomBytes(3).toString('hex')}@bench.example.com`, active: true }),
      }),
    },
    {
      method: 'PATCH' as const,
      headers: auth,
      setupRequest: (req: { path: string }) => ({
        ...req,
        path: `/scim/${tenant}/Users/${pick()}`,
        body: JSON.stringify({ schemas: [patchSchema], Operations: [{ op: 'Replace', path: 'title', value: `T${Math.random()}` }, { op: 'Replace', path: 'active', value: 'True' }] }),
      }),
    },
    {
      method: 'PATCH' as const,
      headers: auth,
      setupRequest: (req: { path: string }) => {
        const member = pick();
        return {
          ...req,
          path: `/scim/${tenant}/Groups/${groupId}`,
          body: JSON.stringify({
            schemas: [patchSchema],
            Operations: [
              { op: 'Remove', path: 'members', value: [{ value: member }] },
              { op: 'Add', path: 'members', value: [{ $ref: null, value: member }] },
            ],
          }),
        };
      },
    },
  ];
}

async function runMix(label: string, services: ServiceProcess[], ids: string[], groupId: string): Promise<MixResult> {
  // Warm-up, then the measured run; each process gets its share of the connections.
  const once = (seconds: number) =>
    Promise.all(
      services.map((s) =>
        autocannon({
          url: s.url,
          connections: Math.max(1, Math.round(connections / services.length)),
          duration: seconds,
          requests: mixRequests(ids, groupId, label),
        }),
      ),
    );
  await once(2);
  const results = await once(durationS);
  const total = results.reduce((sum, r) => sum + r.requests.average, 0);
  return {
    label,
    processes: services.length,
    requestsPerSecond: Math.round(total),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
}

async function startupMs(env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const service = await startServiceProcess({ env, readyTimeoutMs: 30_000 });
  const elapsed = performance.now() - started;
  await service.stop();
  return Math.round(elapsed);
}

async function main(): Promise<void> {
  const results: MixResult[] = [];
  const extra: string[] = [];

  console.log('PostgreSQL:');
  const schema = await createTestSchema(undefined, 'bench_pg');
  const pgEnv = { ...baseEnv, DATABASE_URL: schema.url, PG_POOL_MAX: '10' };
  try {
    const first = await startServiceProcess({ env: pgEnv, readyTimeoutMs: 30_000 });
    const { ids, groupId } = await seed(first);
    results.push(await runMix('PostgreSQL', [first], ids, groupId));
    const pgRss = rssMb(first.pid);
    const second = await startServiceProcess({ env: pgEnv, readyTimeoutMs: 30_000 });
    results.push(await runMix('PostgreSQL', [first, second], ids, groupId));
    const pgRssAfter = Math.max(rssMb(first.pid), rssMb(second.pid));
    await Promise.all([first.stop(), second.stop()]);
    const pgStart = await startupMs(pgEnv);
    extra.push(`| PostgreSQL | ${pgRss} MB after the 1-process run, ${pgRssAfter} MB max after the 2-process run | ${pgStart} ms |`);
  } finally {
    await schema.drop();
  }

  console.log('SQLite:');
  const file = join(tmpdir(), `scim-bench-${process.pid}.db`);
  const sqliteEnv = { ...baseEnv, DATABASE_URL: `sqlite:${file}` };
  try {
    const service = await startServiceProcess({ env: sqliteEnv, readyTimeoutMs: 30_000 });
    const { ids, groupId } = await seed(service);
    results.push(await runMix('SQLite', [service], ids, groupId));
    const rss = rssMb(service.pid);
    await service.stop();
    const start = await startupMs(sqliteEnv);
    extra.push(`| SQLite | ${rss} MB | ${start} ms |`);
  } finally {
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(file + suffix)) rmSync(file + suffix);
  }

  const sqlite = results.find((r) => r.label === 'SQLite')!;
  const pg1 = results.find((r) => r.label === 'PostgreSQL' && r.processes === 1)!;
  const ratio = sqlite.requestsPerSecond / pg1.requestsPerSecond;
  const rssValues = extra.map((line) => Number(/\| ([\d.]+) MB/.exec(line)?.[1] ?? 0));
  const startValues = extra.map((line) => Number(/\| (\d+) ms \|$/.exec(line)?.[1] ?? 0));
  const cpu = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`;
  const pgVersion = execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', 'test', '-Atc', 'show server_version']).toString().trim();

  const lines = [
    '<!-- bench:postgres:start -->',
    '## Production mode: PostgreSQL, replicas, memory, start-up',
    '',
    `Command: \`npm run bench:postgres\` (${new Date().toISOString().slice(0, 10)}, ${cpu}, PostgreSQL ${pgVersion} on the same machine, Node ${process.version}).`,
    `Store: ${users.toLocaleString('en-US')} users and one ${users.toLocaleString('en-US')}-member group, seeded through the SCIM API. ` +
      `Mix per connection (${connections} connections, ${durationS} s after a 2 s warm-up): test connection (\`userName eq\` random GUID), 3 × \`userName eq\`, \`externalId eq\`, POST user, PATCH user (title + \`"True"\`), PATCH of the big group (remove + add one member). ` +
      'Load generator (autocannon) and service processes share the machine.',
    '',
    '| Engine | Service processes | Requests/s | p50 ms | p99 ms | non-2xx | errors |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...results.map((r) => `| ${r.label} | ${r.processes} | ${r.requestsPerSecond} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`),
    '',
    '| Engine | RSS of a service process at 100,000 users | Start-up to ready (spawn → `/readyz` 200, tsx) |',
    '| --- | --- | --- |',
    ...extra,
    '',
    'Targets:',
    `- PostgreSQL within 2x of SQLite (1 process): SQLite/PostgreSQL = ${ratio.toFixed(2)} → ${ratio <= 2 ? 'met' : 'NOT met'}.`,
    `- RSS under 150 MB: max ${Math.max(...rssValues)} MB → ${Math.max(...rssValues) < 150 ? 'met' : 'NOT met'}.`,
    `- Ready in under 1 s: max ${Math.max(...startValues)} ms → ${Math.max(...startValues) < 1000 ? 'met' : 'NOT met'}.`,
    '<!-- bench:postgres:end -->',
  ];
  writeSection(lines.join('\n'));
  console.log(lines.join('\n'));
}

function writeSection(section: string): void {
  const path = new URL('../BENCHMARKS.md', import.meta.url);
  const script = `
    const fs = require('node:fs');
    const path = process.argv[1];
    const section = process.argv[2];
    const current = fs.existsSync(path) ? fs.readFileSync(path, 'utf8') : '# Benchmarks\\n';
    const pattern = /<!-- bench:postgres:start -->[\\s\\S]*?<!-- bench:postgres:end -->/;
    const next = pattern.test(current) ? current.replace(pattern, () => section) : current.trimEnd() + '\\n\\n' + section + '\\n';
    fs.writeFileSync(path, next);
  `;
  execFileSync('flock', ['/tmp/entra-bench.lock', process.execPath, '-e', script, path.pathname, section]);
}

void writeFileSync;
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
