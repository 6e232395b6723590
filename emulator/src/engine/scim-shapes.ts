// The bodies Entra sends: POST resources, and PATCH operations in Entra's default shapes or, when
// the tenant URL carries `aadOptscim062020`, the RFC 7644 shapes (entra-scim-client.md §1.2, §1.3).
import { parseTargetPath, writePath } from './scim-paths.js';

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
/** Entra's group POST also names this Microsoft schema (MS-Tut): servers must tolerate it. */
export const ADSCIM_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';
export const MANAGER_PATH = `${ENTERPRISE_USER}:manager`;

export type Json = Record<string, unknown>;
export type ScimValue = string | boolean | Json[] | null;

export interface PatchOperation {
  op: string;
  path?: string;
  value?: unknown;
}

export interface AttributeChange {
  target: string;
  value: ScimValue;
  /** Whether the matched target resource already had a value (Entra sends Replace rather than Add). */
  present: boolean;
}

export function patchBody(operations: PatchOperation[]): Json {
  return { schemas: [PATCH_OP], Operations: operations };
}

export function userCreateBody(values: Map<string, ScimValue>): Json {
  const resource: Json = { schemas: [CORE_USER, ENTERPRISE_USER] };
  for (const [target, value] of values) if (value !== null) writePath(resource, parseTargetPath(target), value);
  resource.meta = { resourceType: 'User' };
  return resource;
}

export function groupCreateBody(values: Map<string, ScimValue>): Json {
  const resource: Json = { schemas: [CORE_GROUP, ADSCIM_GROUP] };
  for (const [target, value] of values) if (value !== null) writePath(resource, parseTargetPath(target), value);
  resource.meta = { resourceType: 'Group' };
  return resource;
}

/** Attribute updates: one op per attribute (default) or one no-path `replace` with dotted keys (flag). */
export function attributeOperations(changes: AttributeChange[], rfc: boolean): PatchOperation[] {
  if (changes.length === 0) return [];
  if (rfc) {
    const value: Json = {};
    for (const c of changes) value[c.target] = c.value;
    return [{ op: 'replace', value }];
  }
  return changes.map((c) => ({ op: c.present ? 'Replace' : 'Add', path: c.target, value: c.value }));
}

export function managerOperation(managerId: string | null, present: boolean, rfc: boolean): PatchOperation {
  if (managerId === null) return { op: rfc ? 'remove' : 'Remove', path: MANAGER_PATH };
  // Default: a bare string id (SCIM-SDK#686); flag: the RFC complex value.
  if (rfc) return { op: 'replace', value: { [MANAGER_PATH]: { value: managerId } } };
  return { op: present ? 'Replace' : 'Add', path: MANAGER_PATH, value: managerId };
}

export function memberAddOperation(ids: string[], rfc: boolean): PatchOperation {
  return rfc
    ? { op: 'add', path: 'members', value: ids.map((value) => ({ value })) }
    : { op: 'Add', path: 'members', value: ids.map((value) => ({ $ref: null, value })) };
}

/** Default: Entra's non-RFC remove with a value array; flag: one `members[value eq "…"]` op per member. */
export function memberRemoveOperations(ids: string[], rfc: boolean): PatchOperation[] {
  return rfc
    ? ids.map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` }))
    : [{ op: 'Remove', path: 'members', value: ids.map((value) => ({ $ref: null, value })) }];
}
