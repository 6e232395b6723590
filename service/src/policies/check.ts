// Checking a user document against the tenant's policies, before it is written (POST, PUT, PATCH result).
import { hasValue, parseRequiredPath } from './attributes.js';
import { roleValues } from './roles.js';
import type { PolicyJsonObject, PolicyViolation, TenantPolicies } from './types.js';

export interface CheckOptions {
  /**
   * The stored document before an update. A violation the user already had is not reported again, so a
   * user created before a policy was switched on can still be updated (e.g. deactivated) — only changes
   * that introduce a violation are rejected.
   */
  previous?: PolicyJsonObject;
}

function violation(policy: PolicyViolation['policy'], detail: string): PolicyViolation {
  return { status: 400, scimType: 'invalidValue', policy, detail };
}

function list(values: string[]): string {
  return values.map((v) => `"${v}"`).join(', ');
}

function missingAttributes(user: PolicyJsonObject, policies: TenantPolicies): string[] {
  const missing: string[] = [];
  for (const text of policies.requiredUserAttributes) {
    const path = parseRequiredPath(text);
    if (path && !hasValue(user, path)) missing.push(path.text);
  }
  return missing;
}

function disallowedRoles(user: PolicyJsonObject, policies: TenantPolicies): string[] {
  if (!policies.allowedRoleValues) return [];
  const allowed = new Set(policies.allowedRoleValues.map((r) => r.toLowerCase()));
  return roleValues(user).filter((r) => !allowed.has(r.toLowerCase()));
}

function extraRoles(user: PolicyJsonObject, policies: TenantPolicies): string[] {
  if (!policies.singleRoleBesidesDefault) return [];
  const defaultRole = policies.singleRoleBesidesDefault.defaultRole.toLowerCase();
  const others = roleValues(user).filter((r) => r.toLowerCase() !== defaultRole);
  return others.length > 1 ? others : [];
}

function isNew(found: string[], before: string[] | undefined): boolean {
  if (found.length === 0) return false;
  if (!before) return true;
  const old = new Set(before.map((v) => v.toLowerCase()));
  return found.some((v) => !old.has(v.toLowerCase()));
}

/** The first policy `user` violates, or null. Only users are checked; groups have no policies. */
export function checkUserPolicies(user: PolicyJsonObject, policies: TenantPolicies, options: CheckOptions = {}): PolicyViolation | null {
  const { previous } = options;

  const missing = missingAttributes(user, policies);
  if (isNew(missing, previous && missingAttributes(previous, policies))) {
    return violation('requiredUserAttributes', `this tenant requires every user to have a non-empty ${list(missing)}; map ${missing.length === 1 ? 'this attribute' : 'these attributes'} in the provisioning configuration (attribute mappings) and make sure the source user has a value`);
  }

  const disallowed = disallowedRoles(user, policies);
  if (isNew(disallowed, previous && disallowedRoles(previous, policies))) {
    return violation('allowedRoleValues', `role value ${list(disallowed)} is not allowed in this tenant; allowed role values: ${list(policies.allowedRoleValues ?? [])} (check the app roles assigned to the user in Entra)`);
  }

  const extra = extraRoles(user, policies);
  if (isNew(extra, previous && extraRoles(previous, policies))) {
    const defaultRole = policies.singleRoleBesidesDefault!.defaultRole;
    return violation('singleRoleBesidesDefault', `the user has ${extra.length} roles other than the default role "${defaultRole}" (${list(extra)}); this tenant allows at most one — assign the user (directly or through groups) to a single role in Entra`);
  }
  return null;
}
