// Tenant policies (issue 2 §8): required attributes, allowed roles, one role besides the default,
// link on create, deactivate when removed from every group. Pure functions; the SCIM layer calls them.
export { defaultTenantPolicies, PolicyConfigError } from './types.js';
export type { PolicyJsonObject, PolicyJsonValue, PolicyName, PolicyViolation, TenantPolicies } from './types.js';
export { parseTenantPolicies, policiesFromSettings, policiesToJson } from './config.js';
export { checkUserPolicies, type CheckOptions } from './check.js';
export { decideLinkOnCreate, type LinkDecision, type UserFinder } from './link.js';
export { usersToDeactivate, deactivated, type MembershipReader } from './deactivate.js';
export { roleValues } from './roles.js';
