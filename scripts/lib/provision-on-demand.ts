// provision-on-demand: the portal's "Provision on demand" in the terminal — each step (Import,
// Scoping, Matching, Export) with its status and details, and the exported attributes.
import type { CommandContext, CommandSpec } from './cli/command.js';
import { ExitCode, usageError } from './cli/errors.js';
import type { Output } from './cli/output.js';
import type { GraphApi } from './graph/client.js';
import { findGroup, findUser, getSchema, groupMemberIds, provisionOnDemand, resolveJob, ruleIdOf, type DecodedProvisionOnDemand } from './graph/synchronization.js';
import { provisionOnDemandLimiter } from './graph/rate-limit.js';
import type { ProvisioningStep } from './graph/types.js';
import { fromInputs, graphFor, graphOptions, jobOption, optionalInput } from './inputs.js';

export interface OnDemandOutcome {
  /** What the user typed (UPN, display name or id). */
  input: string;
  objectType: 'User' | 'Group';
  objectId: string;
  displayName: string | null;
  /** Success | Skipped | Failure (Skipped = already up to date: RedundantExport). */
  result: string;
  ok: boolean;
  action: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  steps: { type: string; name: string | null; status: string; description: string | null; details: Record<string, unknown> }[];
  exportedAttributes: { name: string; oldValue: string | null; newValue: string | null }[];
  members: string[];
  /** The decoded provisionOnDemand documents, as Graph returned them (key and value JSON strings parsed). */
  raw: DecodedProvisionOnDemand;
}

const stepTitles: Record<string, (t: string) => string> = {
  import: (t) => `Import ${t}`,
  scoping: (t) => `Determine if ${t} is in scope`,
  matching: (t) => `Match ${t} between source and target system`,
  processing: () => 'Process',
  referenceresolution: () => 'Resolve references',
  export: () => 'Perform action',
};

export function outcomeOf(input: string, objectType: 'User' | 'Group', objectId: string, displayName: string | null, members: string[], raw: DecodedProvisionOnDemand): OnDemandOutcome {
  const steps = (raw.value.provisioningSteps ?? []).map((s: ProvisioningStep) => ({
    type: String(s.type ?? s.provisioningStepType ?? ''),
    name: s.name ?? null,
    status: String(s.status ?? ''),
    description: s.description ?? null,
    details: (s.details ?? {}) as Record<string, unknown>,
  }));
  const result = raw.result.result;
  return {
    input,
    objectType,
    objectId,
    displayName,
    result,
    // Skipped counts only when the object is already up to date; skipped as out of scope is a failure to provision.
    ok: result === 'Success' || (result === 'Skipped' && (raw.result.details?.errorCode ?? 'RedundantExport') === 'RedundantExport'),
    action: raw.value.action ?? null,
    errorCode: raw.result.details?.errorCode ?? raw.value.statusInfo?.errorCode ?? null,
    errorMessage: raw.result.details?.errorMessage ?? raw.value.statusInfo?.reason ?? null,
    steps,
    exportedAttributes: (raw.value.modifiedProperties ?? []).map((p) => ({ name: p.displayName, oldValue: p.oldValue ?? null, newValue: p.newValue ?? null })),
    members,
    raw,
  };
}

