// A provisioning cycle: initial (everything) or incremental (only what changed since the watermark,
// plus escrowed entries), users first, then manager references, then groups with member batches.
// Thresholds: accidental deletions, escrow-based quarantine (entra-scim-client.md §1.2, MS-Quarantine).
import type { Directory } from '../directory/store.js';
import { newGuid } from '../ids.js';
import type { EngineState } from './job-state.js';
import type { CycleCounts, CycleReport } from './report.js';
export type { CycleCounts, CycleReport } from './report.js';
import type { ErrorInfo, LogContext, ProvisioningObjectSummary } from './logs.js';
import type { CompiledSchema } from './mappings.js';
import { JobAbort, planGroup, planUser, syncGroup, syncManager, syncUser, type ObjectOutcome, type PipelineContext } from './pipeline.js';
import { runPool } from './pool.js';
import { ScimClient, ScimUnreachableError, parseTenantUrl } from './scim-client.js';

export interface QuarantineThresholds {
  /** Escrow-based quarantine is evaluated only from this many failures (MS-Quarantine: 5,000). */
  minimumFailures: number;
  /** Share of failed entries that quarantines (MS-Quarantine: 40 %). */
  failureProportion: number;
  /** Absolute number of failures that quarantines (MS-Quarantine: 40,000). */
  totalFailures: number;
}

export interface EngineOptions {
  /** Objects processed in parallel. 1 keeps the recorded request order deterministic. */
  concurrency: number;
  /** Members per group PATCH. */
  memberBatchSize: number;
  maxRetryAfterSeconds: number;
  maxThrottleRetries: number;
  thresholds: QuarantineThresholds;
}

export const defaultEngineOptions: EngineOptions = {
  concurrency: 1,
  memberBatchSize: 50,
  maxRetryAfterSeconds: 60,
  maxThrottleRetries: 5,
  thresholds: { minimumFailures: 5000, failureProportion: 0.4, totalFailures: 40000 },
};

export interface CycleInput {
  directory: Directory;
  state: EngineState;
  schema: CompiledSchema;
  schemaRevision: number;
  jobId: string;
  tenantId: string;
  servicePrincipal: { id: string; displayName: string; appId: string };
  secrets: ReadonlyMap<string, string>;
  /** Active accidental-deletion threshold, or null when disabled. */
  deleteThreshold: number | null;
  options: EngineOptions;
  log: (summary: ProvisioningObjectSummary) => void;
  progress: (completed: number, total: number) => void;
}

const emptyCounts = (): CycleCounts => ({ imported: 0, entitled: 0, created: 0, updated: 0, disabled: 0, deleted: 0, skipped: 0, escrowed: 0, exports: 0, exported: 0 });

export function credentialsFrom(secrets: ReadonlyMap<string, string>): { baseAddress: string; token: string } | null {
  const baseAddress = secrets.get('BaseAddress');
  if (!baseAddress) return null;
  return { baseAddress, token: secrets.get('SecretToken') ?? '' };
}

export function pipelineContext(input: CycleInput, client: ScimClient, cycleId: string, onDemand: boolean): PipelineContext {
  const log: LogContext = { tenantId: input.tenantId, jobId: input.jobId, cycleId, servicePrincipal: input.servicePrincipal, onDemand };
  return {
    directory: input.directory,
    scope: { directory: input.directory, servicePrincipalId: input.servicePrincipal.id, syncAll: (input.secrets.get('SyncAll') ?? '').toLowerCase() === 'true' },
    schema: input.schema,
    state: input.state,
    client,
    log,
    memberBatchSize: input.options.memberBatchSize,
    skipOutOfScopeDeletions: (input.secrets.get('SkipOutOfScopeDeletions') ?? '').toLowerCase() === 'true',
    allowDeletes: true,
  };
}

export function scimClientFor(input: CycleInput, baseAddress: string, token: string): ScimClient {
  return new ScimClient({
    tenantUrl: parseTenantUrl(baseAddress),
    token,
    record: (r) => input.state.record(r),
    maxRetryAfterSeconds: input.options.maxRetryAfterSeconds,
    maxThrottleRetries: input.options.maxThrottleRetries,
  });
}

