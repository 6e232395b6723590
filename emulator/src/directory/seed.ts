// Seeding the emulated directory from a sample-directory document (users, groups, memberships,
// managers). References between objects may use ids or, for readability, userPrincipalName /
// group displayName. Errors name the offending entry so a hand-edited seed file is easy to fix.
import { readFile } from 'node:fs/promises';
import type { Directory, JsonObject } from './store.js';

export interface SeedUser {
  id?: string;
  userPrincipalName: string;
  displayName?: string;
  /** Manager: a user id or userPrincipalName from the same seed. */
  manager?: string | null;
  /** Soft-deleted in Entra (in the recycle bin). */
  deleted?: boolean;
  [property: string]: unknown;
}

export interface SeedGroup {
  id?: string;
  displayName: string;
  /** Members: user or group ids, or userPrincipalNames. */
  members?: string[];
  [property: string]: unknown;
}

/** `{ principalId, appRoleValue }`: applied once an application defines a role with that value. */
export interface SeedAssignment {
  principalId: string;
  appRoleValue?: string | null;
}

/** The provisioning/sample-directory.json format (docs/sample-directory.md). */
export interface SeedDirectory {
  tenantId?: string;
  users?: SeedUser[];
  groups?: SeedGroup[];
  appRoleAssignments?: SeedAssignment[];
  [section: string]: unknown;
}

export class SeedError extends Error {
  override name = 'SeedError';
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Seed keys that are not Graph properties. */
const SEED_ONLY = new Set(['id', 'manager', 'deleted', 'members', 'appRoles', 'roles', 'assignments']);

export async function readSeedFile(path: string): Promise<SeedDirectory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SeedError(`Cannot read the seed file '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  try {
    return JSON.parse(text) as SeedDirectory;
  } catch (error) {
    throw new SeedError(`The seed file '${path}' is not valid JSON: ${(error as Error).message}.`);
  }
}

function props(entry: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(entry)) if (!SEED_ONLY.has(k) && v !== undefined) out[k] = v;
  return out;
}

/** Loads users, groups, memberships and managers; returns the ids by userPrincipalName / displayName. */
export function applySeed(directory: Directory, seed: SeedDirectory): { users: Map<string, string>; groups: Map<string, string>; assignments: { principalId: string; appRoleValue: string | null }[] } {
  if (!seed || typeof seed !== 'object') throw new SeedError('The seed must be a JSON object with "users" and "groups" arrays.');
  const users = Array.isArray(seed.users) ? seed.users : [];
  const groups = Array.isArray(seed.groups) ? seed.groups : [];
  const userIds = new Map<string, string>();
  const groupIds = new Map<string, string>();

  users.forEach((u, i) => {
    const where = `users[${i}]`;
    if (!u || typeof u.userPrincipalName !== 'string') throw new SeedError(`${where} needs "userPrincipalName".`);
    if (u.id !== undefined && (typeof u.id !== 'string' || !GUID.test(u.id))) throw new SeedError(`${where}.id must be a GUID.`);
    const upn = u.userPrincipalName.toLowerCase();
    if (userIds.has(upn)) throw new SeedError(`${where}: userPrincipalName '${u.userPrincipalName}' is used twice.`);
    const p = props(u);
    p.accountEnabled = p.accountEnabled ?? true;
    p.mailNickname = p.mailNickname ?? u.userPrincipalName.split('@')[0];
    const entry = directory.addUser(p, u.id?.toLowerCase());
    if (u.deleted) directory.softDeleteUser(entry.id);
    userIds.set(upn, entry.id);
  });
  const userRef = (ref: unknown, where: string): string => {
    if (typeof ref !== 'string') throw new SeedError(`${where} must be a user id or userPrincipalName.`);
    const id = userIds.get(ref.toLowerCase()) ?? (directory.users.has(ref.toLowerCase()) ? ref.toLowerCase() : undefined);
    if (!id) throw new SeedError(`${where} refers to '${ref}', which is not a user of the seed.`);
    return id;
  };
  users.forEach((u, i) => {
    if (u.manager === undefined || u.manager === null) return;
    const id = userIds.get(u.userPrincipalName.toLowerCase())!;
    const managerId = userRef(u.manager, `users[${i}].manager`);
    if (managerId === id) throw new SeedError(`users[${i}] cannot be their own manager.`);
    directory.setManager(id, managerId);
  });

  groups.forEach((g, i) => {
    const where = `groups[${i}]`;
    if (!g || typeof g.displayName !== 'string' || g.displayName === '') throw new SeedError(`${where} needs "displayName".`);
    if (g.id !== undefined && (typeof g.id !== 'string' || !GUID.test(g.id))) throw new SeedError(`${where}.id must be a GUID.`);
    if (groupIds.has(g.displayName.toLowerCase())) throw new SeedError(`${where}: displayName '${g.displayName}' is used twice (Entra requires unique group names for provisioning).`);
    const p = props(g);
    p.mailEnabled = p.mailEnabled ?? false;
    p.securityEnabled = p.securityEnabled ?? true;
    p.mailNickname = p.mailNickname ?? g.displayName.replace(/[^\w]/g, '');
    const entry = directory.addGroup(p, g.id?.toLowerCase());
    groupIds.set(g.displayName.toLowerCase(), entry.id);
    if (g.members !== undefined && !Array.isArray(g.members)) throw new SeedError(`${where}.members must be an array.`);
  });
  // Members after all groups exist: a member may be a group listed later (nested groups).
  groups.forEach((g, i) => {
    const groupId = groupIds.get(g.displayName.toLowerCase())!;
    (g.members ?? []).forEach((m, j) => {
      const where = `groups[${i}].members[${j}]`;
      const nested = typeof m === 'string' ? (directory.groups.has(m.toLowerCase()) ? m.toLowerCase() : groupIds.get(m.toLowerCase())) : undefined;
      if (nested === groupId) throw new SeedError(`${where}: a group cannot be a member of itself.`);
      directory.addMember(groupId, nested ?? userRef(m, where));
    });
  });
  const assignments = Array.isArray(seed.appRoleAssignments) ? seed.appRoleAssignments : [];
  assignments.forEach((a, i) => {
    const id = typeof a?.principalId === 'string' ? a.principalId.toLowerCase() : '';
    if (!directory.users.has(id) && !directory.groups.has(id)) throw new SeedError(`appRoleAssignments[${i}].principalId '${String(a?.principalId)}' is not a user or group of the seed.`);
  });
  return { users: userIds, groups: groupIds, assignments: assignments.map((a) => ({ principalId: a.principalId.toLowerCase(), appRoleValue: a.appRoleValue ?? null })) };
}
