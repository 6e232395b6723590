// What the SCIM service should hold for an object: the live schema's attribute mappings evaluated
// with expressions/ against the object as Graph returns it, then compared with what the service holds.
import { evaluateExpression, type AppRoleAssignmentValue, type SourceObject, type Value } from '../../expressions/index.js';
import type { GraphApi } from './graph/client.js';
import type { AttributeMapping, ObjectMapping, SynchronizationSchema } from './graph/types.js';
import { valueAtPath, type ScimResource } from './scim-read.js';
import { sourceText } from './schema-diff.js';

const DEFAULT_ACCESS_ROLE = '00000000-0000-0000-0000-000000000000';
const REFERENCE_SOURCES = new Set(['manager', 'members', 'owners']);

export interface Comparison {
  target: string;
  expression: string;
  expected: Value | undefined;
  actual: unknown;
  status: 'match' | 'mismatch' | 'warning' | 'skipped';
  note: string | null;
}

export function objectMappingFor(schema: SynchronizationSchema, sourceObjectName: 'User' | 'Group'): ObjectMapping | undefined {
  for (const rule of schema.synchronizationRules ?? []) {
    const m = rule.objectMappings?.find((o) => o.sourceObjectName === sourceObjectName && o.enabled !== false);
    if (m) return m;
  }
  return undefined;
}

/** The object's role assignments for this application, direct and through groups (Entra's appRoleAssignments). */
async function appRoleAssignments(api: GraphApi, spId: string, userId: string): Promise<AppRoleAssignmentValue[]> {
  const sp = await api.get<{ appRoles?: { id: string; value: string | null; displayName: string }[] }>(`/servicePrincipals/${encodeURIComponent(spId)}`, { what: 'read the application\'s app roles', permission: 'Application.Read.All' });
  const roles = new Map((sp.appRoles ?? []).map((r) => [r.id, r]));
  const assignments = await api.list<{ id: string; principalId: string; principalType?: string; appRoleId: string }>(`/servicePrincipals/${encodeURIComponent(spId)}/appRoleAssignedTo`, { what: 'list the application\'s assignments', permission: 'Application.Read.All' });
  const mine: AppRoleAssignmentValue[] = [];
  const groupMembers = new Map<string, Set<string>>();
  for (const a of assignments) {
    let applies = a.principalId === userId;
    if (!applies && a.principalType !== 'User') {
      if (!groupMembers.has(a.principalId)) {
        const members = await api
          .list<{ id: string }>(`/groups/${encodeURIComponent(a.principalId)}/members`, { what: 'list group members', permission: 'GroupMember.Read.All' }, { $select: 'id' })
          .catch(() => []);
        groupMembers.set(a.principalId, new Set(members.map((m) => m.id)));
      }
      applies = groupMembers.get(a.principalId)!.has(userId);
    }
    if (!applies) continue;
    const role = roles.get(a.appRoleId);
    mine.push({ id: a.id, value: a.appRoleId === DEFAULT_ACCESS_ROLE ? null : (role?.value ?? null), displayName: role?.displayName ?? 'Default Access' });
  }
  return mine;
}

/** The source object as the provisioning engine sees it: Graph properties plus objectId, IsSoftDeleted, appRoleAssignments. */
export async function sourceObjectOf(api: GraphApi, spId: string, type: 'User' | 'Group', id: string): Promise<SourceObject> {
  const path = type === 'User' ? `/users/${encodeURIComponent(id)}` : `/groups/${encodeURIComponent(id)}`;
  const props = await api.get<Record<string, Value>>(path, { what: `read ${type.toLowerCase()} ${id}`, permission: type === 'User' ? 'User.Read.All' : 'Group.Read.All' });
  // Entra treats a disabled or deleted user as soft-deleted (what the default `active` mapping reads).
  const source: Record<string, Value> = { ...props, objectId: id, IsSoftDeleted: Boolean(props.deletedDateTime) || props.accountEnabled === false };
  if (type === 'User') source.appRoleAssignments = (await appRoleAssignments(api, spId, id)) as unknown as Value;
  return source;
}

