// Deactivate a user removed from every group (SignPath: "When an Entra ID user is removed from all groups
// that are synchronized, the SignPath user will be deactivated"). Run in the same transaction as the
// membership change, after the members were removed.
import type { PolicyJsonObject, TenantPolicies } from './types.js';

/** The reads needed; a storage contract TenantStore satisfies it. */
export interface MembershipReader {
  groupsOf(memberId: string): Promise<unknown[]>;
  existingIds(ids: string[]): Promise<Map<string, 'User' | 'Group'>>;
}

/** Ids among `removedMemberIds` that are users now in no group (to be deactivated). Empty when the policy is off. */
export async function usersToDeactivate(policies: TenantPolicies, removedMemberIds: readonly string[], store: MembershipReader): Promise<string[]> {
  if (!policies.deactivateWhenRemovedFromAllGroups || removedMemberIds.length === 0) return [];
  const unique = [...new Set(removedMemberIds)];
  const types = await store.existingIds(unique);
  const out: string[] = [];
  for (const id of unique) {
    if (types.get(id) !== 'User') continue;
    if ((await store.groupsOf(id)).length === 0) out.push(id);
  }
  return out;
}

/** The user document with `active: false`, or null when it is already inactive (nothing to write). */
export function deactivated(user: PolicyJsonObject): PolicyJsonObject | null {
  const key = Object.keys(user).find((k) => k.toLowerCase() === 'active') ?? 'active';
  const current = user[key];
  if (current === false || (typeof current === 'string' && current.toLowerCase() === 'false')) return null;
  const next: PolicyJsonObject = { ...user };
  if (key !== 'active') delete next[key];
  next.active = false;
  return next;
}