export function printOutcome(out: Output, o: OnDemandOutcome): void {
  const kind = o.objectType.toLowerCase();
  out.line(`${o.objectType} ${o.displayName ?? o.input} (${o.objectId}): ${o.result}${o.result === 'Skipped' && o.errorCode === 'RedundantExport' ? ' (RedundantExport: already up to date)' : o.result === 'Skipped' && o.errorCode ? ` (${o.errorCode})` : o.action ? ` (${o.action})` : ''}`);
  for (const step of o.steps) {
    const mark = /^success/i.test(step.status) ? '✔' : /^skip/i.test(step.status) ? '–' : /^warn/i.test(step.status) ? '!' : '✖';
    const title = stepTitles[step.type.toLowerCase()]?.(kind) ?? step.name ?? step.type;
    out.line(`  ${mark} ${title}: ${step.status}${step.description ? `: ${step.description}` : ''}`);
    for (const [k, v] of Object.entries(step.details)) out.line(`      ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  if (o.exportedAttributes.length) {
    out.line('  Exported attributes:');
    const width = Math.max(...o.exportedAttributes.map((a) => a.name.length));
    for (const a of o.exportedAttributes) out.line(`    ${a.name.padEnd(width)}  ${a.oldValue ? `${a.oldValue} → ` : ''}${a.newValue ?? '(cleared)'}`);
  }
  if (!o.ok) out.line(`  error: ${o.errorCode ?? 'Failure'}${o.errorMessage ? `: ${o.errorMessage}` : ''}`);
  out.line();
}

export interface OnDemandTarget {
  users: string[];
  groups: string[];
  /** Include the group's members (up to 5, the documented per-call limit). */
  withMembers: boolean;
}

/** Runs provision on demand for each user and group in order; returns one outcome per object. */
export async function provisionTargets(api: GraphApi, spId: string, jobId: string, target: OnDemandTarget, out: Output): Promise<OnDemandOutcome[]> {
  const schema = await getSchema(api, spId, jobId);
  const ruleId = ruleIdOf(schema);
  const outcomes: OnDemandOutcome[] = [];
  const total = target.users.length + target.groups.length;
  const progress = out.progress('Provision on demand');
  const onWait = (ms: number): void => {
    out.note(`  waiting ${(ms / 1000).toFixed(1)}s before the next call: Graph allows ${provisionOnDemandLimiter.limit} provision-on-demand calls per ${provisionOnDemandLimiter.windowMs / 1000} s`);
    progress.update(outcomes.length, total, 'waiting for the rate limit');
  };
  for (const ref of target.users) {
    progress.update(outcomes.length, total, ref);
    const user = await findUser(api, ref);
    const raw = await provisionOnDemand(api, spId, jobId, ruleId, { objectId: user.id, objectTypeName: 'User' }, { onWait });
    outcomes.push(outcomeOf(ref, 'User', user.id, user.userPrincipalName ?? user.displayName ?? null, [], raw));
  }
  for (const ref of target.groups) {
    progress.update(outcomes.length, total, ref);
    const group = await findGroup(api, ref);
    let members: string[] = [];
    if (target.withMembers) {
      const all = await groupMemberIds(api, group.id);
      members = all.slice(0, 5);
      if (all.length > 5) out.note(`  group ${group.displayName ?? group.id} has ${all.length} user members; provision on demand takes at most 5 per call, so the first 5 are included.`);
    }
    const raw = await provisionOnDemand(api, spId, jobId, ruleId, { objectId: group.id, objectTypeName: 'Group', members }, { onWait });
    outcomes.push(outcomeOf(ref, 'Group', group.id, group.displayName ?? null, members, raw));
  }
  const failed = outcomes.filter((o) => !o.ok).length;
  if (failed) progress.fail(`${failed} of ${total} failed`);
  else progress.done(`${total} object(s)`);
  return outcomes;
}

export async function spAndJob(ctx: CommandContext, api: GraphApi): Promise<{ spId: string; jobId: string }> {
  const spId = await fromInputs(ctx, 'service-principal-id', 'servicePrincipalObjectId', 'the enterprise application whose job to use');
  const jobId = (await optionalInput(ctx, 'job-id', 'provisioningJobId')) ?? (await resolveJob(api, spId, undefined)).id;
  return { spId, jobId };
}

export const provisionOnDemandCommand: CommandSpec = {
  name: 'provision-on-demand',
  summary: 'Provision users and groups on demand and print each step (Import, Scoping, Matching, Export) as the portal does.',
  description: 'Users are given by userPrincipalName, display name or object id; groups by display name or object id.\nGraph allows 5 provision-on-demand calls per 10 seconds; the script waits rather than being throttled.\nExit code 1 when any object fails (Skipped = already up to date counts as success).',
  options: {
    ...graphOptions,
    ...jobOption,
    user: { type: 'string', multiple: true, valueName: 'upn|name|id', description: 'A user to provision.' },
    group: { type: 'string', multiple: true, valueName: 'name|id', description: 'A group to provision.' },
    'with-members': { type: 'boolean', description: 'Provision each group together with (up to 5 of) its members.' },
  },
  examples: [
    'npm run provision-on-demand -- --user adele.vance@contoso.com --group "Engineering" --with-members',
    'npm run provision-on-demand -- --user 5f2c…e1 --json | jq ".results[0].steps"',
  ],
  async run(ctx) {
    const users = ctx.list('user');
    const groups = ctx.list('group');
    if (users.length + groups.length === 0) throw usageError('Nothing to provision.', 'Pass --user <upn|name|id> and/or --group <name|id> (repeatable).');
    const api = graphFor(ctx);
    const { spId, jobId } = await spAndJob(ctx, api);
    const outcomes = await provisionTargets(api, spId, jobId, { users, groups, withMembers: ctx.flag('with-members') }, ctx.out);
    for (const o of outcomes) printOutcome(ctx.out, o);
    const failed = outcomes.filter((o) => !o.ok);
    ctx.out.line(failed.length ? `${failed.length} of ${outcomes.length} failed.` : `All ${outcomes.length} provisioned (or already up to date).`);
    ctx.out.result({ ok: failed.length === 0, servicePrincipalId: spId, jobId, results: outcomes });
    return failed.length ? ExitCode.checkFailed : ExitCode.ok;
  },
};
