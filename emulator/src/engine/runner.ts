// Connects the provisioning engine to the Graph synchronization state: builds a cycle's input from
// a job (compiled schema, secrets, thresholds), runs cycles, and runs provision-on-demand
// (graph-synchronization.md §3.10) for one user or one group with up to five members.
import { badRequest, notFound } from '../graph/errors.js';
import { newGuid } from '../ids.js';
import type { SyncJob } from '../sync/job.js';
import type { ProvisioningRunner, Synchronization } from '../sync/synchronization.js';
import { credentialsFrom, defaultEngineOptions, pipelineContext, runCycle, scimClientFor, type CycleInput, type EngineOptions } from './cycle.js';
import { compileSchema, type CompiledSchema } from './mappings.js';
import { JobAbort, syncGroup, syncManager, syncUser, type ObjectOutcome } from './pipeline.js';
import type { CycleReport } from './report.js';
import { ScimUnreachableError, type ScimClient } from './scim-client.js';

const compiledCache = new WeakMap<SyncJob, { revision: number; schema: CompiledSchema }>();

function compiled(job: SyncJob): CompiledSchema {
  const hit = compiledCache.get(job);
  if (hit && hit.revision === job.schemaRevision) return hit.schema;
  const schema = compileSchema(job.schema);
  compiledCache.set(job, { revision: job.schemaRevision, schema });
  return schema;
}

/**
 * The accidental-deletion threshold: SyncNotificationSettings.DeleteThresholdEnabled/Value when
 * saved, else the job setting QuarantineTooManyDeletesThreshold (500 by default, reference §3.6).
 */
function deleteThreshold(job: SyncJob, secrets: ReadonlyMap<string, string>): number | null {
  const raw = secrets.get('SyncNotificationSettings');
  if (raw) {
    try {
      const s = JSON.parse(raw) as { DeleteThresholdEnabled?: boolean; DeleteThresholdValue?: number | string };
      if (s.DeleteThresholdEnabled === false) return null;
      const value = Number(s.DeleteThresholdValue);
      if (s.DeleteThresholdEnabled && Number.isFinite(value) && value > 0) return value;
    } catch { /* fall back to the job setting */ }
  }
  const value = Number(job.setting('QuarantineTooManyDeletesThreshold') ?? '500');
  return Number.isFinite(value) && value > 0 ? value : null;
}

const cap = (s: string): string => (s ? s[0].toUpperCase() + s.slice(1) : s);

export class EngineRunner implements ProvisioningRunner {
  constructor(
    private readonly sync: Synchronization,
    readonly options: EngineOptions = defaultEngineOptions,
  ) {}

  cycleInput(job: SyncJob): CycleInput {
    const tenant = this.sync.tenant;
    const sp = tenant.servicePrincipal(job.servicePrincipalId);
    const secrets = this.sync.secretMap(sp.id);
    return {
      directory: tenant.directory,
      state: job.engine,
      schema: compiled(job),
      schemaRevision: job.schemaRevision,
      jobId: job.id,
      tenantId: tenant.tenantId,
      servicePrincipal: { id: sp.id, displayName: String(sp.props.displayName ?? ''), appId: sp.appId },
      secrets,
      deleteThreshold: deleteThreshold(job, secrets),
      options: this.options,
      log: (s) => this.sync.addLog(s),
      progress: (completed, total) => {
        job.status.progress = [{ completedUnits: completed, totalUnits: total, units: 'Entries', progressObservationDateTime: new Date().toISOString() }];
      },
    };
  }

  runCycle(job: SyncJob): Promise<CycleReport> {
    return runCycle(this.cycleInput(job));
  }

  async provisionOnDemand(job: SyncJob, body: unknown): Promise<{ key: string; value: string }> {
    type Subject = { objectId?: unknown; objectTypeName?: unknown; links?: { members?: { objectId?: unknown }[] } };
    const params = (body as { parameters?: { ruleId?: unknown; subjects?: Subject[] }[] } | null)?.parameters;
    const param = Array.isArray(params) ? params[0] : undefined;
    const subject = Array.isArray(param?.subjects) ? param.subjects[0] : undefined;
    if (!param || typeof subject?.objectId !== 'string' || typeof subject.objectTypeName !== 'string') {
      throw badRequest('The body must be {"parameters":[{"ruleId":"<rule id from the job schema>","subjects":[{"objectId":"<id>","objectTypeName":"User"|"Group"}]}]}.');
    }
    const schema = compiled(job);
    if (param.ruleId !== schema.ruleId) throw badRequest(`ruleId '${String(param.ruleId ?? '')}' is not a rule of this job's schema; use '${schema.ruleId}' (synchronizationRules[].id).`);
    const type = subject.objectTypeName.toLowerCase();
    const memberIds = (subject.links?.members ?? []).map((m) => String(m?.objectId ?? ''));
    if (type === 'group' && memberIds.length > 5) throw badRequest('Provision on demand accepts one group with at most five members per call.');
    const input = this.cycleInput(job);
    const credentials = credentialsFrom(input.secrets);
    if (!credentials) throw badRequest('No tenant URL (BaseAddress) is saved for this job: PUT …/synchronization/secrets first.', 'CredentialsMissing');
    // The aadOptscim062020 flag "currently doesn't work with on-demand provisioning" (MS-Compat).
    const base = new URL(credentials.baseAddress);
    base.search = '';
    const client = scimClientFor(input, base.toString(), credentials.token);
    try {
      return await this.onDemand(job, { objectId: subject.objectId, objectTypeName: subject.objectTypeName }, type, memberIds, input, client);
    } finally {
      client.close();
    }
  }