export async function runCycle(input: CycleInput): Promise<CycleReport> {
  const clients: ScimClient[] = [];
  try {
    return await cycle(input, clients);
  } finally {
    for (const c of clients) c.close();
  }
}

async function cycle(input: CycleInput, clients: ScimClient[]): Promise<CycleReport> {
  const cycleId = newGuid();
  const timeBegan = new Date().toISOString();
  const counts = emptyCounts();
  const { directory, state } = input;
  const report = (partial: Partial<CycleReport>): CycleReport => ({
    cycleId, full: false, state: 'Succeeded', counts, error: null, quarantine: null, heldDeletes: state.heldDeletes.size, throttled: 0,
    timeBegan, timeEnded: new Date().toISOString(), ...partial,
  });

  const credentials = credentialsFrom(input.secrets);
  if (!credentials) {
    const error = { code: 'CredentialsMissing', message: 'No tenant URL (BaseAddress) is saved for this job: PUT …/synchronization/secrets first.', tenantActionable: true };
    return report({ state: 'Failed', error, quarantine: { reason: 'EncounteredQuarantineException', error } });
  }
  let client: ScimClient;
  try {
    client = scimClientFor(input, credentials.baseAddress, credentials.token);
    clients.push(client);
  } catch {
    const error = { code: 'SystemForCrossDomainIdentityManagementInvalidCredentials', message: 'Please provide a valid tenant URL for your application.', tenantActionable: true };
    return report({ state: 'Failed', error, quarantine: { reason: 'EncounteredQuarantineException', error } });
  }
  const ctx = pipelineContext(input, client, cycleId, false);

  // Candidates: everything on an initial cycle (or after a schema change), else the deltas.
  const full = state.watermark === 0 || state.cycledSchemaRevision !== input.schemaRevision;
  const watermark = directory.currentSequence;
  const userIds = new Set<string>();
  const groupIds = new Set<string>();
  for (const u of directory.users.values()) if (full || u.seq > state.watermark) userIds.add(u.id);
  for (const g of directory.groups.values()) if (full || g.seq > state.watermark) groupIds.add(g.id);
  for (const t of directory.tombstones.values()) {
    if (!full && t.seq <= state.watermark) continue;
    (t.type === 'User' ? userIds : groupIds).add(t.id);
  }
  if (full) {
    for (const id of state.users.keys()) userIds.add(id);
    for (const id of state.groups.keys()) groupIds.add(id);
  }
  for (const e of state.escrows.values()) (e.objectType === 'User' ? userIds : groupIds).add(e.objectId);
  for (const id of state.heldDeletes) (directory.groups.has(id) || state.groups.has(id) ? groupIds : userIds).add(id);

  // Accidental-deletion guard: count disables and deletes before exporting any of them.
  const userPlans = new Map([...userIds].map((id) => [id, planUser(ctx, id)]));
  const groupPlans = new Map([...groupIds].map((id) => [id, planGroup(ctx, id)]));
  const deletions = [...userPlans, ...groupPlans].filter(([, p]) => p === 'disable' || p === 'delete').map(([id]) => id);
  let quarantine: CycleReport['quarantine'] = null;
  state.heldDeletes.clear();
  if (input.deleteThreshold !== null && deletions.length > input.deleteThreshold && !state.forceDeletes) {
    ctx.allowDeletes = false;
    for (const id of deletions) state.heldDeletes.add(id);
    const error = { code: 'TooManyDeletes', message: `This cycle would disable or delete ${deletions.length} objects, more than the accidental-deletion threshold of ${input.deleteThreshold}. Nothing was deleted; restart the job with resetScope "ForceDeletes" to apply them.`, tenantActionable: true };
    quarantine = { reason: 'TooManyDeletes', error };
  }
  state.forceDeletes = false;

  const total = userIds.size + groupIds.size;
  let done = 0;
  const escrowedNow = new Set<string>();
  const touchedGroups = new Set<string>();
  const references: NonNullable<ObjectOutcome['reference']>[] = [];
  const record = (objectType: 'User' | 'Group', id: string, outcome: ObjectOutcome | null): void => {
    if (!outcome) return;
    counts.exports += outcome.exports;
    if (outcome.status === 'failure') {
      counts.escrowed++;
      escrowedNow.add(id);
      const err: ErrorInfo = outcome.error!;
      const previous = state.escrows.get(id);
      state.escrows.set(id, { objectId: id, objectType, attempts: (previous?.attempts ?? 0) + 1, firstFailure: previous?.firstFailure ?? new Date().toISOString(), code: err.errorCode, message: err.reason });
    } else if (outcome.status === 'success') {
      counts.exported++;
      if (outcome.action === 'create') counts.created++;
      else if (outcome.action === 'update') counts.updated++;
      else if (outcome.action === 'disable') counts.disabled++;
      else if (outcome.action === 'delete') counts.deleted++;
    } else {
      counts.skipped++;
    }
    if (outcome.status !== 'failure' && !escrowedNow.has(id)) state.escrows.delete(id);
    // Redundant exports and never-provisioned out-of-scope objects produce no log entry in cycles.
    const quiet = outcome.status === 'skipped' && (outcome.action === 'other' || outcome.exports === 0) && outcome.error?.errorCode !== 'TooManyDeletes';
    if (outcome.summary && !quiet) input.log(outcome.summary);
  };

  try {
    await runPool([...userIds], input.options.concurrency, async (id) => {
      const plan = userPlans.get(id);
      if (plan === 'none' && !state.users.has(id) && !state.escrows.has(id)) { done++; return; }
      counts.imported++;
      if (plan === 'upsert') counts.entitled++;
      const outcome = await syncUser(ctx, id);
      record('User', id, outcome);
      if (outcome.reference) references.push(outcome.reference);
      if (outcome.storeChanged) for (const g of directory.groupsOf(id)) touchedGroups.add(g);
      input.progress(++done, total);
    });
    await runPool(references, input.options.concurrency, async (ref) => {
      record('User', ref.userId, await syncManager(ctx, ref));
    });
    for (const g of touchedGroups) groupIds.add(g);
    await runPool([...groupIds], input.options.concurrency, async (id) => {
      if (!groupPlans.has(id)) groupPlans.set(id, planGroup(ctx, id));
      const plan = groupPlans.get(id);
      if (plan === 'none' && !state.groups.has(id) && !state.escrows.has(id)) { done++; return; }
      counts.imported++;
      if (plan === 'upsert') counts.entitled++;
      record('Group', id, await syncGroup(ctx, id));
      input.progress(++done, total);
    });
  } catch (error) {
    const abort = error instanceof JobAbort ? error : error instanceof ScimUnreachableError ? new JobAbort('SystemForCrossDomainIdentityManagementServiceUnavailable', error.message, null) : null;
    if (!abort) throw error;
    // The watermark stays put: the next cycle retries everything this one did not finish.
    const err = { code: abort.code, message: abort.message, tenantActionable: true };
    return report({ full, state: 'Failed', error: err, quarantine: abort.quarantine ? { reason: abort.quarantine, error: err } : quarantine, throttled: client.throttled });
  }

  state.watermark = watermark;
  state.cycledSchemaRevision = input.schemaRevision;

  const escrowTotal = state.escrows.size;
  const t = input.options.thresholds;
  if (!quarantine && escrowTotal >= t.minimumFailures) {
    const processed = Math.max(1, counts.imported);
    if (escrowTotal >= t.totalFailures) quarantine = { reason: 'EncounteredTotalEscrowThreshold', error: { code: 'EncounteredTotalEscrowThreshold', message: `${escrowTotal} entries are failing (threshold ${t.totalFailures}).`, tenantActionable: true } };
    else if (counts.escrowed / processed > t.failureProportion) quarantine = { reason: 'EncounteredEscrowProportionThreshold', error: { code: 'EncounteredEscrowProportionThreshold', message: `${counts.escrowed} of ${processed} entries failed this cycle (more than ${Math.round(t.failureProportion * 100)} %).`, tenantActionable: true } };
  }
  return report({
    full,
    state: counts.escrowed > 0 ? 'EntryLevelErrors' : 'Succeeded',
    quarantine,
    heldDeletes: state.heldDeletes.size,
    throttled: client.throttled,
  });
}