/** The SCIM attribute and value to look the object up by: the mapping with the lowest matchingPriority. */
export function matchingKey(mapping: ObjectMapping, source: SourceObject): { attribute: string; value: string } | null {
  const matching = mapping.attributeMappings.filter((a) => (a.matchingPriority ?? 0) > 0).sort((a, b) => (a.matchingPriority ?? 0) - (b.matchingPriority ?? 0));
  for (const m of matching) {
    const result = evaluateSafely(m, source);
    if (result.kind === 'value' && result.value !== null && typeof result.value !== 'object') return { attribute: m.targetAttributeName, value: String(result.value) };
  }
  return null;
}

function evaluateSafely(m: AttributeMapping, source: SourceObject): { kind: 'value'; value: Value } | { kind: 'ignoreFlow' } | { kind: 'escrow'; reason: string } | { kind: 'error'; message: string } {
  if (!m.source) return { kind: 'value', value: m.defaultValue ?? null };
  try {
    const r = evaluateExpression(sourceText(m.source), source);
    if (r.kind === 'value' && (r.value === null || r.value === '') && m.defaultValue) return { kind: 'value', value: m.defaultValue };
    return r.kind === 'value' ? { kind: 'value', value: r.value } : r;
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
}

const scalar = (v: unknown): string => (typeof v === 'boolean' ? (v ? 'true' : 'false') : typeof v === 'string' && /^(true|false)$/i.test(v) ? v.toLowerCase() : String(v));

function valuesOf(v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  return list
    .filter((x) => x !== null && x !== undefined)
    .map((x) => (typeof x === 'object' ? scalar((x as Record<string, unknown>).value ?? JSON.stringify(x)) : scalar(x)))
    .sort();
}

export function compareObject(mapping: ObjectMapping, source: SourceObject, resource: ScimResource): Comparison[] {
  return mapping.attributeMappings.map((m): Comparison => {
    const expression = m.source ? sourceText(m.source) : `(default ${JSON.stringify(m.defaultValue ?? null)})`;
    const base = { target: m.targetAttributeName, expression };
    const sourceName = m.source?.type === 'Attribute' ? (m.source.name ?? '') : '';
    if (REFERENCE_SOURCES.has(sourceName) || /:manager$/i.test(m.targetAttributeName) || m.targetAttributeName === 'members') {
      return { ...base, expected: undefined, actual: undefined, status: 'skipped', note: 'reference attribute: resolved to the target object\'s id by Entra, not compared' };
    }
    const actual = valueAtPath(resource, m.targetAttributeName);
    const r = evaluateSafely(m, source);
    if (r.kind === 'error') return { ...base, expected: undefined, actual, status: 'mismatch', note: `the expression fails to evaluate: ${r.message}` };
    if (r.kind === 'ignoreFlow') return { ...base, expected: undefined, actual, status: 'skipped', note: 'IgnoreFlow: Entra leaves this attribute alone' };
    if (r.kind === 'escrow') return { ...base, expected: undefined, actual, status: 'mismatch', note: `Entra cannot provision this object: ${r.reason}` };
    const expected = r.value;
    if (expected === null || (Array.isArray(expected) && expected.length === 0)) {
      const empty = actual === undefined || actual === null || (Array.isArray(actual) && actual.length === 0);
      return { ...base, expected, actual, status: empty ? 'match' : 'warning', note: empty ? null : 'nothing to export, but the service holds a value (Entra does not clear attributes when the source becomes empty)' };
    }
    const same = JSON.stringify(valuesOf(expected)) === JSON.stringify(valuesOf(actual));
    if (same) return { ...base, expected, actual, status: 'match', note: null };
    if (m.flowType === 'ObjectAddOnly') return { ...base, expected, actual, status: 'warning', note: 'flows only when the object is created; it existed before' };
    return { ...base, expected, actual, status: 'mismatch', note: actual === undefined ? 'the service does not hold this attribute' : null };
  });
}
