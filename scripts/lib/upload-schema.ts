// upload-schema: the portal's "Attribute mapping → Save" as code. Builds the synchronization schema from
// provisioning/ for an environment, shows a readable diff against the live schema, checks every
// expression locally (expressions/) and with Graph's parseExpression, backs up the live schema, PUTs.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseExpression } from '../../expressions/index.js';
import { buildSynchronizationSchema, environmentNames } from '../../provisioning/index.js';
import type { CommandContext, CommandSpec } from './cli/command.js';
import { CliError, ExitCode, usageError } from './cli/errors.js';
import { isLoopbackUrl } from './graph/auth.js';
import type { GraphApi } from './graph/client.js';
import { getSchema, parseExpressionRemote, putSchema, resolveJob, restartJob } from './graph/synchronization.js';
import type { SynchronizationSchema } from './graph/types.js';
import { fromInputs, graphFor, graphOptions, jobOption, optionalInput } from './inputs.js';
import { diffSchemas, formatChanges, needsFullCycle, sourceText, type SchemaChange } from './schema-diff.js';

/** The portal's "Restart provisioning": re-evaluate everything, drop pending retries, lift quarantine. */
export const RESTART_SCOPE = 'Watermark, Escrows, QuarantineState';

export interface ExpressionProblem {
  object: string;
  target: string;
  expression: string;
  where: 'local' | 'graph';
  message: string;
}

function expressionsOf(schema: SynchronizationSchema): { object: string; target: string; expression: string }[] {
  const out: { object: string; target: string; expression: string }[] = [];
  for (const rule of schema.synchronizationRules ?? []) {
    for (const m of rule.objectMappings ?? []) {
      for (const a of m.attributeMappings ?? []) {
        if (a.source?.type === 'Function' || (a.source?.expression && a.source.type !== 'Attribute')) out.push({ object: m.sourceObjectName, target: a.targetAttributeName, expression: sourceText(a.source) });
      }
    }
  }
  return out;
}

export async function checkExpressions(api: GraphApi | null, spId: string, jobId: string, schema: SynchronizationSchema): Promise<ExpressionProblem[]> {
  const problems: ExpressionProblem[] = [];
  const remoteChecked = new Map<string, string | null>();
  for (const e of expressionsOf(schema)) {
    try {
      parseExpression(e.expression);
    } catch (error) {
      problems.push({ ...e, where: 'local', message: (error as Error).message });
      continue;
    }
    if (!api) continue;
    if (!remoteChecked.has(e.expression)) {
      const r = await parseExpressionRemote(api, spId, jobId, e.expression);
      remoteChecked.set(e.expression, r.parsingSucceeded === false ? (r.error?.message ?? r.error?.code ?? 'Graph could not parse it') : null);
    }
    const remote = remoteChecked.get(e.expression);
    if (remote) problems.push({ ...e, where: 'graph', message: remote });
  }
  return problems;
}

/** Keeps the live rule id when the built schema carries another one for the same directories (rule ids come from the template). */
function adoptRuleIds(live: SynchronizationSchema, desired: SynchronizationSchema): SynchronizationSchema {
  const out = structuredClone(desired);
  for (const rule of out.synchronizationRules) {
    if (live.synchronizationRules.some((r) => r.id === rule.id)) continue;
    const same = live.synchronizationRules.filter((r) => r.sourceDirectoryName === rule.sourceDirectoryName && r.targetDirectoryName === rule.targetDirectoryName);
    if (same.length === 1) rule.id = same[0].id;
  }
  return out;
}