  private async onDemand(job: SyncJob, subject: { objectId: string; objectTypeName: string }, type: string, memberIds: string[], input: CycleInput, client: ScimClient): Promise<{ key: string; value: string }> {
    const ctx = pipelineContext(input, client, newGuid(), true);
    const directory = this.sync.tenant.directory;
    let outcome: ObjectOutcome;
    const started = new Date().toISOString();
    try {
      if (type === 'user') {
        if (!directory.users.has(subject.objectId)) throw notFound('user', subject.objectId);
        outcome = await syncUser(ctx, subject.objectId);
        if (outcome.reference) await syncManager(ctx, outcome.reference);
      } else if (type === 'group') {
        if (!directory.groups.has(subject.objectId)) throw notFound('group', subject.objectId);
        for (const m of memberIds) if (directory.users.has(m) && !job.engine.users.has(m)) await syncUser(ctx, m);
        outcome = await syncGroup(ctx, subject.objectId, new Set(memberIds));
      } else {
        throw badRequest(`objectTypeName '${subject.objectTypeName}' is not provisioned by this job (User or Group).`);
      }
    } catch (error) {
      if (!(error instanceof JobAbort) && !(error instanceof ScimUnreachableError)) throw error;
      const code = error instanceof JobAbort ? error.code : 'SystemForCrossDomainIdentityManagementServiceUnavailable';
      const step = { name: 'TestConnection', type: 'Export', status: 'Failure', description: error.message, timestamp: new Date().toISOString(), details: {} };
      return {
        key: JSON.stringify({ result: 'Failure', details: { errorCode: code, errorMessage: error.message } }),
        value: JSON.stringify({ action: 'Other', changeId: newGuid(), startTime: started, endTime: new Date().toISOString(), provisioningSteps: [step], statusInfo: { status: 'Failure', errorCode: code, reason: error.message } }),
      };
    }
    const summary = outcome.summary!;
    this.sync.addLog(summary);
    const result = outcome.status === 'success' ? 'Success' : outcome.status === 'skipped' ? 'Skipped' : 'Failure';
    const details: Record<string, string> = {};
    if (outcome.error) {
      details.errorCode = outcome.error.errorCode;
      details.errorMessage = outcome.error.reason;
    } else if (outcome.status === 'skipped') {
      details.errorCode = 'RedundantExport';
      details.errorMessage = 'The object is already up to date in the target system.';
    }
    const value = {
      action: cap(summary.provisioningAction),
      changeId: summary.changeId,
      startTime: started,
      endTime: new Date().toISOString(),
      reportableIdentifier: summary.sourceIdentity.displayName,
      modifiedProperties: summary.modifiedProperties,
      provisioningSteps: summary.provisioningSteps.map((s) => ({ name: s.name, type: cap(s.provisioningStepType), status: cap(s.status), description: s.description, timestamp: summary.activityDateTime, details: s.details })),
      statusInfo: { status: cap(summary.provisioningStatusInfo.status), errorCode: outcome.error?.errorCode ?? null, reason: outcome.error?.reason ?? null, additionalDetails: outcome.error?.additionalDetails ?? null, errorCategory: outcome.error?.errorCategory ?? null, recommendedAction: null },
      sourceIdentity: { id: summary.sourceIdentity.id, type: summary.sourceIdentity.identityType, displayName: summary.sourceIdentity.displayName, details: {} },
      targetIdentity: { id: summary.targetIdentity.id, type: summary.targetIdentity.identityType, displayName: summary.targetIdentity.displayName, details: {} },
      sourceSystem: { id: '', name: 'Azure Active Directory', details: {} },
      targetSystem: { id: '', name: 'customappsso', details: summary.targetSystem.details },
    };
    return { key: JSON.stringify({ result, details }), value: JSON.stringify(value) };
  }
}
