// `npm run local`: the whole flow on this machine. Starts the SCIM service (SQLite) and the Entra emulator
// seeded with provisioning/sample-directory.json, creates the enterprise app through the emulator's Graph,
// then runs the real scripts as child processes over HTTP: configure-provisioning, upload-schema,
// verify-provisioning, and a full provisioning cycle (configure-provisioning --start + provisioning-logs --follow).
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { startEmulator } from '../../../emulator/index.js';
import { appRoles, defaultSampleDirectoryPath, isUserAssigned, loadSampleDirectory } from '../../../provisioning/index.js';
import { startService } from '../../../service/src/index.js';
import type { CommandContext, CommandSpec } from '../cli/command.js';
import { CliError, ExitCode } from '../cli/errors.js';
import { table, type Output } from '../cli/output.js';
import { registerSecret } from '../cli/redact.js';
import { createGraphApi, type GraphApi } from '../graph/client.js';
import { instantiateNonGalleryApp } from '../graph/synchronization.js';
import { runScript, type ScriptRun } from './run-script.js';
import { createScimTenant, customSchemasOf } from './scim-tenant.js';

export interface LocalStep {
  name: string;
  script: string | null;
  ok: boolean;
  exitCode: number;
  summary: string;
  durationMs: number;
}

export interface LocalReport {
  ok: boolean;
  scimServiceUrl: string;
  tenantUrl: string;
  graphUrl: string;
  servicePrincipalId: string;
  steps: LocalStep[];
  provisioned: { users: number; groups: number };
  failures: { errorCode: string; count: number; cause: string; fix: string; examples: { identity: string; reason: string | null }[] }[];
}

interface Canaries {
  users: string[];
  groups: string[];
}

/** Canaries from the sample directory: an enabled user assigned to the app, and an assigned group. */
export function pickCanaries(path = defaultSampleDirectoryPath): Canaries {
  const dir = loadSampleDirectory(path);
  const user = dir.users.find((u) => (u as { accountEnabled?: boolean }).accountEnabled !== false && isUserAssigned(dir, u.id));
  const groupIds = new Set(dir.appRoleAssignments.map((a) => a.principalId.toLowerCase()));
  const group = dir.groups.find((g) => groupIds.has(g.id.toLowerCase()));
  return { users: user ? [user.userPrincipalName] : [], groups: group ? [group.displayName] : [] };
}

export async function createEnterpriseApp(api: GraphApi, displayName: string): Promise<{ spId: string; appObjectId: string }> {
  const created = await instantiateNonGalleryApp(api, displayName);
  // The project's app roles, next to the template's own (an enabled role cannot be dropped).
  const app = await api.get<{ appRoles?: Record<string, unknown>[] }>(`/applications/${created.application.id}`, { what: 'read the new application', permission: 'Application.ReadWrite.OwnedBy' });
  const existing = app.appRoles ?? [];
  const ours = appRoles.filter((r) => !existing.some((e) => e.value === r.value)).map((r) => ({ ...r, allowedMemberTypes: [...r.allowedMemberTypes], isEnabled: true }));
  await api.patch(`/applications/${created.application.id}`, { appRoles: [...existing, ...ours] }, { what: 'add the app roles from provisioning/', permission: 'Application.ReadWrite.OwnedBy' });
  return { spId: created.servicePrincipal.id, appObjectId: created.application.id };
}

async function scimCount(tenantUrl: string, token: string, type: 'Users' | 'Groups'): Promise<number> {
  const res = await fetch(`${tenantUrl}/${type}?startIndex=1&count=1`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) return -1;
  return Number(((await res.json()) as { totalResults?: number }).totalResults ?? -1);
}

function summarise(run: ScriptRun): string {
  const j = run.json as Record<string, unknown> | null;
  if (!j) return `exit ${run.exitCode}, no JSON output`;
  if (j.ok === false && j.error) return String((j.error as { message?: string }).message ?? 'failed');
  switch (run.script) {
    case 'configure-provisioning':
      return `job ${String(j.jobId)} ${j.jobCreated ? 'created' : 'reused'}; Test Connection ${(j.testConnection as { ok?: boolean })?.ok ? 'ok' : 'FAILED'}${j.started ? '; job started' : ''}`;
    case 'upload-schema':
      return `${(j.changes as unknown[])?.length ?? 0} change(s)${j.uploaded ? ', uploaded' : ''}${(j.expressionProblems as unknown[])?.length ? `, ${(j.expressionProblems as unknown[]).length} expression problem(s)` : ''}`;
    case 'verify-provisioning': {
      const checks = (j.checks as { status: string }[]) ?? [];
      return `${checks.filter((c) => c.status === 'pass').length}/${checks.length} checks pass`;
    }
    case 'provisioning-logs': {
      const counts = (j.counts as Record<string, number>) ?? {};
      return `${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}; job ${(j.job as { status?: string })?.status ?? '?'}`;
    }
    default:
      return `exit ${run.exitCode}`;
  }
}

