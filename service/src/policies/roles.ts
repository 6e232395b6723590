// Role values of a user document. Entra sends roles as objects (`{ value, primary, type }`) on POST, and on
// PATCH with SingleAppRoleAssignment as a JSON-encoded string `{"id":…,"value":…,"displayName":…}`
// (reference entra-scim-client.md §1.3), so both forms are read.
import type { PolicyJsonObject, PolicyJsonValue } from './types.js';

function roleValueOf(element: PolicyJsonValue): string | undefined {
  let candidate: PolicyJsonValue = element;
  if (candidate !== null && typeof candidate === 'object' && !Array.isArray(candidate)) {
    const key = Object.keys(candidate).find((k) => k.toLowerCase() === 'value');
    candidate = key === undefined ? null : candidate[key]!;
  }
  if (typeof candidate !== 'string') return undefined;
  const text = candidate.trim();
  if (text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && typeof (parsed as { value?: unknown }).value === 'string') {
        return ((parsed as { value: string }).value).trim() || undefined;
      }
    } catch {
      // Not JSON after all: the text itself is the role value.
    }
  }
  return text || undefined;
}

/** Distinct role values of a user, in order of appearance (first spelling wins, compared case-insensitively). */
export function roleValues(user: PolicyJsonObject): string[] {
  const key = Object.keys(user).find((k) => k.toLowerCase() === 'roles');
  const roles = key === undefined ? undefined : user[key];
  const elements = Array.isArray(roles) ? roles : roles === undefined || roles === null ? [] : [roles];
  const seen = new Map<string, string>();
  for (const element of elements) {
    const value = roleValueOf(element);
    if (value !== undefined && !seen.has(value.toLowerCase())) seen.set(value.toLowerCase(), value);
  }
  return [...seen.values()];
}
