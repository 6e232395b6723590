// The synchronization calls the scripts make (reference §3), each named with what it does and the
// permission it needs, so a Graph error says which permission or input to fix.
import { CliError, ExitCode } from '../cli/errors.js';
import type { GraphApi } from './client.js';
import type { Operation } from './errors.js';
import { provisionOnDemandLimiter, type SlidingWindowLimiter } from './rate-limit.js';
import type {
  DirectoryGroup,
  DirectoryUser,
  ParseExpressionResponse,
  ProvisioningObjectSummary,
  ProvisionOnDemandResult,
  ProvisionOnDemandValue,
  SynchronizationJob,
  SynchronizationSchema,
} from './types.js';

export const SCIM_TEMPLATE_ID = 'scim';
export const NON_GALLERY_APPLICATION_TEMPLATE_ID = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';

const RW = 'Synchronization.ReadWrite.All';
const R = 'Synchronization.Read.All';
const spFix = 'Check --service-principal-id (the enterprise application\'s service principal OBJECT id, Pulumi output servicePrincipalObjectId), not the appId.';
const jobFix = 'Check --job-id (Pulumi output provisioningJobId), or omit it to use the service principal\'s only job; npm run configure-provisioning creates the job.';

const e = encodeURIComponent;
const sp = (spId: string): string => `/servicePrincipals/${e(spId)}`;
const job = (spId: string, jobId: string): string => `${sp(spId)}/synchronization/jobs/${e(jobId)}`;

export async function getServicePrincipal(api: GraphApi, spId: string): Promise<{ id: string; appId: string; displayName?: string }> {
  return api.get(sp(spId), { what: `read service principal ${spId}`, permission: 'Application.Read.All', notFoundFix: spFix }, { $select: 'id,appId,displayName' });
}

/** Finds a service principal by appId (client id) or display name. */
export async function findServicePrincipal(api: GraphApi, by: { appId?: string; displayName?: string }): Promise<{ id: string; appId: string; displayName?: string }[]> {
  const filter = by.appId ? `appId eq '${by.appId.replace(/'/g, "''")}'` : `displayName eq '${(by.displayName ?? '').replace(/'/g, "''")}'`;
  return api.list(`/servicePrincipals`, { what: 'look up the service principal', permission: 'Application.Read.All' }, { $filter: filter, $select: 'id,appId,displayName' });
}

export async function instantiateNonGalleryApp(api: GraphApi, displayName: string): Promise<{ application: { id: string; appId: string }; servicePrincipal: { id: string; appId: string } }> {
  return api.post(`/applicationTemplates/${NON_GALLERY_APPLICATION_TEMPLATE_ID}/instantiate`, { displayName }, { what: `create the enterprise application '${displayName}'`, permission: 'Application.ReadWrite.OwnedBy' });
}

export async function listTemplates(api: GraphApi, spId: string): Promise<{ id: string; factoryTag?: string }[]> {
  return api.list(`${sp(spId)}/synchronization/templates`, { what: 'list the synchronization templates', permission: R, notFoundFix: spFix });
}

export async function listJobs(api: GraphApi, spId: string): Promise<SynchronizationJob[]> {
  return api.list(`${sp(spId)}/synchronization/jobs`, { what: 'list the provisioning jobs', permission: R, notFoundFix: spFix });
}

export async function getJob(api: GraphApi, spId: string, jobId: string): Promise<SynchronizationJob> {
  return api.get(job(spId, jobId), { what: `read provisioning job ${jobId}`, permission: R, notFoundFix: jobFix });
}

export async function createJob(api: GraphApi, spId: string, templateId = SCIM_TEMPLATE_ID): Promise<SynchronizationJob> {
  return api.post(`${sp(spId)}/synchronization/jobs`, { templateId }, { what: `create a provisioning job from template '${templateId}'`, permission: RW, notFoundFix: spFix });
}

/** The job to work on: the one named, or the service principal's only job. */
export async function resolveJob(api: GraphApi, spId: string, jobId: string | undefined): Promise<SynchronizationJob> {
  if (jobId) return getJob(api, spId, jobId);
  const jobs = await listJobs(api, spId);
  if (jobs.length === 0) {
    throw new CliError(`Service principal ${spId} has no provisioning job.`, { exitCode: ExitCode.notFound, code: 'JobNotFound', fix: 'Run npm run configure-provisioning first (it creates the job from template scim).' });
  }
  if (jobs.length > 1) {
    throw new CliError(`Service principal ${spId} has ${jobs.length} provisioning jobs (${jobs.map((j) => j.id).join(', ')}).`, { exitCode: ExitCode.usage, code: 'AmbiguousJob', fix: 'Pass --job-id to choose one.' });
  }
  return jobs[0];
}

