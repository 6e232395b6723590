// What the engine imports from the directory: the source object a mapping is evaluated against
// (Graph properties plus Entra's virtual attributes objectId, IsSoftDeleted, appRoleAssignments,
// manager, members), and whether the object is in the job's scope (assigned or "sync all").
import type { Directory, GroupEntry, UserEntry } from '../directory/store.js';
import type { Value } from '../expressions-bridge.js';

/** A source attribute value as the expression language reads it (booleans read as "True"/"False"). */
export type SourceValue = Value;
export type SourceRecord = Record<string, SourceValue>;

const asSourceValue = (v: unknown): SourceValue => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return v as Value;
};

/** A scalar's text: booleans "True"/"False", numbers decimal, lists their first element. */
export function scalarText(v: SourceValue | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.length === 0 ? null : scalarText(v[0]);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export interface ScopeContext {
  directory: Directory;
  servicePrincipalId: string;
  syncAll: boolean;
}

export interface RoleAssignment {
  id: string;
  value: string;
  displayName: string;
}

/** App roles granted to a user directly or through a (first-level) group assignment. */
export function userRoles(ctx: ScopeContext, user: UserEntry): RoleAssignment[] {
  const roles = ctx.directory.appRolesOf(ctx.servicePrincipalId);
  const result: RoleAssignment[] = [];
  const seen = new Set<string>();
  for (const a of ctx.directory.assignmentsOf(ctx.servicePrincipalId)) {
    const viaGroup = a.principalType === 'Group' && ctx.directory.groupsOf(user.id).has(a.principalId) && !ctx.directory.groups.get(a.principalId)?.deletedDateTime;
    if (a.principalId !== user.id && !viaGroup) continue;
    const role = roles.find((r) => r.id === a.appRoleId);
    if (!role?.value || seen.has(role.id)) continue;
    seen.add(role.id);
    result.push({ id: role.id, value: role.value, displayName: role.displayName });
  }
  return result;
}

export function isUserAssigned(ctx: ScopeContext, user: UserEntry): boolean {
  for (const a of ctx.directory.assignmentsOf(ctx.servicePrincipalId)) {
    if (a.principalId === user.id) return true;
    if (a.principalType === 'Group' && ctx.directory.groupsOf(user.id).has(a.principalId) && !ctx.directory.groups.get(a.principalId)?.deletedDateTime) return true;
  }
  return false;
}

export function isGroupAssigned(ctx: ScopeContext, group: GroupEntry): boolean {
  return ctx.directory.assignmentsOf(ctx.servicePrincipalId).some((a) => a.principalId === group.id);
}

export function userSource(ctx: ScopeContext, user: UserEntry, inScope: boolean): SourceRecord {
  const record: SourceRecord = { objectId: user.id };
  for (const [k, v] of Object.entries(user.props)) record[k] = asSourceValue(v);
  const enabled = user.props.accountEnabled !== false;
  record.accountEnabled = enabled ? 'True' : 'False';
  // IsSoftDeleted: unassigned, out of scope, soft-deleted or disabled (mapping-expressions.md §2).
  record.IsSoftDeleted = !inScope || !enabled || user.deletedDateTime ? 'True' : 'False';
  record.manager = user.managerId;
  record.appRoleAssignments = userRoles(ctx, user).map((r) => ({ id: r.id, value: r.value, displayName: r.displayName }));
  return record;
}

export function groupSource(group: GroupEntry, inScope: boolean): SourceRecord {
  const record: SourceRecord = { objectId: group.id };
  for (const [k, v] of Object.entries(group.props)) record[k] = asSourceValue(v);
  record.IsSoftDeleted = !inScope || group.deletedDateTime ? 'True' : 'False';
  record.members = [...group.members];
  return record;
}
