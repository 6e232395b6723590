// Benchmark: the emulator's provisioning engine into the real SCIM service on SQLite (a child process,
// so engine and service do not share an event loop). An initial cycle of N users and M groups with
// memberships, managers and group assignments, then an incremental cycle after ~1% changes.
// Writes objects/s and the exact command into BENCHMARKS.md (section bench:emulator-cycle) with --write.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { NON_GALLERY_TEMPLATE_ID, startEmulator, type SeedDirectory } from '../emulator/index.js';
import type { CycleReport } from '../emulator/src/engine/report.js';
import { writeBenchmarkSection } from './support/benchmarks-file.js';
import { processCpuSeconds } from './support/process-cpu.js';

const HELP = `Usage: npx tsx bench/emulator-cycle.ts [options]

Initial provisioning cycle of --users users and --groups groups (each group assigned to the app, with
--members direct members; every user but the first has a manager) from the emulator into the SCIM
service on a SQLite file, then an incremental cycle after changing --changes of the users.

Options:
  --users <n>        users (default 10000)
  --groups <n>       groups (default 1000)
  --members <n>      members per group (default 30)
  --concurrency <n>  objects the engine processes in parallel (default 8)
  --changes <f>      share of users changed before the incremental cycle (default 0.01)
  --write            write the figures into BENCHMARKS.md (section bench:emulator-cycle)
  --json             print the figures as JSON
  --help             show this help
`;

interface Figures {
  command: string;
  date: string;
  machine: string;
  users: number;
  groups: number;
  memberships: number;
  concurrency: number;
  initial: Phase;
  incremental: Phase & { changedUsers: number; changedGroups: number };
}

interface Phase {
  seconds: number;
  /** CPU seconds of the engine (this process) and of the SCIM service (child) during the cycle. */
  engineCpu: number;
  serviceCpu: number;
  objectsPerSecond: number;
  requests: number;
  requestsPerSecond: number;
  created: number;
  updated: number;
  escrowed: number;
  state: string;
}

const guid = (prefix: string, i: number): string => `${prefix}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

function generate(users: number, groups: number, members: number): SeedDirectory {
  const seed: Required<Pick<SeedDirectory, 'users' | 'groups' | 'appRoleAssignments'>> & SeedDirectory = {
    tenantId: '33333333-4444-5555-6666-777777777777', users: [], groups: [], appRoleAssignments: [],
  };
  const departments = ['Engineering', 'Sales', 'Finance', 'Operations', 'Legal'];
  for (let i = 0; i < users; i++) {
    seed.users.push({
      id: guid('a1a1a1a1', i),
      userPrincipalName: `user${i}@bench.example`,
      displayName: `User ${i}`,
      givenName: 'User',
      surname: String(i),
      mail: `user${i}@bench.example`,
      mailNickname: `user${i}`,
      jobTitle: 'Engineer',
      department: departments[i % departments.length],
      employeeId: `E${i}`,
      accountEnabled: true,
      manager: i === 0 ? null : guid('a1a1a1a1', Math.floor((i - 1) / 10)),
    });
  }
  for (let g = 0; g < groups; g++) {
    const ids: string[] = [];
    for (let k = 0; k < members; k++) ids.push(guid('a1a1a1a1', (g * members + k) % users));
    seed.groups.push({ id: guid('b2b2b2b2', g), displayName: `Group ${g}`, members: [...new Set(ids)] });
    seed.appRoleAssignments.push({ principalId: guid('b2b2b2b2', g), appRoleValue: 'RegularUser' });
  }
  return seed;
}

async function startScimChild(db: string, tenant: string, token: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'service-bench-server.ts'), '--mode=scim', `--db=${db}`, `--tenant=${tenant}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_SCIM_TOKEN: token },
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`SCIM service exited with ${code}`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return { url, child };
}

/** user+system CPU seconds of a process from /proc (Linux); NaN elsewhere. */
function procCpu(pid: number | undefined): number {
  return processCpuSeconds(pid) ?? Number.NaN;
}

interface CpuMark { engine: NodeJS.CpuUsage; service: number }
const cpuMark = (pid: number | undefined): CpuMark => ({ engine: process.cpuUsage(), service: procCpu(pid) });

