// One object through Entra's pipeline: import → scoping → matching → export
// (entra-scim-client.md §1.1). Used by full/incremental cycles and by provisionOnDemand.
import type { Directory, GroupEntry, UserEntry } from '../directory/store.js';
import type { EngineState } from './job-state.js';
import { ObjectTrace, type ErrorInfo, type ProvisioningAction, type ProvisioningObjectSummary, type ProvisioningResult, type LogContext } from './logs.js';
import { evaluateMapping, type CompiledMapping, type CompiledObjectMapping, type CompiledSchema } from './mappings.js';
import { ScimUnreachableError, type ScimClient, type ScimResponse } from './scim-client.js';
import { readPath } from './scim-paths.js';
import {
  attributeOperations, groupCreateBody, managerOperation, memberAddOperation, memberRemoveOperations, patchBody, userCreateBody,
  type AttributeChange, type Json, type PatchOperation, type ScimValue,
} from './scim-shapes.js';
import { inFilterScope } from './scoping-filter.js';
import { groupSource, isGroupAssigned, isUserAssigned, scalarText, userSource, type ScopeContext, type SourceRecord, type SourceValue } from './source-objects.js';

/** A failure that stops the whole cycle: bad credentials, an incompatible or unreachable endpoint. */
export class JobAbort extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly quarantine: 'EncounteredQuarantineException' | null,
  ) {
    super(message);
    this.name = 'JobAbort';
  }
}

export interface PipelineContext {
  directory: Directory;
  scope: ScopeContext;
  schema: CompiledSchema;
  state: EngineState;
  client: ScimClient;
  log: LogContext;
  memberBatchSize: number;
  skipOutOfScopeDeletions: boolean;
  /** Deletions are counted first and held back when they exceed the accidental-deletion threshold. */
  allowDeletes: boolean;
}

export interface ObjectOutcome {
  action: ProvisioningAction;
  status: ProvisioningResult;
  /** SCIM requests that changed the target (POST/PATCH/DELETE). */
  exports: number;
  error: ErrorInfo | null;
  summary: ProvisioningObjectSummary | null;
  /** For users created or updated: what the manager pass needs. */
  reference?: { userId: string; targetId: string; resource: Json };
  storeChanged: boolean;
}

export type PlannedAction = 'upsert' | 'disable' | 'delete' | 'none';

const TARGET = 'customappsso';
const errorInfo = (errorCode: string, reason: string, additionalDetails: string | null = null, category: ErrorInfo['errorCategory'] = 'failure'): ErrorInfo => ({
  errorCode, reason, additionalDetails, errorCategory: category, recommendedAction: null,
});

function scimDetail(res: ScimResponse): string {
  const b = res.body ?? {};
  return String(b.detail ?? b.message ?? JSON.stringify(b)).slice(0, 500);
}

/** Status codes that concern the job, not the object: they abort the cycle. */
function checkJobLevel(res: ScimResponse, isQuery: boolean): void {
  if (res.status === 401 || res.status === 403) {
    throw new JobAbort('SystemForCrossDomainIdentityManagementInvalidCredentials', `The SCIM endpoint rejected the credentials (HTTP ${res.status}). Check the secret token saved for this application.`, 'EncounteredQuarantineException');
  }
  if (isQuery && res.status === 404) {
    throw new JobAbort('SystemForCrossDomainIdentityManagementServiceIncompatible', 'The SCIM endpoint answered a filtered list query with 404; Entra requires 200 with an empty ListResponse.', 'EncounteredQuarantineException');
  }
}

function objectError(res: ScimResponse, what: string): ErrorInfo {
  const detail = scimDetail(res);
  if (res.status === 409) return errorInfo('EntryConflict', `${what} failed: the SCIM endpoint reported a conflict (HTTP 409: ${detail}). The entry is escrowed and retried on the next cycle.`, detail);
  if (res.status === 429) return errorInfo('TooManyRequests', `${what} failed: the SCIM endpoint kept throttling (HTTP 429) after the Retry-After waits.`, detail);
  if (res.status >= 500) return errorInfo('InternalServerError', `${what} failed: the SCIM endpoint returned HTTP ${res.status} (${detail}).`, detail);
  return errorInfo('WebExceptionProtocolError', `${what} failed: the SCIM endpoint returned HTTP ${res.status} (${detail}).`, detail);
}

// ---------------------------------------------------------------------------------------------
// Import and scoping

export interface ImportedUser {
  user: UserEntry;
  source: SourceRecord;
  inScope: boolean;
  assigned: boolean;
  filterPassed: boolean;
}

