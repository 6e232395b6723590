// The emulated tenant: users, groups, applications, service principals and app role assignments.
// Every change stamps the touched objects with a new sequence number; the provisioning engine's
// watermark is the highest sequence number a cycle has seen, so incremental cycles read only deltas.
import { graphTime, newAssignmentId, newGuid } from '../ids.js';

export type JsonObject = Record<string, unknown>;

export interface UserEntry {
  id: string;
  /** Graph properties (userPrincipalName, displayName, …, extension_<appId>_<name>) without id/manager. */
  props: JsonObject;
  managerId: string | null;
  deletedDateTime: string | null;
  seq: number;
}

export interface GroupEntry {
  id: string;
  props: JsonObject;
  members: Set<string>;
  deletedDateTime: string | null;
  seq: number;
}

export interface AppRole {
  id: string;
  value: string | null;
  displayName: string;
  description: string;
  allowedMemberTypes: string[];
  isEnabled: boolean;
  origin: string;
}

export interface ApplicationEntry {
  id: string;
  appId: string;
  props: JsonObject;
  appRoles: AppRole[];
}

export interface ServicePrincipalEntry {
  id: string;
  appId: string;
  applicationObjectId: string;
  props: JsonObject;
}

export interface AppRoleAssignment {
  id: string;
  appRoleId: string;
  principalId: string;
  principalType: 'User' | 'Group' | 'ServicePrincipal';
  principalDisplayName: string;
  resourceId: string;
  resourceDisplayName: string;
  createdDateTime: string;
  deletedDateTime: null;
}

export interface Tombstone {
  id: string;
  type: 'User' | 'Group';
  seq: number;
}

/** The role every non-gallery app has: assignment without a specific role ("Default Access"). */
export const DEFAULT_ACCESS_ROLE_ID = '00000000-0000-0000-0000-000000000000';

export class Directory {
  readonly users = new Map<string, UserEntry>();
  readonly groups = new Map<string, GroupEntry>();
  readonly applications = new Map<string, ApplicationEntry>();
  readonly servicePrincipals = new Map<string, ServicePrincipalEntry>();
  readonly assignments = new Map<string, AppRoleAssignment>();
  /** Hard-deleted users and groups, so an incremental cycle can send DELETE for them. */
  readonly tombstones = new Map<string, Tombstone>();
  private readonly memberOf = new Map<string, Set<string>>();
  private sequence = 0;

  constructor(readonly tenantId: string) {}

  get currentSequence(): number {
    return this.sequence;
  }

  /** Stamps objects as changed. A group change also stamps its members: their scope may follow the group's. */
  touch(...ids: string[]): void {
    const seq = ++this.sequence;
    for (const id of ids) {
      const user = this.users.get(id);
      if (user) user.seq = seq;
      const group = this.groups.get(id);
      if (group) group.seq = seq;
    }
  }

  groupsOf(userId: string): ReadonlySet<string> {
    return this.memberOf.get(userId) ?? new Set();
  }

  // --- users -------------------------------------------------------------------------------
  addUser(props: JsonObject, id: string = newGuid(), managerId: string | null = null, deletedDateTime: string | null = null): UserEntry {
    const entry: UserEntry = { id, props, managerId, deletedDateTime, seq: 0 };
    this.users.set(id, entry);
    this.touch(id);
    return entry;
  }