function phase(report: CycleReport, seconds: number, objects: number, requests: number, mark: CpuMark, pid: number | undefined): Phase {
  const used = process.cpuUsage(mark.engine);
  return {
    seconds: Math.round(seconds * 100) / 100,
    engineCpu: Math.round((used.user + used.system) / 1e4) / 100,
    serviceCpu: Math.round((procCpu(pid) - mark.service) * 100) / 100,
    objectsPerSecond: Math.round(objects / seconds),
    requests,
    requestsPerSecond: Math.round(requests / seconds),
    created: report.counts.created,
    updated: report.counts.updated,
    escrowed: report.counts.escrowed,
    state: report.state,
  };
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        users: { type: 'string', default: '10000' },
        groups: { type: 'string', default: '1000' },
        members: { type: 'string', default: '30' },
        concurrency: { type: 'string', default: '8' },
        changes: { type: 'string', default: '0.01' },
        write: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const users = Number(args.users), groups = Number(args.groups), members = Number(args.members), concurrency = Number(args.concurrency), changes = Number(args.changes);
  if (![users, groups, members, concurrency].every((n) => Number.isInteger(n) && n > 0) || !(changes > 0 && changes <= 1)) {
    process.stderr.write('--users, --groups, --members and --concurrency must be positive integers; --changes a fraction in (0, 1].\n');
    return 2;
  }
  const log = (text: string): void => {
    if (!args.json) process.stdout.write(`${text}\n`);
  };

  const dir = mkdtempSync(join(tmpdir(), 'emulator-bench-'));
  const token = 'emulator-bench-token-0123456789abcdef';
  const scim = await startScimChild(`sqlite:${join(dir, "scim.db")}`, "bench", token);
  const seed = generate(users, groups, members);
  const memberships = seed.groups!.reduce((n, g) => n + (g.members?.length ?? 0), 0);
  const emulator = await startEmulator({ seed, engine: { concurrency } });
  emulator.synchronization.options.maxRecordedRequests = 0;
  try {
    const graph = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
      const res = await fetch(`${emulator.url}/v1.0${path}`, { method, headers: { authorization: 'Bearer bench', 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    };
    const created = (await graph('POST', `/applicationTemplates/${NON_GALLERY_TEMPLATE_ID}/instantiate`, { displayName: 'Bench' })) as { application: { id: string; appRoles: unknown[] }; servicePrincipal: { id: string } };
    await graph('PATCH', `/applications/${created.application.id}`, { appRoles: [...created.application.appRoles, { id: '2f4c8b7e-1d3a-4c5e-9f60-1a2b3c4d5e06', value: 'RegularUser', displayName: 'Regular User', description: 'User', allowedMemberTypes: ['User'], isEnabled: true }] });
    const spId = created.servicePrincipal.id;
    const job = (await graph('POST', `/servicePrincipals/${spId}/synchronization/jobs`, { templateId: 'scim' })) as { id: string };
    await graph('PUT', `/servicePrincipals/${spId}/synchronization/secrets`, { value: [{ key: 'BaseAddress', value: `${scim.url}/scim/bench` }, { key: 'SecretToken', value: token }] });
    const syncJob = emulator.synchronization.jobs.get(job.id)!;
    let requests = 0;
    const record = syncJob.engine.record.bind(syncJob.engine);
    syncJob.engine.record = (r) => {
      requests++;
      record(r);
    };

    log(`initial cycle: ${users} users, ${groups} groups, ${memberships} memberships, concurrency ${concurrency} …`);
    let mark = cpuMark(scim.child.pid);
    let started = performance.now();
    const initialReport = await emulator.synchronization.runCycle(syncJob);
    const initial = phase(initialReport, (performance.now() - started) / 1000, users + groups, requests, mark, scim.child.pid);
    log(`  ${initial.seconds} s, ${initial.objectsPerSecond} objects/s, ${initial.requests} SCIM requests, state ${initial.state}, escrowed ${initial.escrowed}; CPU s: engine ${initial.engineCpu}, service ${initial.serviceCpu}`);

    // ~1% changes: job titles of `changes × users` users, one membership swap in `changes × groups` groups.
    const changedUsers = Math.max(1, Math.round(users * changes));
    const changedGroups = Math.max(1, Math.round(groups * changes));
    for (let i = 0; i < changedUsers; i++) {
      const id = guid('a1a1a1a1', Math.floor((i * users) / changedUsers));
      await graph('PATCH', `/users/${id}`, { jobTitle: 'Senior Engineer' });
    }
    for (let g = 0; g < changedGroups; g++) {
      const groupId = guid('b2b2b2b2', Math.floor((g * groups) / changedGroups));
      const memberList = (await graph('GET', `/groups/${groupId}/members?$select=id&$top=1`)) as { value: { id: string }[] };
      await graph('DELETE', `/groups/${groupId}/members/${memberList.value[0].id}/$ref`);
      await graph('POST', `/groups/${groupId}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${guid('a1a1a1a1', (g * 7919) % users)}` }).catch(() => undefined);
    }
    requests = 0;
    mark = cpuMark(scim.child.pid);
    log(`incremental cycle after changing ${changedUsers} users and ${changedGroups} groups …`);
    started = performance.now();
    const incrementalReport = await emulator.synchronization.runCycle(syncJob);
    const seconds = (performance.now() - started) / 1000;
    const incremental = { ...phase(incrementalReport, seconds, incrementalReport.counts.imported, requests, mark, scim.child.pid), changedUsers, changedGroups };
    log(`  ${incremental.seconds} s, ${incrementalReport.counts.imported} objects re-evaluated (${incremental.objectsPerSecond}/s), ${incremental.requests} SCIM requests, state ${incremental.state}`);

    const figures: Figures = {
      command: `npx tsx bench/emulator-cycle.ts --users=${users} --groups=${groups} --members=${members} --concurrency=${concurrency} --changes=${changes}${args.write ? ' --write' : ''}`,
      date: new Date().toISOString().replace(/:\d\d\.\d+Z$/, 'Z'),
      machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end`,
      users, groups, memberships, concurrency, initial, incremental,
    };
    if (args.json) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    if (args.write) writeSection(figures, incrementalReport.counts.imported);
    return initial.escrowed === 0 && incremental.escrowed === 0 ? 0 : 1;
  } finally {
    await emulator.close();
    scim.child.kill('SIGTERM');
    await new Promise((r) => scim.child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

function writeSection(f: Figures, reevaluated: number): void {
  const start = '<!-- bench:emulator-cycle -->';
  const end = '<!-- /bench:emulator-cycle -->';
  const section = `${start}
## Emulator: provisioning cycles into the SCIM service (bench/emulator-cycle.ts)

Command: \`${f.command}\` (run ${f.date} on ${f.machine}; shared machine, other jobs running).
The engine runs in the benchmark process, the SCIM service (SQLite file) in a child process. Directory:
${f.users} users (each but the first with a manager), ${f.groups} groups with ${f.memberships} direct memberships,
every group assigned to the app; default \`scim\` template mappings; ${f.concurrency} objects in flight.

| Cycle | objects | seconds | objects/s | SCIM requests | requests/s | CPU s engine | CPU s service | created | updated | escrowed | state |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
| initial | ${f.users + f.groups} | ${f.initial.seconds} | ${f.initial.objectsPerSecond} | ${f.initial.requests} | ${f.initial.requestsPerSecond} | ${f.initial.engineCpu} | ${f.initial.serviceCpu} | ${f.initial.created} | ${f.initial.updated} | ${f.initial.escrowed} | ${f.initial.state} |
| incremental (${f.incremental.changedUsers} users, ${f.incremental.changedGroups} groups changed) | ${reevaluated} | ${f.incremental.seconds} | ${f.incremental.objectsPerSecond} | ${f.incremental.requests} | ${f.incremental.requestsPerSecond} | ${f.incremental.engineCpu} | ${f.incremental.serviceCpu} | ${f.incremental.created} | ${f.incremental.updated} | ${f.incremental.escrowed} | ${f.incremental.state} |

The initial cycle used ${Math.round((f.initial.engineCpu + f.initial.serviceCpu) * 10) / 10} CPU seconds (engine + service) in ${f.initial.seconds} s of wall time;
the difference is time spent waiting for a CPU (load average above).
Target (issue 4): initial cycle under 60 s → ${f.initial.seconds < 60 ? 'met' : 'NOT met on this run'}. Every object costs Entra's
sequence (match GET + POST, a manager PATCH per user, member PATCHes of 50), so the cycle time is the SCIM service's
per-request latency times ${Math.round(f.initial.requests / (f.users + f.groups) * 10) / 10} requests per object. Entra documents 0.01–0.08 min per object,
i.e. ${Math.round(((f.users + f.groups) * 0.01) / 60)}–${Math.round(((f.users + f.groups) * 0.08) / 60)} h for this directory. The incremental cycle re-evaluates only the changed
objects (and groups whose members changed), so its request count follows the changes, not the directory size.
${end}`;
  writeBenchmarkSection('emulator-cycle', section.slice(start.length, -end.length));
}

process.exitCode = await main();