export function importUser(ctx: PipelineContext, user: UserEntry): ImportedUser {
  const assigned = ctx.scope.syncAll || isUserAssigned(ctx.scope, user);
  const source = userSource(ctx.scope, user, true);
  const filterPassed = inFilterScope(ctx.schema.users?.mapping.scope ?? null, source);
  const inScope = assigned && filterPassed && !user.deletedDateTime && !!ctx.schema.users;
  if (!inScope) source.IsSoftDeleted = 'True';
  return { user, source, inScope, assigned, filterPassed };
}

export interface ImportedGroup {
  group: GroupEntry;
  source: SourceRecord;
  inScope: boolean;
}

export function importGroup(ctx: PipelineContext, group: GroupEntry): ImportedGroup {
  const source = groupSource(group, true);
  const assigned = ctx.scope.syncAll || isGroupAssigned(ctx.scope, group);
  const inScope = assigned && !group.deletedDateTime && !!ctx.schema.groups && inFilterScope(ctx.schema.groups.mapping.scope, source);
  if (!inScope) source.IsSoftDeleted = 'True';
  return { group, source, inScope };
}

export function planUser(ctx: PipelineContext, userId: string): PlannedAction {
  const stored = ctx.state.users.get(userId);
  const user = ctx.directory.users.get(userId);
  if (!user) return stored ? 'delete' : 'none';
  const imported = importUser(ctx, user);
  if (imported.inScope) return 'upsert';
  if (!stored || stored.disabled || ctx.skipOutOfScopeDeletions) return 'none';
  return 'disable';
}

export function planGroup(ctx: PipelineContext, groupId: string): PlannedAction {
  const stored = ctx.state.groups.get(groupId);
  const group = ctx.directory.groups.get(groupId);
  if (!group) return stored ? 'delete' : 'none';
  if (importGroup(ctx, group).inScope) return 'upsert';
  return stored && !ctx.skipOutOfScopeDeletions ? 'delete' : 'none';
}

// ---------------------------------------------------------------------------------------------
// Values

interface Desired {
  values: Map<string, SourceValue>;
  escrow: string | null;
}

function evaluateAll(om: CompiledObjectMapping, source: SourceRecord, creating: boolean): Desired {
  const values = new Map<string, SourceValue>();
  for (const m of om.attributes) {
    if (m.kind === 'members') continue;
    if (!creating && m.mapping.flowType === 'ObjectAddOnly') continue;
    const outcome = evaluateMapping(m, source);
    if (outcome.kind === 'escrow') return { values, escrow: `${m.target}: ${outcome.reason}` };
    if (outcome.kind === 'ignoreFlow') continue;
    let value = outcome.value;
    // Default values apply only when the object is created (reference §4.2 attributeMapping).
    if ((value === null || value === '') && creating && m.mapping.defaultValue) value = m.mapping.defaultValue;
    if (value === null) continue; // null results are not exported
    values.set(m.target, value);
  }
  return { values, escrow: null };
}

const single = (v: SourceValue): string | null => scalarText(v);
const isObject = (v: SourceValue): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: SourceValue): SourceValue[] => (v === null ? [] : Array.isArray(v) ? v : [v]);

function scimValue(m: CompiledMapping, value: SourceValue, typed: boolean): ScimValue {
  const s = single(value);
  if (s === null) return null;
  if (m.targetType === 'Boolean' && typed) return s.toLowerCase() === 'true';
  return s;
}

function sameValue(m: CompiledMapping, desired: string, current: unknown): boolean {
  if (current === undefined || current === null) return false;
  if (m.targetType === 'Boolean' || typeof current === 'boolean') return String(current).toLowerCase() === desired.toLowerCase();
  return String(current) === desired;
}

interface RoleInfo { id: string; value: string; displayName: string }

function roleInfo(ctx: PipelineContext, raw: SourceValue): RoleInfo {
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const o = raw as { id?: unknown; value?: unknown; displayName?: unknown; display?: unknown };
    const value = String(o.value ?? '');
    const role = ctx.directory.appRolesOf(ctx.scope.servicePrincipalId).find((r) => r.value === value);
    return { id: typeof o.id === 'string' && o.id ? o.id : role?.id ?? '', value, displayName: String(o.displayName ?? o.display ?? role?.displayName ?? value) };
  }
  const v = scalarText(raw) ?? '';
  if (v.startsWith('{')) {
    try {
      const o = JSON.parse(v) as Partial<RoleInfo> & { display?: string };
      if (o.value) return { id: o.id ?? '', value: o.value, displayName: o.displayName ?? o.display ?? o.value };
    } catch { /* a plain value after all */ }
  }
  const role = ctx.directory.appRolesOf(ctx.scope.servicePrincipalId).find((r) => r.value === v);
  return { id: role?.id ?? '', value: v, displayName: role?.displayName ?? v };
}