export async function putSecrets(api: GraphApi, spId: string, secrets: { key: string; value: string }[]): Promise<void> {
  await api.put(`${sp(spId)}/synchronization/secrets`, { value: secrets }, { what: 'save the provisioning credentials (tenant URL and secret token)', permission: RW, notFoundFix: spFix });
}

export async function getSecretKeys(api: GraphApi, spId: string): Promise<{ key: string; value: string }[]> {
  const body = await api.get<{ value?: { key: string; value: string }[] }>(`${sp(spId)}/synchronization/secrets`, { what: 'read the saved provisioning credentials', permission: RW, notFoundFix: spFix });
  return body.value ?? [];
}

export async function validateCredentials(api: GraphApi, spId: string, jobId: string): Promise<void> {
  await api.post(`${job(spId, jobId)}/validateCredentials`, { useSavedCredentials: true }, { what: 'test the connection to the SCIM service (Test Connection)', permission: RW, notFoundFix: jobFix });
}

export async function startJob(api: GraphApi, spId: string, jobId: string): Promise<void> {
  await api.post(`${job(spId, jobId)}/start`, {}, { what: 'start the provisioning job', permission: RW, notFoundFix: jobFix });
}

export async function restartJob(api: GraphApi, spId: string, jobId: string, resetScope: string): Promise<void> {
  await api.post(`${job(spId, jobId)}/restart`, { criteria: { resetScope } }, { what: `restart the provisioning job (resetScope ${resetScope})`, permission: RW, notFoundFix: jobFix });
}

export async function getSchema(api: GraphApi, spId: string, jobId: string): Promise<SynchronizationSchema> {
  return api.get(`${job(spId, jobId)}/schema`, { what: 'read the job\'s synchronization schema', permission: R, notFoundFix: jobFix });
}

export async function putSchema(api: GraphApi, spId: string, jobId: string, schema: SynchronizationSchema): Promise<void> {
  await api.put(`${job(spId, jobId)}/schema`, schema, { what: 'save the synchronization schema (attribute mappings)', permission: RW, notFoundFix: jobFix });
}

export async function parseExpressionRemote(api: GraphApi, spId: string, jobId: string, expression: string): Promise<ParseExpressionResponse> {
  return api.post(`${job(spId, jobId)}/schema/parseExpression`, { expression }, { what: 'check an expression with Graph (parseExpression)', permission: RW, notFoundFix: jobFix });
}

export interface ProvisionSubject {
  objectId: string;
  objectTypeName: 'User' | 'Group';
  members?: string[];
}

export interface DecodedProvisionOnDemand {
  result: ProvisionOnDemandResult;
  value: ProvisionOnDemandValue;
}

/** provisionOnDemand, rate-limited to the documented 5 calls / 10 s, with key/value JSON decoded. */
export async function provisionOnDemand(
  api: GraphApi,
  spId: string,
  jobId: string,
  ruleId: string,
  subject: ProvisionSubject,
  options: { limiter?: SlidingWindowLimiter; onWait?: (ms: number) => void } = {},
): Promise<DecodedProvisionOnDemand> {
  await (options.limiter ?? provisionOnDemandLimiter).take(options.onWait);
  const body = {
    parameters: [
      {
        ruleId,
        subjects: [
          {
            objectId: subject.objectId,
            objectTypeName: subject.objectTypeName,
            ...(subject.members?.length ? { links: { members: subject.members.map((m) => ({ objectId: m, objectTypeName: 'User' })) } } : {}),
          },
        ],
      },
    ],
  };
  const raw = await api.post<{ key?: string; value?: string }>(`${job(spId, jobId)}/provisionOnDemand`, body, {
    what: `provision ${subject.objectTypeName.toLowerCase()} ${subject.objectId} on demand`,
    permission: RW,
    notFoundFix: `Check the ${subject.objectTypeName.toLowerCase()} exists in the tenant and ${jobFix}`,
  });
  return { result: decode(raw.key, { result: 'Failure', details: {} }), value: decode(raw.value, {}) };
}

