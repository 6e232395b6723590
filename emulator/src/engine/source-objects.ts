// What the engine imports from the directory: the source object a mapping is evaluated against
// (Graph properties plus Entra's virtual attributes objectId, IsSoftDeleted, appRoleAssignments,
// manager, members), and whether the object is in the job's scope (assigned or "sync all").
import type { AppRoleAssignment, Directory, GroupEntry, UserEntry } from '../directory/store.js';
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
  /** The service principal's assignments by principal id, built once per cycle (a snapshot, as Entra reads one). */
  byPrincipal?: Map<string, AppRoleAssignment[]>;
}

function assignmentsOf(ctx: ScopeContext, principalId: string): readonly AppRoleAssignment[] {
  if (!ctx.byPrincipal) {
    ctx.byPrincipal = new Map();
    for (const a of ctx.directory.assignmentsOf(ctx.servicePrincipalId)) {
      const list = ctx.byPrincipal.get(a.principalId);
      if (list) list.push(a);
      else ctx.byPrincipal.set(a.principalId, [a]);
    }
  }
  return ctx.byPrincipal.get(principalId) ?? [];
}

/** Assignments that put the user in scope: its own and those of groups it is a direct member of. */
function userAssignments(ctx: ScopeContext, user: UserEntry): AppRoleAssignment[] {
  const out = [...assignmentsOf(ctx, user.id)];
  for (const groupId of ctx.directory.groupsOf(user.id)) {
    if (ctx.directory.groups.get(groupId)?.deletedDateTime) continue;
    out.push(...assignmentsOf(ctx, groupId));
  }
  return out;
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
  for (const a of userAssignments(ctx, user)) {
    const role = roles.find((r) => r.id === a.appRoleId);
    if (!role?.value || seen.has(role.id)) continue;
    seen.add(role.id);
    result.push({ id: role.id, value: role.value, displayName: role.displayName });
  }
  return result;
}

export function isUserAssigned(ctx: ScopeContext, user: UserEntry): boolean {
  return userAssignments(ctx, user).length > 0;
}

export function isGroupAssigned(ctx: ScopeContext, group: GroupEntry): boolean {
  return assignmentsOf(ctx, group.id).length > 0;
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