const roleObject = (r: RoleInfo, primary: boolean): Json => ({ primary, type: 'WindowsAzureActiveDirectoryRole', display: r.displayName, value: r.value });

function createValues(ctx: PipelineContext, om: CompiledObjectMapping, desired: Desired): Map<string, ScimValue> {
  const out = new Map<string, ScimValue>();
  for (const m of om.attributes) {
    if (!desired.values.has(m.target) || m.kind === 'reference' || m.kind === 'members') continue;
    const v = desired.values.get(m.target)!;
    if (m.kind === 'rolesComplex') {
      // The role functions already produce Entra's role objects; plain values get the same shape.
      const roles = list(v).filter((x) => x !== null && x !== '').map((x) => (isObject(x) ? (x as Json) : roleObject(roleInfo(ctx, x), false)));
      out.set(m.target, roles);
    } else {
      out.set(m.target, scimValue(m, v, true));
    }
  }
  return out;
}

function updateOperations(ctx: PipelineContext, om: CompiledObjectMapping, desired: Desired, resource: Json, trace: ObjectTrace, only?: (m: CompiledMapping) => boolean): PatchOperation[] {
  const rfc = ctx.client.rfcPatch;
  const changes: AttributeChange[] = [];
  const extra: PatchOperation[] = [];
  for (const m of om.attributes) {
    if (!desired.values.has(m.target) || m.kind === 'reference' || m.kind === 'members') continue;
    if (only && !only(m)) continue;
    const v = desired.values.get(m.target)!;
    const current = readPath(resource, m.path);
    if (m.kind === 'rolesPrimary') {
      if (m.path.sub && m.path.sub.toLowerCase() !== 'value') continue; // .display/.type ride along with .value
      const s = single(v);
      if (s === null || sameValue(m, s, current)) continue;
      const role = roleInfo(ctx, s);
      trace.modified.push({ displayName: m.target, oldValue: current == null ? null : String(current), newValue: s });
      extra.push(rfc
        ? { op: 'replace', path: 'roles', value: [roleObject(role, true)] }
        : { op: 'Add', path: 'roles', value: [{ value: JSON.stringify({ id: role.id, value: role.value, displayName: role.displayName }) }] });
      continue;
    }
    if (m.kind === 'rolesComplex') {
      const wanted = list(v).filter((x) => x !== null && x !== '').map((x) => roleInfo(ctx, x));
      const have = new Set((Array.isArray(current) ? current : []).map((r) => String((r as Json)?.value ?? r)));
      const assertive = m.mapping.source?.name === 'AssertiveAppRoleAssignmentsComplex';
      const missing = wanted.filter((r) => !have.has(r.value));
      const stale = assertive && [...have].some((h) => !wanted.some((r) => r.value === h));
      if (missing.length === 0 && !stale) continue;
      trace.modified.push({ displayName: m.target, oldValue: JSON.stringify([...have]), newValue: JSON.stringify(wanted.map((r) => r.value)) });
      if (assertive) extra.push({ op: rfc ? 'replace' : 'Replace', path: 'roles', value: list(v).filter((x) => x !== null && x !== '').map((x, i) => (isObject(x) ? (x as Json) : roleObject(wanted[i], false))) });
      // AppRoleAssignmentsComplex only ever adds (buildbuddy PR 10578); default shape = JSON-encoded role strings.
      else extra.push(rfc
        ? { op: 'add', path: 'roles', value: missing.map((r) => roleObject(r, false)) }
        : { op: 'Add', path: 'roles', value: missing.map((r) => ({ value: JSON.stringify({ id: r.id, value: r.value, displayName: r.displayName }) })) });
      continue;
    }
    const s = single(v);
    if (s === null || sameValue(m, s, current)) continue;
    changes.push({ target: m.target, value: scimValue(m, v, rfc), present: current !== undefined && current !== null });
    trace.modified.push({ displayName: m.target, oldValue: current == null ? null : String(current), newValue: s });
  }
  return [...attributeOperations(changes, rfc), ...extra];
}

// ---------------------------------------------------------------------------------------------
// Matching

interface Match {
  resource: Json | null;
  error: ErrorInfo | null;
}