async function desiredSchema(ctx: CommandContext, environment: string): Promise<SynchronizationSchema> {
  const file = ctx.string('schema-file');
  if (file) {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as SynchronizationSchema;
    } catch (error) {
      throw usageError(`Cannot read the schema file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, 'Pass a synchronizationSchema JSON document (for example a backup written by upload-schema).');
    }
  }
  try {
    return buildSynchronizationSchema(environment) as unknown as SynchronizationSchema;
  } catch (error) {
    throw new CliError(`The mappings in provisioning/ do not build for environment '${environment}': ${(error as Error).message}`, { exitCode: ExitCode.usage, code: 'SchemaBuildFailed', fix: 'Fix provisioning/ (npm test runs its checks) or pick another --environment.' });
  }
}

export const uploadSchemaCommand: CommandSpec = {
  name: 'upload-schema',
  summary: 'Upload the attribute mappings from provisioning/ to the provisioning job: readable diff, expression checks (local and Graph parseExpression), backup of the live schema, PUT.',
  description: `Nothing is written when the schema already matches (safe to rerun) or when any expression fails a check.
--restart restarts the job with resetScope "${RESTART_SCOPE}" when the change needs a full cycle (mappings or scoping changed).`,
  options: {
    ...graphOptions,
    ...jobOption,
    environment: { type: 'string', valueName: environmentNames.join('|'), env: 'ENTRA_ENVIRONMENT', description: 'Which environment\'s parameters to build the schema with (default local for a loopback Graph).' },
    'schema-file': { type: 'string', valueName: 'file.json', description: 'Upload this schema document instead of building it (e.g. to restore a backup).' },
    'dry-run': { type: 'boolean', description: 'Only print the diff and check the expressions; change nothing.' },
    restart: { type: 'boolean', description: 'Restart the job after the upload when the change needs a full cycle.' },
    'backup-dir': { type: 'string', valueName: 'dir', default: 'backups/schema', description: 'Where the previous live schema is saved before the upload.' },
  },
  examples: [
    'npm run upload-schema -- --environment dev --dry-run',
    'npm run upload-schema -- --environment prod --restart --json',
    'npm run upload-schema -- --schema-file backups/schema/<job>-<time>.json   # roll back',
  ],
  async run(ctx) {
    const graphUrl = ctx.string('graph-url') ?? '';
    const environment = ctx.string('environment') ?? (isLoopbackUrl(graphUrl) ? 'local' : undefined);
    if (!environment && !ctx.string('schema-file')) throw usageError('Missing --environment.', `Pass --environment ${environmentNames.join('|')} (or set ENTRA_ENVIRONMENT).`);
    if (environment && !environmentNames.includes(environment as (typeof environmentNames)[number])) throw usageError(`Unknown environment '${environment}'.`, `Use one of ${environmentNames.join(', ')} (provisioning/environments.ts).`);
    const api = graphFor(ctx);
    const spId = await fromInputs(ctx, 'service-principal-id', 'servicePrincipalObjectId', 'the enterprise application whose mappings to upload');
    const job = await resolveJob(api, spId, await optionalInput(ctx, 'job-id', 'provisioningJobId'));
    const live = await getSchema(api, spId, job.id);
    const desired = adoptRuleIds(live, await desiredSchema(ctx, environment ?? 'local'));

    const changes: SchemaChange[] = diffSchemas(live, desired);
    ctx.out.line(`Schema of job ${job.id}${environment ? ` (environment ${environment})` : ''}:`);
    for (const line of formatChanges(changes)) ctx.out.line(`  ${line}`);

    const check = ctx.out.progress('Checking expressions (local parser and Graph parseExpression)');
    const problems = await checkExpressions(api, spId, job.id, desired);
    if (problems.length) {
      check.fail(`${problems.length} expression(s) rejected`);
      for (const p of problems) ctx.out.line(`  ✖ ${p.object} ${p.target}: ${p.expression}\n      ${p.where === 'local' ? 'local parser' : 'Graph parseExpression'}: ${p.message}`);
    } else check.done(`${expressionsOf(desired).length} expression(s) parse`);

    const result = {
      ok: problems.length === 0,
      environment: environment ?? null,
      servicePrincipalId: spId,
      jobId: job.id,
      changes,
      needsFullCycle: needsFullCycle(changes),
      expressionProblems: problems,
      dryRun: ctx.flag('dry-run'),
      uploaded: false,
      backupFile: null as string | null,
      restarted: false,
    };
    if (problems.length) {
      ctx.out.line('Nothing uploaded: fix the expressions above first.');
      ctx.out.result(result);
      return ExitCode.checkFailed;
    }
    if (ctx.flag('dry-run') || changes.length === 0) {
      ctx.out.line(changes.length === 0 ? 'Nothing to upload.' : 'Dry run: nothing uploaded.');
      ctx.out.result(result);
      return ExitCode.ok;
    }
    const dir = ctx.string('backup-dir') ?? 'backups/schema';
    await mkdir(dir, { recursive: true });
    const backupFile = join(dir, `${job.id.replace(/[^A-Za-z0-9._-]/g, '_')}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(backupFile, `${JSON.stringify(live, null, 2)}\n`, 'utf8');
    result.backupFile = backupFile;
    ctx.out.line(`Backup of the live schema: ${backupFile}`);
    await putSchema(api, spId, job.id, desired);
    result.uploaded = true;
    ctx.out.line(`Uploaded: ${changes.length} change(s).`);
    if (ctx.flag('restart') && result.needsFullCycle) {
      await restartJob(api, spId, job.id, RESTART_SCOPE);
      result.restarted = true;
      ctx.out.line(`Restarted the job (resetScope ${RESTART_SCOPE}): the next cycle re-evaluates every object.`);
    } else if (result.needsFullCycle) {
      ctx.out.line('The change re-evaluates every object on the next cycle; pass --restart to start it now.');
    }
    ctx.out.result(result);
    return ExitCode.ok;
  },
};