async function step(out: Output, steps: LocalStep[], name: string, run: () => Promise<ScriptRun>): Promise<ScriptRun> {
  const progress = out.progress(name);
  const start = Date.now();
  const result = await run();
  const ok = result.exitCode === 0;
  const summary = summarise(result);
  steps.push({ name, script: result.script, ok, exitCode: result.exitCode, summary, durationMs: Date.now() - start });
  if (ok) progress.done(summary);
  else progress.fail(`${summary} (exit ${result.exitCode})`);
  return result;
}

export const localCommand: CommandSpec = {
  name: 'local',
  summary: 'Run the whole flow locally: SCIM service (SQLite) + Entra emulator + the real scripts end to end, then a report.',
  description: 'The service and the emulator stay up until Ctrl-C so you can explore them (SCIM with the printed token file, Graph at the emulator URL); --once exits instead, non-zero when any step fails.',
  options: {
    once: { type: 'boolean', description: 'Exit after the report (exit code 1 when any step failed).' },
    database: { type: 'string', valueName: 'path|:memory:', default: 'data/local-scim.db', description: 'SQLite database of the SCIM service (wiped at start unless --keep-data).' },
    'keep-data': { type: 'boolean', description: 'Keep the SQLite database from the previous run.' },
    'scim-port': { type: 'string', valueName: 'n', default: '0', description: 'Port of the SCIM service (0 = any free port).' },
    'graph-port': { type: 'string', valueName: 'n', default: '0', description: 'Port of the emulator (0 = any free port).' },
    seed: { type: 'string', valueName: 'file.json', description: 'Sample directory to seed the emulator with (default provisioning/sample-directory.json).' },
  },
  examples: ['npm run local', 'npm run local -- --once --json', 'npm run local -- --database :memory: --once'],
  async run(ctx: CommandContext) {
    const out = ctx.out;
    const adminToken = randomBytes(32).toString('base64url');
    registerSecret(adminToken);
    const database = ctx.string('database') ?? 'data/local-scim.db';
    const databaseUrl = database === ':memory:' ? 'sqlite::memory:' : `sqlite:${resolve(database)}`;
    if (database !== ':memory:') {
      await mkdir(dirname(resolve(database)), { recursive: true });
      if (!ctx.flag('keep-data')) for (const suffix of ['', '-wal', '-shm']) await rm(`${resolve(database)}${suffix}`, { force: true });
    }
    const seed = ctx.string('seed') ?? defaultSampleDirectoryPath;
    const tenant = 'local';

    const boot = out.progress('Starting the SCIM service and the Entra emulator');
    const service = await startService({ port: Number(ctx.string('scim-port') ?? 0), host: '127.0.0.1', databaseUrl, adminToken, logLevel: 'warn' }).catch((error: unknown) => {
      const code = (error as { code?: string }).code;
      throw new CliError(`The SCIM service did not start: ${(error as Error).message}`, {
        exitCode: ExitCode.usage,
        code: 'ServiceFailed',
        fix: code === 'EADDRINUSE' ? 'The port is taken: pass another --scim-port, or 0 for any free port.' : `Check --database (${database}) and --scim-port.`,
      });
    });
    // The tenant Entra provisions into, with the custom extension schema(s) the mappings write to.
    const token = await createScimTenant(service.url, adminToken, tenant, customSchemasOf('local')).catch(async (error: unknown) => {
      await service.close();
      throw error;
    });
    const emulator = await startEmulator({ port: Number(ctx.string('graph-port') ?? 0), host: '127.0.0.1', seed }).catch(async (error: unknown) => {
      await service.close();
      const code = (error as { code?: string }).code;
      throw new CliError(`The emulator did not start: ${(error as Error).message}`, { exitCode: ExitCode.usage, code: 'EmulatorFailed', fix: code === 'EADDRINUSE' ? 'The port is taken: pass another --graph-port, or 0 for any free port.' : 'Check --seed (a sample-directory JSON file, docs/sample-directory.md) and --graph-port.' });
    });
    const close = async (): Promise<void> => {
      await Promise.allSettled([emulator.close(), service.close()]);
    };
    const tenantUrl = `${service.url}/scim/${tenant}`;
    boot.done(`SCIM ${service.url}, Graph ${emulator.url}`);

    const steps: LocalStep[] = [];
    const childEnv = { GRAPH_BASE_URL: emulator.url, SCIM_TOKEN: token, GRAPH_ACCESS_TOKEN: '' };
    const onStderr = (line: string): void => out.note(`    ${line}`);
    let spId = '';
    let logs: ScriptRun | null = null;
    try {
      const api = createGraphApi({ graphUrl: emulator.url, env: {} });
      const app = out.progress('Creating the enterprise application (non-gallery template) in the emulator');
      ({ spId } = await createEnterpriseApp(api, 'entra-scim (local)'));
      app.done(`service principal ${spId}`);
      steps.push({ name: 'Create the enterprise application', script: null, ok: true, exitCode: 0, summary: `service principal ${spId}`, durationMs: 0 });
      const common = ['--graph-url', emulator.url, '--service-principal-id', spId];
      const canaries = pickCanaries(seed);

      const configure = await step(out, steps, 'configure-provisioning', () => runScript('configure-provisioning', [...common, '--tenant-url', tenantUrl], { env: childEnv, onStderr }));
      if (configure.exitCode === 0) {
        const upload = await step(out, steps, 'upload-schema --environment local', () => runScript('upload-schema', [...common, '--environment', 'local', '--backup-dir', 'data/schema-backups'], { env: childEnv, onStderr }));
        if (upload.exitCode === 0) {
          await step(out, steps, `verify-provisioning (canaries: ${[...canaries.users, ...canaries.groups].join(', ')})`, () =>
            runScript('verify-provisioning', [...common, '--tenant-url', tenantUrl, ...canaries.users.flatMap((u) => ['--user', u]), ...canaries.groups.flatMap((g) => ['--group', g]), '--logs-since', '10m'], { env: childEnv, onStderr }));
          const since = new Date(Date.now() - 1000).toISOString();
          const start = await step(out, steps, 'Full cycle: configure-provisioning --start', () => runScript('configure-provisioning', [...common, '--start'], { env: childEnv, onStderr }));
          if (start.exitCode === 0) {
            logs = await step(out, steps, 'Full cycle: provisioning-logs --follow --until-cycle-end', () =>
              runScript('provisioning-logs', [...common, '--follow', '--until-cycle-end', '--since', since, '--interval', '0.5', '--top', '1000', '--timeout', '300'], { env: childEnv, onStderr }));
          }
        }
      }
      const report: LocalReport = {
        ok: steps.every((s) => s.ok),
        scimServiceUrl: service.url,
        tenantUrl,
        graphUrl: emulator.url,
        servicePrincipalId: spId,
        steps,
        provisioned: { users: await scimCount(tenantUrl, token, 'Users'), groups: await scimCount(tenantUrl, token, 'Groups') },
        failures: ((logs?.json as { failures?: LocalReport['failures'] } | null)?.failures ?? []),
      };
      printReport(out, report, database);
      out.result(report);
      if (ctx.flag('once')) {
        await close();
        return report.ok ? ExitCode.ok : ExitCode.checkFailed;
      }
      await mkdir('data', { recursive: true });
      const { writeFile } = await import('node:fs/promises');
      await writeFile('data/local-scim-token.txt', `${token}\n`, { mode: 0o600 });
      out.line('');
      out.line('The SCIM service and the emulator stay up; the SCIM token is in data/local-scim-token.txt. Press Ctrl-C to stop.');
      out.line(`  curl -H "Authorization: Bearer $(cat data/local-scim-token.txt)" ${tenantUrl}/Users`);
      out.line(`  npm run provisioning-logs -- --graph-url ${emulator.url} --service-principal-id ${spId}`);
      await new Promise<void>((resolveWait) => process.once('SIGINT', () => resolveWait()));
      out.note('Stopping…');
      await close();
      return report.ok ? ExitCode.ok : ExitCode.checkFailed;
    } catch (error) {
      await close();
      throw error;
    }
  },
};