function decode<T>(text: string | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export interface LogQuery {
  jobId?: string;
  servicePrincipalId?: string;
  since?: Date;
  until?: Date;
  /** Source identity display name / UPN or id. */
  identity?: string;
  top?: number;
  /** Stop paging after this many records (the newest come first). */
  maxRecords?: number;
}

export async function listProvisioningLogs(api: GraphApi, query: LogQuery): Promise<ProvisioningObjectSummary[]> {
  const clauses: string[] = [];
  if (query.jobId) clauses.push(`jobId eq '${query.jobId}'`);
  else if (query.servicePrincipalId) clauses.push(`servicePrincipal/id eq '${query.servicePrincipalId}'`);
  if (query.since) clauses.push(`activityDateTime gt ${query.since.toISOString()}`);
  if (query.until) clauses.push(`activityDateTime lt ${query.until.toISOString()}`);
  const params: Record<string, string> = { $orderby: 'activityDateTime desc', $top: String(Math.min(query.top ?? 500, 500)) };
  if (clauses.length) params.$filter = clauses.join(' and ');
  return api.list('/auditLogs/provisioning', { what: 'read the provisioning logs', permission: 'ProvisioningLog.Read.All' }, params, query.maxRecords);
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user given by object id, UPN or display name. */
export async function findUser(api: GraphApi, ref: string): Promise<DirectoryUser> {
  const op: Operation = { what: `look up user '${ref}'`, permission: 'User.Read.All', notFoundFix: 'Check the user\'s object id or userPrincipalName.' };
  if (guid.test(ref)) return api.get(`/users/${e(ref)}`, op);
  if (ref.includes('@')) {
    const byUpn = await api.list<DirectoryUser>('/users', op, { $filter: `userPrincipalName eq '${ref.replace(/'/g, "''")}'` });
    if (byUpn.length) return byUpn[0];
  }
  const byName = await api.list<DirectoryUser>('/users', op, { $filter: `displayName eq '${ref.replace(/'/g, "''")}'` });
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) throw new CliError(`${byName.length} users are named '${ref}'.`, { exitCode: ExitCode.usage, code: 'AmbiguousUser', fix: `Use the userPrincipalName or object id instead (${byName.map((u) => u.userPrincipalName ?? u.id).join(', ')}).` });
  throw new CliError(`No user '${ref}' in the tenant.`, { exitCode: ExitCode.notFound, code: 'UserNotFound', fix: 'Check the spelling; give the userPrincipalName, display name or object id.' });
}

/** A group given by object id or display name. */
export async function findGroup(api: GraphApi, ref: string): Promise<DirectoryGroup> {
  const op: Operation = { what: `look up group '${ref}'`, permission: 'Group.Read.All', notFoundFix: 'Check the group\'s object id or display name.' };
  if (guid.test(ref)) return api.get(`/groups/${e(ref)}`, op);
  const byName = await api.list<DirectoryGroup>('/groups', op, { $filter: `displayName eq '${ref.replace(/'/g, "''")}'` });
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) throw new CliError(`${byName.length} groups are named '${ref}'.`, { exitCode: ExitCode.usage, code: 'AmbiguousGroup', fix: 'Use the group\'s object id instead.' });
  throw new CliError(`No group '${ref}' in the tenant.`, { exitCode: ExitCode.notFound, code: 'GroupNotFound', fix: 'Check the spelling; give the display name or object id.' });
}

export async function groupMemberIds(api: GraphApi, groupId: string): Promise<string[]> {
  const members = await api.list<{ id: string; '@odata.type'?: string }>(`/groups/${e(groupId)}/members`, { what: `list the members of group ${groupId}`, permission: 'GroupMember.Read.All' }, { $select: 'id' });
  return members.filter((m) => !m['@odata.type'] || m['@odata.type'] === '#microsoft.graph.user').map((m) => m.id);
}

/** The synchronization rule provisionOnDemand needs (read from the schema, never hard-coded). */
export function ruleIdOf(schema: SynchronizationSchema): string {
  const rule = schema.synchronizationRules.find((r) => r.objectMappings?.some((m) => m.sourceObjectName === 'User')) ?? schema.synchronizationRules[0];
  if (!rule) throw new CliError('The job schema has no synchronization rule.', { exitCode: ExitCode.checkFailed, code: 'SchemaWithoutRule', fix: 'Upload the schema again: npm run upload-schema.' });
  return rule.id;
}
