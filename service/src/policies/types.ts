// Tenant policies: optional rules a tenant's target application needs on top of SCIM (all off by default).
// Stored as JSON in the tenant's settings (`settings.policies`); storage treats them as opaque.

/** A JSON document as the SCIM layer sees it (structurally the storage contract's JsonObject). */
export type PolicyJsonValue = string | number | boolean | null | PolicyJsonValue[] | { [key: string]: PolicyJsonValue };
export type PolicyJsonObject = { [key: string]: PolicyJsonValue };

export interface TenantPolicies {
  /**
   * Attribute paths every user must carry with a non-empty value, e.g. `userName`, `displayName`,
   * `name.givenName`, `emails[type eq "work"].value` (Atlassian-style targets). `[]` = off.
   */
  requiredUserAttributes: string[];
  /** Role values (`roles[].value`) a user may carry, compared case-insensitively. `null` = any value. */
  allowedRoleValues: string[] | null;
  /**
   * SignPath's rule: a user may hold at most one role other than this default role (e.g. "RegularUser").
   * `null` = off.
   */
  singleRoleBesidesDefault: { defaultRole: string } | null;
  /** A POST /Users whose externalId, then displayName, matches an existing user links to it instead of 409. */
  linkOnCreate: boolean;
  /** A user removed from their last group is deactivated (`active: false`). */
  deactivateWhenRemovedFromAllGroups: boolean;
}

export type PolicyName = 'requiredUserAttributes' | 'allowedRoleValues' | 'singleRoleBesidesDefault';

/** A violated policy: answer it as a SCIM error (400 invalidValue) with `detail`. */
export interface PolicyViolation {
  status: 400;
  scimType: 'invalidValue';
  policy: PolicyName;
  detail: string;
}

export const defaultTenantPolicies: Readonly<TenantPolicies> = Object.freeze({
  requiredUserAttributes: [],
  allowedRoleValues: null,
  singleRoleBesidesDefault: null,
  linkOnCreate: false,
  deactivateWhenRemovedFromAllGroups: false,
});

/** Invalid policy settings given to the admin API or CLI; `message` says what to fix. */
export class PolicyConfigError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'PolicyConfigError';
    this.field = field;
  }
}