function printReport(out: Output, report: LocalReport, database: string): void {
  out.line('');
  out.line(table(['Step', 'Result', 'Summary'], report.steps.map((s) => [s.name, s.ok ? 'ok' : `FAILED (exit ${s.exitCode})`, s.summary])));
  out.line('');
  out.line(`Provisioned into the SCIM service: ${report.provisioned.users} users, ${report.provisioned.groups} groups`);
  if (report.failures.length) {
    out.line('Failures in the full cycle:');
    for (const f of report.failures) {
      out.line(`  ${f.errorCode} × ${f.count}: ${f.cause}`);
      out.line(`    fix: ${f.fix}`);
      for (const e of f.examples) out.line(`    - ${e.identity}${e.reason ? `: ${e.reason}` : ''}`);
    }
  } else out.line('Failures in the full cycle: none');
  out.line('');
  out.line(`SCIM service:   ${report.scimServiceUrl} (tenant URL ${report.tenantUrl}, SQLite ${database})`);
  out.line(`Entra emulator: ${report.graphUrl} (Graph at ${report.graphUrl}/v1.0)`);
  out.line(`Service principal: ${report.servicePrincipalId}`);
  out.line(report.ok ? 'RESULT: everything works end to end.' : 'RESULT: FAILED, see the steps above.');
}
