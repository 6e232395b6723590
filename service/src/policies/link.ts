// Link on create (SignPath's matching rule): a POST /Users whose externalId, then displayName, matches an
// existing user is linked to that user (the existing id is kept and its document replaced) instead of
// answering 409, so users created in the target before provisioning started are adopted, not duplicated.
import type { PolicyJsonObject, TenantPolicies } from './types.js';

/** Looks up existing users of the tenant by an exact attribute value; returns their ids. */
export type UserFinder = (attribute: 'externalId' | 'displayName', value: string) => Promise<string[]>;

export type LinkDecision =
  /** Policy off, or nothing matched: create a new user as usual. */
  | { kind: 'create' }
  /** Link to this existing user. */
  | { kind: 'link'; id: string; matchedBy: 'externalId' | 'displayName' }
  /** More than one user matched: do not guess; answer 409 uniqueness with `detail`. */
  | { kind: 'ambiguous'; matchedBy: 'externalId' | 'displayName'; detail: string };

function text(user: PolicyJsonObject, name: string): string | undefined {
  const key = Object.keys(user).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : user[key];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

export async function decideLinkOnCreate(user: PolicyJsonObject, policies: TenantPolicies, find: UserFinder): Promise<LinkDecision> {
  if (!policies.linkOnCreate) return { kind: 'create' };
  for (const attribute of ['externalId', 'displayName'] as const) {
    const value = text(user, attribute);
    if (value === undefined) continue;
    const ids = [...new Set(await find(attribute, value))];
    if (ids.length === 1) return { kind: 'link', id: ids[0]!, matchedBy: attribute };
    if (ids.length > 1) {
      return {
        kind: 'ambiguous',
        matchedBy: attribute,
        detail: `link on create: ${ids.length} existing users have this ${attribute}, so the new user cannot be linked to one of them; make the ${attribute} unique in the target or turn the linkOnCreate policy off`,
      };
    }
  }
  return { kind: 'create' };
}