  updateUser(id: string, changes: JsonObject): void {
    const user = this.users.get(id)!;
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) delete user.props[k];
      else user.props[k] = v;
    }
    this.touch(id);
  }

  setManager(userId: string, managerId: string | null): void {
    this.users.get(userId)!.managerId = managerId;
    this.touch(userId);
  }

  softDeleteUser(id: string): void {
    this.users.get(id)!.deletedDateTime = graphTime();
    this.touch(id);
  }

  restoreUser(id: string): void {
    this.users.get(id)!.deletedDateTime = null;
    this.touch(id);
  }

  /** Permanent deletion: the user disappears, leaving a tombstone for the engine. */
  hardDeleteUser(id: string): void {
    for (const groupId of this.groupsOf(id)) this.removeMember(groupId, id);
    for (const user of this.users.values()) if (user.managerId === id) this.setManager(user.id, null);
    for (const a of [...this.assignments.values()]) if (a.principalId === id) this.assignments.delete(a.id);
    this.users.delete(id);
    this.memberOf.delete(id);
    this.tombstones.set(id, { id, type: 'User', seq: ++this.sequence });
  }

  // --- groups ------------------------------------------------------------------------------
  addGroup(props: JsonObject, id: string = newGuid(), deletedDateTime: string | null = null): GroupEntry {
    const entry: GroupEntry = { id, props, members: new Set(), deletedDateTime, seq: 0 };
    this.groups.set(id, entry);
    this.touch(id);
    return entry;
  }

  updateGroup(id: string, changes: JsonObject): void {
    const group = this.groups.get(id)!;
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) delete group.props[k];
      else group.props[k] = v;
    }
    this.touch(id);
  }

  addMember(groupId: string, userId: string): boolean {
    const group = this.groups.get(groupId)!;
    if (group.members.has(userId)) return false;
    group.members.add(userId);
    let set = this.memberOf.get(userId);
    if (!set) this.memberOf.set(userId, (set = new Set()));
    set.add(groupId);
    this.touch(groupId, userId);
    return true;
  }

  removeMember(groupId: string, userId: string): boolean {
    const group = this.groups.get(groupId)!;
    if (!group.members.delete(userId)) return false;
    this.memberOf.get(userId)?.delete(groupId);
    this.touch(groupId, userId);
    return true;
  }

  softDeleteGroup(id: string): void {
    this.groups.get(id)!.deletedDateTime = graphTime();
    this.touch(id, ...this.groups.get(id)!.members);
  }

  restoreGroup(id: string): void {
    this.groups.get(id)!.deletedDateTime = null;
    this.touch(id, ...this.groups.get(id)!.members);
  }

  hardDeleteGroup(id: string): void {
    const group = this.groups.get(id)!;
    for (const userId of [...group.members]) this.removeMember(id, userId);
    for (const a of [...this.assignments.values()]) if (a.principalId === id) this.assignments.delete(a.id);
    this.groups.delete(id);
    this.tombstones.set(id, { id, type: 'Group', seq: ++this.sequence });
  }

  // --- app role assignments ----------------------------------------------------------------
  assign(resourceId: string, principalId: string, appRoleId: string): AppRoleAssignment {
    const sp = this.servicePrincipals.get(resourceId)!;
    const user = this.users.get(principalId);
    const group = this.groups.get(principalId);
    const principalSp = this.servicePrincipals.get(principalId);
    const principalType = user ? 'User' : group ? 'Group' : 'ServicePrincipal';
    const principalDisplayName = String((user ?? group ?? principalSp)?.props.displayName ?? '');
    const assignment: AppRoleAssignment = {
      id: newAssignmentId(),
      appRoleId,
      principalId,
      principalType,
      principalDisplayName,
      resourceId,
      resourceDisplayName: String(sp.props.displayName ?? ''),
      createdDateTime: graphTime(),
      deletedDateTime: null,
    };
    this.assignments.set(assignment.id, assignment);
    this.touchPrincipal(principalId);
    return assignment;
  }

  unassign(assignmentId: string): void {
    const a = this.assignments.get(assignmentId);
    if (!a) return;
    this.assignments.delete(assignmentId);
    this.touchPrincipal(a.principalId);
  }

  assignmentsOf(resourceId: string): AppRoleAssignment[] {
    return [...this.assignments.values()].filter((a) => a.resourceId === resourceId);
  }

  private touchPrincipal(principalId: string): void {
    const group = this.groups.get(principalId);
    this.touch(principalId, ...(group ? group.members : []));
  }

  appRolesOf(servicePrincipalId: string): AppRole[] {
    const sp = this.servicePrincipals.get(servicePrincipalId);
    if (!sp) return [];
    return this.applications.get(sp.applicationObjectId)?.appRoles ?? [];
  }
}
