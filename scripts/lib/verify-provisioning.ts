// verify-provisioning: the end-to-end gate. Test Connection; provision canaries on demand; read each back
// from the SCIM service and compare every attribute with what expressions/ predicts from the source object
// and the live schema; the job is not quarantined; recent provisioning logs hold no failures.
// Exit 0 only when every check holds.
import { readFile } from 'node:fs/promises';
import type { CommandContext, CommandSpec } from './cli/command.js';
import { CliError, ExitCode, usageError } from './cli/errors.js';
import { table } from './cli/output.js';
import type { GraphApi } from './graph/client.js';
import { quarantineFix } from './graph/errors.js';
import { getJob, getSchema, getSecretKeys, resolveJob, validateCredentials } from './graph/synchronization.js';
import type { ObjectMapping, SynchronizationSchema } from './graph/types.js';
import { fromInputs, graphFor, graphOptions, jobOption, optionalInput } from './inputs.js';
import { writeJUnit, type JUnitCase } from './junit.js';
import { compareObject, matchingKey, objectMappingFor, sourceObjectOf, type Comparison } from './predict.js';
import { provisionTargets, type OnDemandOutcome } from './provision-on-demand.js';
import { fetchLogs, groupFailures, parseSince } from './provisioning-logs.js';
import { scimReader, valueAtPath, type ScimReader, type ScimResource } from './scim-read.js';
import { readScimToken } from './scim-token.js';

export interface Check {
  name: string;
  status: 'pass' | 'fail' | 'skip';
  detail: string;
  durationMs: number;
  comparisons?: Comparison[];
}