async function matchObject(ctx: PipelineContext, om: CompiledObjectMapping, kind: 'Users' | 'Groups', desired: Desired, storedTargetId: string | null, trace: ObjectTrace): Promise<Match> {
  for (const m of om.matching) {
    const value = single(desired.values.get(m.target) ?? null);
    if (value === null || value === '') continue;
    const filter = `${m.target} eq "${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
    const query: [string, string][] = kind === 'Groups' ? [['excludedAttributes', 'members'], ['filter', filter]] : [['filter', filter]];
    const res = await ctx.client.send('GET', `/${kind}`, query);
    checkJobLevel(res, true);
    if (res.status !== 200) return { resource: null, error: objectError(res, `Matching ${kind === 'Users' ? 'user' : 'group'} by ${m.target}`) };
    const found = Array.isArray(res.body?.Resources) ? (res.body!.Resources as Json[]) : [];
    if (found.length > 1) {
      trace.step('matching', 'EntryMatching', 'failure', `Found ${found.length} entries in ${TARGET} with ${filter}`, { MatchingAttribute: m.target, MatchingValue: value });
      return { resource: null, error: errorInfo('SystemForCrossDomainIdentityManagementMultipleEntriesInResponse', `More than one ${kind === 'Users' ? 'user' : 'group'} in the SCIM endpoint matched ${filter}; Entra needs a unique match.`) };
    }
    if (found.length === 1) {
      trace.step('matching', 'EntryImportByMatching', 'success', `Retrieved '${value}' from ${TARGET}`, { MatchingAttribute: m.target, MatchingValue: value, id: found[0].id });
      return { resource: found[0], error: null };
    }
  }
  if (storedTargetId) {
    // The matching value changed (e.g. a UPN rename): fall back to the id Entra cached at creation.
    const query: [string, string][] = kind === 'Groups' ? [['excludedAttributes', 'members']] : [];
    const res = await ctx.client.send('GET', `/${kind}/${storedTargetId}`, query);
    checkJobLevel(res, false);
    if (res.status === 200 && res.body) {
      trace.step('matching', 'EntryImportByAnchor', 'success', `Retrieved '${storedTargetId}' from ${TARGET} by its id`, { id: storedTargetId });
      return { resource: res.body, error: null };
    }
    if (res.status !== 404) return { resource: null, error: objectError(res, 'Reading the target entry') };
  }
  trace.step('matching', 'EntryImportByMatching', 'success', `No matching entry found in ${TARGET}`, {});
  return { resource: null, error: null };
}

// ---------------------------------------------------------------------------------------------
// Users

function userTrace(ctx: PipelineContext, id: string, user: UserEntry | undefined): ObjectTrace {
  const name = user ? String(user.props.userPrincipalName ?? user.props.displayName ?? id) : id;
  return new ObjectTrace('User', id, name, ctx.schema.users?.mapping.targetObjectName ?? 'User');
}

function finish(ctx: PipelineContext, trace: ObjectTrace, action: ProvisioningAction, status: ProvisioningResult, exports: number, error: ErrorInfo | null, storeChanged: boolean, extra: Partial<ObjectOutcome> = {}): ObjectOutcome {
  return { action, status, exports, error, summary: trace.toSummary(ctx.log, action, status, error), storeChanged, ...extra };
}

function importStep(trace: ObjectTrace, kind: 'User' | 'Group', source: SourceRecord, changeType: string): void {
  trace.step('import', 'EntryImportAdd', 'success', `Received ${kind} '${trace.displayName}' change of type (${changeType}) from Azure Active Directory`, source);
}

export async function syncUser(ctx: PipelineContext, userId: string): Promise<ObjectOutcome> {
  const user = ctx.directory.users.get(userId);
  const stored = ctx.state.users.get(userId);
  const trace = userTrace(ctx, userId, user);
  const om = ctx.schema.users;

  if (!user) {
    // Hard-deleted in Entra: DELETE in the target (entra-scim-client.md §1.1 "Delete").
    if (!stored) return finish(ctx, trace, 'other', 'skipped', 0, null, false);
    trace.targetId = stored.targetId;
    trace.step('import', 'EntryImportDelete', 'success', `Received User '${userId}' change of type (Delete) from Azure Active Directory`, { objectId: userId });
    if (!ctx.allowDeletes || (om && !om.flows.delete)) {
      trace.step('export', 'EntryExportDelete', 'skipped', 'The delete was held back (accidental-deletion threshold or flow types)', {});
      return finish(ctx, trace, 'delete', 'skipped', 0, null, false);
    }
    const res = await ctx.client.send('DELETE', `/Users/${stored.targetId}`);
    checkJobLevel(res, false);
    if (res.status !== 204 && res.status !== 200 && res.status !== 404) {
      const err = objectError(res, 'Deleting the user');
      trace.step('export', 'EntryExportDelete', 'failure', err.reason, {});
      return finish(ctx, trace, 'delete', 'failure', 1, err, false);
    }
    ctx.state.users.delete(userId);
    for (const g of ctx.state.groups.values()) g.members.delete(userId);
    trace.step('export', 'EntryExportDelete', 'success', `User '${userId}' was deleted in ${TARGET}`, { id: stored.targetId });
    return finish(ctx, trace, 'delete', 'success', 1, null, true);
  }

  const imported = importUser(ctx, user);
  importStep(trace, 'User', imported.source, stored ? 'Update' : 'Add');
  trace.step('scoping', 'EntrySynchronizationScoping', imported.inScope ? 'success' : 'skipped', `Determine if User in scope by evaluating against each scoping filter`, {
    'Active in the source system': user.deletedDateTime ? 'False' : 'True',
    'Assigned to the application': imported.assigned ? 'True' : 'False',
    'Scope sync all': ctx.scope.syncAll ? 'True' : 'False',
    'Scoping filter evaluation passed': imported.filterPassed ? 'True' : 'False',
    ScopeEvaluationResult: imported.inScope ? 'InScope' : 'OutOfScope',
  });

  if (!om) return finish(ctx, trace, 'other', 'skipped', 0, null, false);

  if (!imported.inScope) {
    if (!stored) {
      trace.step('export', 'EntrySynchronizationSkip', 'skipped', `User '${trace.displayName}' is not in scope and was never provisioned`, { SkipReason: 'NotEffectivelyEntitled' });
      return finish(ctx, trace, 'other', 'skipped', 0, errorInfo('NotEffectivelyEntitled', 'The user is not assigned to the application or does not pass the scoping filter.', null, 'success'), false);
    }
    trace.targetId = stored.targetId;
    if (stored.disabled || ctx.skipOutOfScopeDeletions || !ctx.allowDeletes || !om.flows.delete) {
      trace.step('export', 'EntrySynchronizationSkip', 'skipped', 'The user is already disabled, out-of-scope deletions are skipped, or the disable was held back', { SkipReason: stored.disabled ? 'RedundantExport' : 'DeletesHeld' });
      return finish(ctx, trace, 'disable', 'skipped', 0, null, false);
    }
    return disableUser(ctx, user, imported.source, stored.targetId, trace);
  }

  const creatingGuess = !stored;
  const desired = evaluateAll(om, imported.source, creatingGuess);
  if (desired.escrow) {
    const err = errorInfo('EscrowedEntry', `The entry cannot be provisioned now: ${desired.escrow}`);
    trace.step('processing', 'EntryProcessing', 'failure', err.reason, {});
    return finish(ctx, trace, 'other', 'failure', 0, err, false);
  }
  const match = await matchObject(ctx, om, 'Users', desired, stored?.targetId ?? null, trace);
  if (match.error) return finish(ctx, trace, 'other', 'failure', 0, match.error, false);

  if (!match.resource) {
    if (!om.flows.add) return finish(ctx, trace, 'create', 'skipped', 0, null, false);
    const creating = creatingGuess ? desired : evaluateAll(om, imported.source, true);
    const values = createValues(ctx, om, creating);
    for (const [k, v] of values) trace.modified.push({ displayName: k, oldValue: null, newValue: typeof v === 'string' ? v : JSON.stringify(v) });
    const res = await ctx.client.send('POST', '/Users', [], userCreateBody(values));
    checkJobLevel(res, false);
    if (res.status !== 201 && res.status !== 200) {
      const err = objectError(res, 'Creating the user');
      trace.step('export', 'EntryExportAdd', 'failure', err.reason, {});
      return finish(ctx, trace, 'create', 'failure', 1, err, false);
    }
    const resource = res.body ?? {};
    const targetId = String(resource.id ?? '');
    trace.targetId = targetId;
    ctx.state.users.set(userId, { targetId, disabled: imported.source.IsSoftDeleted === 'True' });
    trace.step('export', 'EntryExportAdd', 'success', `User '${trace.displayName}' was created in ${TARGET}`, { ReportableIdentifier: trace.displayName, id: targetId });
    return finish(ctx, trace, 'create', 'success', 1, null, true, { reference: { userId, targetId, resource } });
  }

  const resource = match.resource;
  const targetId = String(resource.id ?? '');
  trace.targetId = targetId;
  const storeChanged = !stored || stored.targetId !== targetId;
  const disabledNow = imported.source.IsSoftDeleted === 'True';
  ctx.state.users.set(userId, { targetId, disabled: disabledNow });
  if (!om.flows.update) return finish(ctx, trace, 'update', 'skipped', 0, null, storeChanged, { reference: { userId, targetId, resource } });
  const ops = updateOperations(ctx, om, desired, resource, trace);
  if (ops.length === 0) {
    trace.step('export', 'EntrySynchronizationSkip', 'skipped', `User '${trace.displayName}' is already up to date in ${TARGET}`, { SkipReason: 'RedundantExport' });
    return finish(ctx, trace, 'other', 'skipped', 0, null, storeChanged, { reference: { userId, targetId, resource } });
  }
  const res = await ctx.client.send('PATCH', `/Users/${targetId}`, [], patchBody(ops));
  checkJobLevel(res, false);
  if (res.status !== 200 && res.status !== 204) {
    if (res.status === 404) ctx.state.users.delete(userId);
    const err = objectError(res, 'Updating the user');
    trace.step('export', 'EntryExportUpdate', 'failure', err.reason, {});
    return finish(ctx, trace, 'update', 'failure', 1, err, true);
  }
  trace.step('export', 'EntryExportUpdate', 'success', `User '${trace.displayName}' was updated in ${TARGET}`, { ReportableIdentifier: trace.displayName, id: targetId });
  return finish(ctx, trace, 'update', 'success', 1, null, storeChanged, { reference: { userId, targetId, resource: res.status === 200 && res.body ? res.body : resource } });
}

/** Unassigned, out of scope or soft-deleted: export only the `active` flow (PATCH active False). */
async function disableUser(ctx: PipelineContext, user: UserEntry, source: SourceRecord, targetId: string, trace: ObjectTrace): Promise<ObjectOutcome> {
  const om = ctx.schema.users!;
  const activeMapping = om.attributes.find((m) => m.drivesActive) ?? om.attributes.find((m) => m.target === 'active');
  const desired = evaluateAll(om, source, false);
  const value = activeMapping ? single(desired.values.get(activeMapping.target) ?? null) ?? 'False' : 'False';
  const rfc = ctx.client.rfcPatch;
  const ops = attributeOperations([{ target: activeMapping?.target ?? 'active', value: rfc ? value.toLowerCase() === 'true' : value, present: true }], rfc);
  trace.modified.push({ displayName: activeMapping?.target ?? 'active', oldValue: 'True', newValue: value });
  const res = await ctx.client.send('PATCH', `/Users/${targetId}`, [], patchBody(ops));
  checkJobLevel(res, false);
  if (res.status !== 200 && res.status !== 204) {
    const err = objectError(res, 'Disabling the user');
    trace.step('export', 'EntryExportUpdateSoftDelete', 'failure', err.reason, {});
    return finish(ctx, trace, 'disable', 'failure', 1, err, false);
  }
  ctx.state.users.set(user.id, { targetId, disabled: true });
  trace.step('export', 'EntryExportUpdateSoftDelete', 'success', `User '${trace.displayName}' was disabled in ${TARGET}`, { ReportableIdentifier: trace.displayName, id: targetId });
  return finish(ctx, trace, 'disable', 'success', 1, null, true);
}

/** Manager references are exported after the user exists, once the manager is provisioned too (MS-How). */
export async function syncManager(ctx: PipelineContext, ref: { userId: string; targetId: string; resource: Json }): Promise<ObjectOutcome | null> {
  const om = ctx.schema.users;
  const user = ctx.directory.users.get(ref.userId);
  const m = om?.attributes.find((a) => a.kind === 'reference');
  if (!om || !user || !m) return null;
  const outcome = evaluateMapping(m, userSource(ctx.scope, user, true));
  if (outcome.kind !== 'value') return null;
  const managerSourceId = single(outcome.value);
  const current = readPath(ref.resource, m.path);
  const currentId = current === undefined || current === null || current === '' ? null : String(current);
  let desiredId: string | null = null;
  if (managerSourceId) {
    const managerStored = ctx.state.users.get(managerSourceId);
    if (!managerStored) return null; // manager not provisioned yet: written on a later full cycle
    desiredId = managerStored.targetId;
  }
  if (desiredId === currentId) return null;
  const trace = userTrace(ctx, ref.userId, user);
  trace.targetId = ref.targetId;
  trace.step('referenceResolution', 'EntryReferenceResolution', 'success', `Resolved the manager of '${trace.displayName}'`, { manager: managerSourceId ?? '', managerTargetId: desiredId ?? '' });
  trace.modified.push({ displayName: m.target, oldValue: currentId, newValue: desiredId });
  const res = await ctx.client.send('PATCH', `/Users/${ref.targetId}`, [], patchBody([managerOperation(desiredId, currentId !== null, ctx.client.rfcPatch)]));
  checkJobLevel(res, false);
  if (res.status !== 200 && res.status !== 204) {
    const err = objectError(res, 'Updating the manager');
    trace.step('export', 'EntryExportUpdate', 'failure', err.reason, {});
    return finish(ctx, trace, 'update', 'failure', 1, err, false);
  }
  trace.step('export', 'EntryExportUpdate', 'success', `User '${trace.displayName}' was updated in ${TARGET}`, { ReportableIdentifier: trace.displayName });
  return finish(ctx, trace, 'update', 'success', 1, null, false);
}

// ---------------------------------------------------------------------------------------------
// Groups

export async function syncGroup(ctx: PipelineContext, groupId: string, memberFilter?: ReadonlySet<string>): Promise<ObjectOutcome> {
  const group = ctx.directory.groups.get(groupId);
  const stored = ctx.state.groups.get(groupId);
  const om = ctx.schema.groups;
  const name = group ? String(group.props.displayName ?? groupId) : groupId;
  const trace = new ObjectTrace('Group', groupId, name, om?.mapping.targetObjectName ?? 'Group');

  const imported = group ? importGroup(ctx, group) : null;
  if (!imported || !imported.inScope) {
    if (imported) {
      importStep(trace, 'Group', imported.source, 'Update');
      trace.step('scoping', 'EntrySynchronizationScoping', 'skipped', 'Determine if Group in scope by evaluating against each scoping filter', { ScopeEvaluationResult: 'OutOfScope' });
    }
    if (!stored) return finish(ctx, trace, 'other', 'skipped', 0, null, false);
    trace.targetId = stored.targetId;
    if (!ctx.allowDeletes || (om && !om.flows.delete) || (group && ctx.skipOutOfScopeDeletions)) {
      trace.step('export', 'EntryExportDelete', 'skipped', 'The delete was held back (accidental-deletion threshold or flow types)', {});
      return finish(ctx, trace, 'delete', 'skipped', 0, null, false);
    }
    // Groups have no `active`: unassigned or deleted groups are deleted in the target (MS-Tut "Group delete").
    const res = await ctx.client.send('DELETE', `/Groups/${stored.targetId}`);
    checkJobLevel(res, false);
    if (res.status !== 204 && res.status !== 200 && res.status !== 404) {
      const err = objectError(res, 'Deleting the group');
      trace.step('export', 'EntryExportDelete', 'failure', err.reason, {});
      return finish(ctx, trace, 'delete', 'failure', 1, err, false);
    }
    ctx.state.groups.delete(groupId);
    trace.step('export', 'EntryExportDelete', 'success', `Group '${name}' was deleted in ${TARGET}`, { id: stored.targetId });
    return finish(ctx, trace, 'delete', 'success', 1, null, true);
  }

  importStep(trace, 'Group', { ...imported.source, members: `${group!.members.size} members` }, stored ? 'Update' : 'Add');
  trace.step('scoping', 'EntrySynchronizationScoping', 'success', 'Determine if Group in scope by evaluating against each scoping filter', { ScopeEvaluationResult: 'InScope' });
  const desired = evaluateAll(om!, imported.source, !stored);
  if (desired.escrow) {
    const err = errorInfo('EscrowedEntry', `The entry cannot be provisioned now: ${desired.escrow}`);
    return finish(ctx, trace, 'other', 'failure', 0, err, false);
  }
  const match = await matchObject(ctx, om!, 'Groups', desired, stored?.targetId ?? null, trace);
  if (match.error) return finish(ctx, trace, 'other', 'failure', 0, match.error, false);

  let exports = 0;
  let action: ProvisioningAction = 'other';
  let targetId: string;
  let storeChanged = false;
  let known: Set<string>;
  if (!match.resource) {
    if (!om!.flows.add) return finish(ctx, trace, 'create', 'skipped', 0, null, false);
    const creating = stored ? evaluateAll(om!, imported.source, true) : desired;
    const values = createValues(ctx, om!, creating);
    for (const [k, v] of values) trace.modified.push({ displayName: k, oldValue: null, newValue: typeof v === 'string' ? v : JSON.stringify(v) });
    // Always created without members; members follow as PATCHes (MS-Tut "Group create").
    const res = await ctx.client.send('POST', '/Groups', [], groupCreateBody(values));
    checkJobLevel(res, false);
    exports++;
    if (res.status !== 201 && res.status !== 200) {
      const err = objectError(res, 'Creating the group');
      trace.step('export', 'EntryExportAdd', 'failure', err.reason, {});
      return finish(ctx, trace, 'create', 'failure', exports, err, false);
    }
    targetId = String(res.body?.id ?? '');
    known = new Set();
    action = 'create';
    storeChanged = true;
    trace.step('export', 'EntryExportAdd', 'success', `Group '${name}' was created in ${TARGET}`, { ReportableIdentifier: name, id: targetId });
  } else {
    targetId = String(match.resource.id ?? '');
    storeChanged = !stored || stored.targetId !== targetId;
    known = stored && stored.targetId === targetId ? stored.members : new Set();
    const ops = om!.flows.update ? updateOperations(ctx, om!, desired, match.resource, trace) : [];
    if (ops.length > 0) {
      const res = await ctx.client.send('PATCH', `/Groups/${targetId}`, [], patchBody(ops));
      checkJobLevel(res, false);
      exports++;
      if (res.status !== 200 && res.status !== 204) {
        const err = objectError(res, 'Updating the group');
        trace.step('export', 'EntryExportUpdate', 'failure', err.reason, {});
        return finish(ctx, trace, 'update', 'failure', exports, err, storeChanged);
      }
      action = 'update';
      trace.step('export', 'EntryExportUpdate', 'success', `Group '${name}' was updated in ${TARGET}`, { ReportableIdentifier: name, id: targetId });
    }
  }
  trace.targetId = targetId;
  const entry = { targetId, members: known };
  ctx.state.groups.set(groupId, entry);

  // Members: only provisioned users, only the difference, in batches (entra-scim-client.md §1.1–1.2).
  const membersMapping = om!.attributes.find((m) => m.kind === 'members');
  if (membersMapping) {
    const wanted = new Set<string>();
    // Soft-deleted users lose their memberships in Entra, so the target loses them too.
    for (const uid of group!.members) {
      if (ctx.state.users.has(uid) && !ctx.directory.users.get(uid)?.deletedDateTime && (!memberFilter || memberFilter.has(uid))) wanted.add(uid);
    }
    const toAdd = [...wanted].filter((u) => !known.has(u));
    const toRemove = memberFilter ? [] : [...known].filter((u) => !wanted.has(u));
    const rfc = ctx.client.rfcPatch;
    const batches: { ids: string[]; add: boolean }[] = [];
    for (let i = 0; i < toAdd.length; i += ctx.memberBatchSize) batches.push({ ids: toAdd.slice(i, i + ctx.memberBatchSize), add: true });
    for (let i = 0; i < toRemove.length; i += ctx.memberBatchSize) batches.push({ ids: toRemove.slice(i, i + ctx.memberBatchSize), add: false });
    for (const batch of batches) {
      const targets = batch.ids.map((u) => ctx.state.users.get(u)?.targetId ?? '');
      const ops = batch.add ? [memberAddOperation(targets, rfc)] : memberRemoveOperations(targets, rfc);
      const res = await ctx.client.send('PATCH', `/Groups/${targetId}`, [], patchBody(ops));
      checkJobLevel(res, false);
      exports++;
      if (res.status !== 200 && res.status !== 204) {
        const err = objectError(res, batch.add ? 'Adding group members' : 'Removing group members');
        trace.step('export', 'EntryExportUpdate', 'failure', err.reason, {});
        return finish(ctx, trace, action === 'create' ? 'create' : 'update', 'failure', exports, err, storeChanged);
      }
      for (const u of batch.ids) {
        if (batch.add) entry.members.add(u);
        else entry.members.delete(u);
      }
    }
    if (batches.length > 0) {
      trace.modified.push({ displayName: 'members', oldValue: null, newValue: `+${toAdd.length} -${toRemove.length}` });
      if (action === 'other') action = 'update';
      trace.step('export', 'EntryExportUpdate', 'success', `Group '${name}' members were updated in ${TARGET} (${toAdd.length} added, ${toRemove.length} removed)`, { added: String(toAdd.length), removed: String(toRemove.length) });
    }
  }
  if (action === 'other') {
    trace.step('export', 'EntrySynchronizationSkip', 'skipped', `Group '${name}' is already up to date in ${TARGET}`, { SkipReason: 'RedundantExport' });
    return finish(ctx, trace, 'other', 'skipped', exports, null, storeChanged);
  }
  return finish(ctx, trace, action, 'success', exports, null, storeChanged);
}

export { ScimUnreachableError };
