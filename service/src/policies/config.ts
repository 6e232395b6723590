// Reading tenant policies: strict for what an administrator submits (unknown keys and wrong types are
// errors that say what to fix), lenient for what is already stored (a missing field keeps its default).
import { parseRequiredPath } from './attributes.js';
import { defaultTenantPolicies, PolicyConfigError, type TenantPolicies } from './types.js';

const knownKeys = new Set<keyof TenantPolicies>([
  'requiredUserAttributes', 'allowedRoleValues', 'singleRoleBesidesDefault', 'linkOnCreate', 'deactivateWhenRemovedFromAllGroups',
]);
const maxListLength = 100;
const maxTextLength = 256;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(field: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw new PolicyConfigError(field, `must be an array of strings (got ${describe(value)})`);
  if (value.length > maxListLength) throw new PolicyConfigError(field, `at most ${maxListLength} entries are allowed`);
  const out: string[] = [];
  value.forEach((item, i) => {
    if (typeof item !== 'string' || item.trim() === '' || item.length > maxTextLength) {
      throw new PolicyConfigError(`${field}[${i}]`, `must be a non-empty string of at most ${maxTextLength} characters`);
    }
    if (!out.some((o) => o.toLowerCase() === item.trim().toLowerCase())) out.push(item.trim());
  });
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value;
}

function boolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new PolicyConfigError(field, `must be true or false (got ${describe(value)})`);
  return value;
}

/**
 * Validates policies submitted by an administrator. Fields left out keep the values in `base`
 * (the defaults, or the tenant's current policies for a partial update).
 */
export function parseTenantPolicies(input: unknown, base: Readonly<TenantPolicies> = defaultTenantPolicies): TenantPolicies {
  if (!isRecord(input)) throw new PolicyConfigError('policies', `must be a JSON object such as {"requiredUserAttributes": ["userName", "displayName"]} (got ${describe(input)})`);
  for (const key of Object.keys(input)) {
    if (!knownKeys.has(key as keyof TenantPolicies)) {
      throw new PolicyConfigError(key, `unknown policy; known policies: ${[...knownKeys].join(', ')}`);
    }
  }
  const out: TenantPolicies = {
    requiredUserAttributes: [...base.requiredUserAttributes],
    allowedRoleValues: base.allowedRoleValues ? [...base.allowedRoleValues] : null,
    singleRoleBesidesDefault: base.singleRoleBesidesDefault ? { ...base.singleRoleBesidesDefault } : null,
    linkOnCreate: base.linkOnCreate,
    deactivateWhenRemovedFromAllGroups: base.deactivateWhenRemovedFromAllGroups,
  };
  if ('requiredUserAttributes' in input) {
    const paths = stringList('requiredUserAttributes', input.requiredUserAttributes);
    paths.forEach((path, i) => {
      if (!parseRequiredPath(path)) {
        throw new PolicyConfigError(`requiredUserAttributes[${i}]`, `"${path}" is not a supported attribute path; use forms like userName, name.givenName, emails[type eq "work"].value or urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`);
      }
    });
    out.requiredUserAttributes = paths;
  }
  if ('allowedRoleValues' in input) {
    const value = input.allowedRoleValues;
    if (value === null) out.allowedRoleValues = null;
    else {
      const list = stringList('allowedRoleValues', value);
      if (list.length === 0) throw new PolicyConfigError('allowedRoleValues', 'an empty list would reject every role; use null to allow any role value');
      out.allowedRoleValues = list;
    }
  }
  if ('singleRoleBesidesDefault' in input) {
    const value = input.singleRoleBesidesDefault;
    if (value === null) out.singleRoleBesidesDefault = null;
    else if (!isRecord(value) || typeof value.defaultRole !== 'string' || value.defaultRole.trim() === '' || Object.keys(value).some((k) => k !== 'defaultRole')) {
      throw new PolicyConfigError('singleRoleBesidesDefault', 'must be null (off) or {"defaultRole": "<role value every user may hold, e.g. RegularUser>"}');
    } else out.singleRoleBesidesDefault = { defaultRole: value.defaultRole.trim() };
  }
  if ('linkOnCreate' in input) out.linkOnCreate = boolean('linkOnCreate', input.linkOnCreate);
  if ('deactivateWhenRemovedFromAllGroups' in input) {
    out.deactivateWhenRemovedFromAllGroups = boolean('deactivateWhenRemovedFromAllGroups', input.deactivateWhenRemovedFromAllGroups);
  }
  return out;
}

/**
 * The effective policies of a tenant from its stored settings (`settings.policies`). Stored policies were
 * validated when written; anything unreadable falls back to the defaults (policies off) field by field.
 */
export function policiesFromSettings(settings: { policies?: unknown } | null | undefined): TenantPolicies {
  const stored = settings?.policies;
  if (!isRecord(stored)) return parseTenantPolicies({});
  const out = parseTenantPolicies({});
  for (const key of knownKeys) {
    if (!(key in stored)) continue;
    try {
      Object.assign(out, { [key]: parseTenantPolicies({ [key]: stored[key] })[key] });
    } catch {
      // Keep the default for a field that no longer validates (e.g. written by a newer version).
    }
  }
  return out;
}

/** Policies as stored JSON (for `settings.policies`). */
export function policiesToJson(policies: TenantPolicies): { [key: string]: string[] | { defaultRole: string } | boolean | null } {
  return {
    requiredUserAttributes: [...policies.requiredUserAttributes],
    allowedRoleValues: policies.allowedRoleValues ? [...policies.allowedRoleValues] : null,
    singleRoleBesidesDefault: policies.singleRoleBesidesDefault ? { ...policies.singleRoleBesidesDefault } : null,
    linkOnCreate: policies.linkOnCreate,
    deactivateWhenRemovedFromAllGroups: policies.deactivateWhenRemovedFromAllGroups,
  };
}