async function canariesFrom(ctx: CommandContext): Promise<{ users: string[]; groups: string[] }> {
  const users = ctx.list('user');
  const groups = ctx.list('group');
  const file = ctx.string('canaries');
  if (file) {
    let parsed: { users?: unknown; groups?: unknown };
    try {
      parsed = JSON.parse(await readFile(file, 'utf8')) as typeof parsed;
    } catch (error) {
      throw usageError(`Cannot read the canaries file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, 'It must be JSON: {"users": ["upn", …], "groups": ["display name", …]}.');
    }
    const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    users.push(...strings(parsed.users));
    groups.push(...strings(parsed.groups));
  }
  if (users.length + groups.length === 0) {
    throw usageError('No canary users or groups to verify with.', 'Pass --user <upn> / --group <name> (repeatable), set VERIFY_CANARY_USERS / VERIFY_CANARY_GROUPS, or --canaries <file.json>.');
  }
  return { users, groups };
}

async function timed(name: string, run: () => Promise<Omit<Check, 'name' | 'durationMs'>>): Promise<Check> {
  const start = Date.now();
  try {
    return { name, ...(await run()), durationMs: Date.now() - start };
  } catch (error) {
    if (error instanceof CliError && error.exitCode === ExitCode.checkFailed) return { name, status: 'fail', detail: `${error.message}${error.fix ? ` Fix: ${error.fix}` : ''}`, durationMs: Date.now() - start };
    throw error;
  }
}

async function readBack(scim: ScimReader, outcome: OnDemandOutcome, key: { attribute: string; value: string } | null): Promise<ScimResource | null> {
  const type = outcome.objectType === 'User' ? 'Users' : 'Groups';
  if (key) {
    const found = await scim.find(type, key.attribute, key.value);
    if (found) return found;
  }
  const targetId = outcome.raw.value.targetIdentity?.id;
  return targetId ? scim.get(type, targetId) : null;
}

/** `manager` is a reference: the service must point at the SCIM id of the user's manager (when that manager is provisioned). */
async function managerComparison(api: GraphApi, spId: string, userMapping: ObjectMapping, scim: ScimReader, userId: string, resource: ScimResource, target: string): Promise<Comparison> {
  const base = { target, expression: '[manager]' };
  const raw = valueAtPath(resource, target);
  const actual = raw && typeof raw === 'object' ? ((raw as { value?: unknown }).value ?? null) : (raw ?? null);
  let managerId: string | null = null;
  try {
    managerId = (await api.get<{ id: string }>(`/users/${encodeURIComponent(userId)}/manager`, { what: 'read the user\'s manager', permission: 'User.Read.All' })).id;
  } catch (error) {
    if (!(error instanceof CliError) || error.exitCode !== ExitCode.notFound) throw error;
  }
  if (!managerId) {
    return { ...base, expected: null, actual, status: actual ? 'warning' : 'match', note: actual ? 'the user has no manager in Entra, but the service holds one' : null };
  }
  const key = matchingKey(userMapping, await sourceObjectOf(api, spId, 'User', managerId));
  const manager = key ? await scim.find('Users', key.attribute, key.value) : null;
  if (!manager?.id) return { ...base, expected: null, actual, status: 'warning', note: 'the manager is not provisioned to the service, so Entra cannot set the reference yet' };
  return { ...base, expected: manager.id, actual, status: actual === manager.id ? 'match' : 'mismatch', note: actual === manager.id ? null : 'the service does not point at the manager\'s SCIM id' };
}

/** The group's members in the service must include each member provisioned with it (by their SCIM ids). */
async function memberComparison(api: GraphApi, spId: string, schema: SynchronizationSchema, scim: ScimReader, memberIds: string[], group: ScimResource): Promise<Comparison> {
  const userMapping = objectMappingFor(schema, 'User');
  const expected: string[] = [];
  const missingUsers: string[] = [];
  for (const id of memberIds) {
    const source = userMapping ? await sourceObjectOf(api, spId, 'User', id) : null;
    const key = userMapping && source ? matchingKey(userMapping, source) : null;
    const user = key ? await scim.find('Users', key.attribute, key.value) : null;
    if (user?.id) expected.push(user.id);
    else missingUsers.push(id);
  }
  const actual = ((group.members as { value?: string }[] | undefined) ?? []).map((m) => m.value ?? '');
  const absent = expected.filter((id) => !actual.includes(id));
  const ok = absent.length === 0 && missingUsers.length === 0;
  return {
    target: 'members',
    expression: '[members]',
    expected,
    actual,
    status: ok ? 'match' : 'mismatch',
    note: ok ? null : [absent.length ? `${absent.length} provisioned member(s) missing from the group` : '', missingUsers.length ? `member(s) ${missingUsers.join(', ')} not found in the service` : ''].filter(Boolean).join('; '),
  };
}

function describeMismatches(comparisons: Comparison[]): string {
  return comparisons
    .filter((c) => c.status === 'mismatch')
    .map((c) => `${c.target}: expected ${JSON.stringify(c.expected)} (from ${c.expression}), service has ${JSON.stringify(c.actual)}${c.note ? ` (${c.note})` : ''}`)
    .join('; ');
}

export async function verify(ctx: CommandContext, api: GraphApi): Promise<{ checks: Check[]; spId: string; jobId: string }> {
  const canaries = await canariesFrom(ctx);
  const spId = await fromInputs(ctx, 'service-principal-id', 'servicePrincipalObjectId', 'the enterprise application to verify');
  // Inputs first: a missing token is a usage error before any Graph call.
  const token = await readScimToken({ file: ctx.string('token-file'), env: process.env.SCIM_TOKEN, secretUri: await optionalInput(ctx, 'token-secret-uri', 'scimTokenSecretUri') });
  if (!token) throw usageError('verify-provisioning reads the canaries back from the SCIM service and needs its token.', 'Pass --token-file <path>, set SCIM_TOKEN, or --token-secret-uri <Key Vault secret URI>.');
  const job = await resolveJob(api, spId, await optionalInput(ctx, 'job-id', 'provisioningJobId'));
  const tenantUrl = (await optionalInput(ctx, 'tenant-url', 'tenantUrl')) ?? (await getSecretKeys(api, spId)).find((s) => s.key === 'BaseAddress')?.value;
  if (!tenantUrl) throw usageError('No tenant URL to read the canaries back from.', 'Pass --tenant-url or save it with npm run configure-provisioning.');
  const scim = scimReader(tenantUrl, token.token);
  const logsSince = parseSince(ctx.string('logs-since') ?? '1h');
  const checks: Check[] = [];

  checks.push(await timed('Test Connection', async () => {
    await validateCredentials(api, spId, job.id);
    return { status: 'pass', detail: `Entra reached ${tenantUrl} with the saved token` };
  }));
  if (checks[0].status === 'fail') {
    // Nothing else can pass without a working connection; say so instead of piling up failures.
    checks.push({ name: 'Canaries', status: 'skip', detail: 'skipped: Test Connection failed', durationMs: 0 });
  } else {
    const schema = await getSchema(api, spId, job.id);
    const outcomes = await provisionTargets(api, spId, job.id, { users: canaries.users, groups: canaries.groups, withMembers: ctx.flag('with-members') }, ctx.out);
    for (const outcome of outcomes) {
      const label = `${outcome.objectType} ${outcome.displayName ?? outcome.input}`;
      checks.push({
        name: `Provision ${label}`,
        status: outcome.ok ? 'pass' : 'fail',
        detail: outcome.ok ? `${outcome.result}${outcome.result === 'Skipped' && outcome.errorCode === 'RedundantExport' ? ' (RedundantExport: already up to date)' : outcome.result === 'Skipped' && outcome.errorCode ? ` (${outcome.errorCode})` : outcome.action ? ` (${outcome.action})` : ''}` : `${outcome.errorCode ?? 'Failure'}: ${outcome.errorMessage ?? ''} ${outcome.steps.filter((s) => !/^success|^skip/i.test(s.status)).map((s) => `[${s.type} ${s.status}: ${s.description ?? ''}]`).join(' ')}`.trim(),
        durationMs: 0,
      });
      if (!outcome.ok) continue;
      checks.push(await timed(`Attributes of ${label}`, async () => {
        const mapping = objectMappingFor(schema, outcome.objectType);
        if (!mapping) return { status: 'skip', detail: `the schema has no enabled ${outcome.objectType} mapping` };
        const source = await sourceObjectOf(api, spId, outcome.objectType, outcome.objectId);
        const resource = await readBack(scim, outcome, matchingKey(mapping, source));
        if (!resource) return { status: 'fail', detail: `not found in the SCIM service (looked up by ${matchingKey(mapping, source)?.attribute ?? 'target id'})` };
        const comparisons = compareObject(mapping, source, resource);
        const managerIndex = comparisons.findIndex((c) => /:manager$/i.test(c.target) && c.status === 'skipped');
        if (outcome.objectType === 'User' && managerIndex >= 0) {
          comparisons[managerIndex] = await managerComparison(api, spId, mapping, scim, outcome.objectId, resource, comparisons[managerIndex].target);
        }
        if (outcome.objectType === 'Group' && outcome.members.length) {
          const members = await memberComparison(api, spId, schema, scim, outcome.members, resource);
          const index = comparisons.findIndex((c) => c.target === 'members');
          if (index >= 0) comparisons[index] = members;
          else comparisons.push(members);
        }
        const mismatches = comparisons.filter((c) => c.status === 'mismatch');
        const compared = comparisons.filter((c) => c.status !== 'skipped').length;
        const warnings = comparisons.filter((c) => c.status === 'warning').length;
        return mismatches.length
          ? { status: 'fail', detail: `${mismatches.length} of ${compared} attributes differ: ${describeMismatches(comparisons)}`, comparisons }
          : { status: 'pass', detail: `${compared - warnings} attributes match${warnings ? `, ${warnings} warning(s)` : ''}`, comparisons };
      }));
    }
  }

  checks.push(await timed('Job not in quarantine', async () => {
    const current = await getJob(api, spId, job.id);
    const q = current.status?.quarantine;
    if (q || current.status?.code === 'Quarantine') return { status: 'fail', detail: `quarantined (${q?.reason ?? 'unknown reason'}${q?.error?.code ? `, ${q.error.code}` : ''}). Fix: ${quarantineFix(q?.reason ?? '', q?.error?.code ?? undefined)}` };
    return { status: 'pass', detail: `status ${current.status?.code ?? 'unknown'}` };
  }));

  checks.push(await timed(`No failures in provisioning logs since ${logsSince.toISOString()}`, async () => {
    const records = await fetchLogs(api, job.id, { since: logsSince, top: 500 });
    const groups = groupFailures(records);
    if (!groups.length) return { status: 'pass', detail: `${records.length} records, none failed` };
    return { status: 'fail', detail: groups.map((g) => `${g.errorCode} × ${g.count} (e.g. ${g.examples[0]?.identity}): ${g.fix}`).join('; ') };
  }));
  return { checks, spId, jobId: job.id };
}

export const verifyProvisioningCommand: CommandSpec = {
  name: 'verify-provisioning',
  summary: 'End-to-end gate: Test Connection, provision canaries on demand, compare every attribute in the SCIM service with what the mappings predict, job not quarantined, no recent failures.',
  description: 'Exit code 0 only when every check holds; 1 when any check fails. --junit writes a JUnit XML report for CI.',
  options: {
    ...graphOptions,
    ...jobOption,
    'tenant-url': { type: 'string', valueName: 'url', env: 'SCIM_TENANT_URL', description: 'SCIM base URL to read the canaries back from (default: the saved BaseAddress).' },
    'token-file': { type: 'string', valueName: 'path', env: 'SCIM_TOKEN_FILE', description: 'File holding the SCIM bearer token (or SCIM_TOKEN).' },
    'token-secret-uri': { type: 'string', valueName: 'uri', env: 'SCIM_TOKEN_SECRET_URI', description: 'Key Vault secret holding the token (Pulumi output scimTokenSecretUri).' },
    user: { type: 'string', multiple: true, valueName: 'upn|name|id', env: 'VERIFY_CANARY_USERS', description: 'A canary user.' },
    group: { type: 'string', multiple: true, valueName: 'name|id', env: 'VERIFY_CANARY_GROUPS', description: 'A canary group.' },
    canaries: { type: 'string', valueName: 'file.json', description: 'Canaries from a file: {"users": [...], "groups": [...]}.' },
    'with-members': { type: 'boolean', description: 'Provision canary groups with (up to 5 of) their members.' },
    'logs-since': { type: 'string', valueName: 'duration|date', default: '1h', description: 'Window of provisioning logs that must hold no failures.' },
    junit: { type: 'string', valueName: 'file', description: 'Write a JUnit XML report to this file.' },
  },
  examples: [
    'npm run verify-provisioning -- --user canary@contoso.com --group "Canary group" --token-file ./scim-token.txt',
    'npm run verify-provisioning -- --canaries canaries.json --junit reports/verify-provisioning.xml --json',
  ],
  async run(ctx) {
    const api = graphFor(ctx);
    const { checks, spId, jobId } = await verify(ctx, api);
    const failed = checks.filter((c) => c.status === 'fail');
    ctx.out.line();
    ctx.out.line(table(['Check', 'Result', 'Detail'], checks.map((c) => [c.name, c.status === 'pass' ? 'PASS' : c.status === 'fail' ? 'FAIL' : 'SKIP', c.detail.length > 160 && !ctx.verbose ? `${c.detail.slice(0, 157)}...` : c.detail])));
    for (const c of checks.filter((x) => x.comparisons && (ctx.verbose || x.status === 'fail'))) {
      ctx.out.line();
      ctx.out.line(`${c.name}:`);
      ctx.out.line(table(['Target attribute', 'Result', 'Expected', 'SCIM service'], c.comparisons!.map((x) => [x.target, x.status, JSON.stringify(x.expected) ?? '', JSON.stringify(x.actual) ?? ''])));
    }
    ctx.out.line();
    ctx.out.line(failed.length ? `FAILED: ${failed.length} of ${checks.length} checks failed.` : `PASSED: all ${checks.length} checks hold.`);
    const junit = ctx.string('junit');
    if (junit) {
      await writeJUnit(junit, 'verify-provisioning', checks.map((c): JUnitCase => ({ name: c.name, classname: `verify-provisioning.${jobId}`, status: c.status, message: c.detail, durationMs: c.durationMs })));
      ctx.out.note(`JUnit report: ${junit}`);
    }
    ctx.out.result({ ok: failed.length === 0, servicePrincipalId: spId, jobId, checks });
    return failed.length ? ExitCode.checkFailed : ExitCode.ok;
  },
};
