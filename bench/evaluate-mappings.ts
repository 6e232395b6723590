/**
 * Benchmark: evaluate the SHIPPED user mappings (provisioning/mappings.ts, resolved for the `local`
 * environment) for N synthetic users, as review-mappings previews do: compile once, then per user
 * evaluate every mapping and build the SCIM payload Entra would POST. Target: 100,000 users < 2 s.
 *
 *   npx tsx bench/evaluate-mappings.ts [--users N] [--runs R] [--json] [--no-write]
 *
 * Writes its figures and the command into BENCHMARKS.md between <!-- bench:evaluate-mappings --> markers.
 */
import os from 'node:os';
import { writeBenchmarkSection } from './support/benchmarks-file.js';
import { performance } from 'node:perf_hooks';
import type { SourceObject, Value } from '../expressions/index.js';
import {
  appRoles,
  compileMappings,
  environments,
  evaluateObject,
  provisioningModel,
  resolveModel,
  toScimPayload,
} from '../provisioning/index.js';

const help = `Usage: npx tsx bench/evaluate-mappings.ts [--users N] [--runs R] [--json] [--no-write]
Evaluates the shipped user mappings for N synthetic users (default 100000), R timed runs (default 3),
and records the figures in BENCHMARKS.md.
  --users N    number of synthetic users
  --runs R     timed runs (the median and best are reported)
  --json       print the figures as JSON
  --no-write   do not update BENCHMARKS.md`;

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  console.log(help);
  process.exit(0);
}
const numberArg = (name: string, fallback: number) => {
  const index = argv.indexOf(name);
  if (index < 0) return fallback;
  const value = Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} must be a positive whole number`);
    process.exit(2);
  }
  return value;
};
const userCount = numberArg('--users', 100_000);
const runs = numberArg('--runs', 3);

const environment = environments.local;
const model = resolveModel(provisioningModel, environment.parameters);
const extension = (name: string) => `extension_${environment.parameters.extensionAppId}_${name}`;

// Synthetic users with the sample directory's gaps: ~10% without mail, ~5% without displayName,
// ~7% disabled, 1-3 roles, a manager for most, extension attributes for most.
const first = ['Adele', 'Zoë', 'Łukasz', 'Björn', 'Megan', 'José', 'Ngozi', 'Hiroshi', 'Anaïs', 'Diego'];
const last = ['Vance', 'Ångström', 'Müller', 'Okafor', 'Tanaka', 'García', 'Bowen', 'Dubois', 'Siciliani', 'Nowak'];
const departments = ['Engineering', 'Security', 'IT', 'Sales', 'Legal', 'Compliance'];
const roleSets = [[appRoles[5]], [appRoles[3], appRoles[5]], [appRoles[4]], [appRoles[0]], [appRoles[1], appRoles[5], appRoles[4]]];

function syntheticUser(i: number): SourceObject {
  const given = first[i % first.length]!;
  const sur = last[(i * 7) % last.length]!;
  const upn = `user${i}@contoso.com`;
  const user: Record<string, Value> = {
    objectId: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    userPrincipalName: upn,
    givenName: given,
    surname: sur,
    accountEnabled: i % 15 === 0 ? 'False' : 'True',
    IsSoftDeleted: i % 15 === 0 ? 'True' : 'False',
    department: departments[i % departments.length]!,
    jobTitle: 'Engineer',
    employeeId: `E${i}`,
    appRoleAssignments: roleSets[i % roleSets.length]!.map((r) => ({ id: r!.id, value: r!.value, displayName: r!.displayName })),
  };
  if (i % 10 !== 0) user.mail = `${given}.${sur}.${i}@contoso.com`.toLowerCase();
  if (i % 20 !== 0) user.displayName = `${given} ${sur}`;
  if (i % 3 !== 0) user.preferredLanguage = 'en-US';
  if (i > 0) user.manager = `00000000-0000-4000-8000-${Math.floor(i / 10).toString(16).padStart(12, '0')}`;
  if (i % 4 !== 0) user[extension('costCenter')] = `CC-${1000 + (i % 50)}`;
  if (i % 5 !== 0) user[extension('signingTeam')] = ['release', 'build', 'platform'][i % 3]!;
  if (i % 6 === 0) user.telephoneNumber = '+1 425 555 0100';
  return user;
}

const users = Array.from({ length: userCount }, (_, i) => syntheticUser(i));
const resolveReference = (id: string) => `ref:${id}`;

function run(count: number) {
  const compileStart = performance.now();
  const compiled = compileMappings(model.users, model.targetDirectory);
  const compileMs = performance.now() - compileStart;
  let exported = 0;
  let problems = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const { values, problems: found } = evaluateObject(compiled, users[i]!);
    const payload = toScimPayload('User', compiled, values, resolveReference);
    exported += values.size;
    problems += found.length;
    if (payload.userName === undefined) throw new Error(`user ${i} has no userName: the benchmark would measure a broken run`);
  }
  const totalMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { compileMs, totalMs, cpuMs: (cpu.user + cpu.system) / 1000, exported, problems };
}

run(Math.min(2_000, userCount)); // warm-up (JIT)
const results = Array.from({ length: runs }, () => run(userCount));
const totals = results.map((r) => r.totalMs).sort((a, b) => a - b);
const median = totals[Math.floor(totals.length / 2)]!;
const cpuTimes = results.map((r) => r.cpuMs).sort((a, b) => a - b);
const medianCpu = cpuTimes[Math.floor(cpuTimes.length / 2)]!;
const figures = {
  users: userCount,
  mappings: model.users.mappings.length,
  runs,
  medianMs: Math.round(median),
  bestMs: Math.round(totals[0]!),
  /** CPU time of this process (user + system): less sensitive than wall time to other work on the machine. */
  medianCpuMs: Math.round(medianCpu),
  microsecondsPerUser: Number(((median * 1000) / userCount).toFixed(2)),
  compileMs: Number(results[0]!.compileMs.toFixed(2)),
  attributesExported: results[0]!.exported,
  problems: results[0]!.problems,
  targetMs: 2000,
  withinTarget: median < 2000,
  node: process.version,
  cpu: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
  date: new Date().toISOString().slice(0, 10),
  /** 1-minute load average when the run ended: other work on the machine skews wall times. */
  loadAverage: Number(os.loadavg()[0]!.toFixed(2)),
};

const command = 'npx tsx bench/evaluate-mappings.ts';
const section = [
  '<!-- bench:evaluate-mappings -->',
  '## Shipped attribute mappings: preview evaluation (bench/evaluate-mappings.ts)',
  '',
  `Command: \`${command}\` (${figures.date}, Node ${figures.node}, ${figures.cpu}, load average ${figures.loadAverage})`,
  '',
  `Evaluates the ${figures.mappings} shipped user mappings (provisioning/mappings.ts, \`local\` environment) and builds the SCIM`,
  `payload for ${figures.users.toLocaleString('en-US')} synthetic users with the sample directory's gaps, ${figures.runs} timed runs after a warm-up.`,
  '',
  '| Figure | Value |',
  '| --- | --- |',
  `| Median wall time, ${figures.users.toLocaleString('en-US')} users | ${figures.medianMs} ms |`,
  `| Best run | ${figures.bestMs} ms |`,
  `| Median CPU time (user + system) | ${figures.medianCpuMs} ms |`,
  `| Per user | ${figures.microsecondsPerUser} µs |`,
  `| Compile ${figures.mappings} mappings (once) | ${figures.compileMs} ms |`,
  `| Attributes exported (first run) | ${figures.attributesExported.toLocaleString('en-US')} |`,
  `| Target | < ${figures.targetMs} ms wall time: ${figures.withinTarget ? 'met' : 'NOT met'}${figures.loadAverage > os.cpus().length ? ' (machine busy: see load average)' : ''} |`,
  '<!-- /bench:evaluate-mappings -->',
].join('\n');

if (!argv.includes('--no-write')) writeBenchmarkSection('evaluate-mappings', section.split('\n').slice(1, -1).join('\n'));

if (argv.includes('--json')) console.log(JSON.stringify(figures, null, 2));
else console.log(section.split('\n').slice(1, -1).join('\n'));
