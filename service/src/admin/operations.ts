// Administrative operations over the storage contract, shared by the admin HTTP API and the admin CLI.
// Every failure is an AdminError whose `detail` tells the operator what to fix.
import { tenantNamePattern } from '../config.js';
import {
  NotFoundError, UniquenessError, type CustomExtensionSettings, type Storage, type StoredAuditEntry, type Tenant, type TenantSettings, type TokenRecord,
} from '../storage/contract.js';
import { parseTenantPolicies, policiesFromSettings, policiesToJson, PolicyConfigError, type TenantPolicies } from '../policies/index.js';
import { AdminError } from './errors.js';
import { parseCustomExtensions, parseCustomSchemas } from './schemas.js';
import { generateToken, hashToken } from './secrets.js';

export { AdminError };

// Tenant names appear in the SCIM URL path (`/scim/{tenant}`); the same rule as SCIM_TENANT.
export { tenantNamePattern };
const maxLabelLength = 100;

export interface TenantSummary {
  name: string;
  created: string;
  customSchemas: string[];
  /** Names of the custom extensions with attribute definitions (`urn:…:extension:<Name>:2.0:User`). */
  customExtensions: string[];
  activeTokens: number;
}
/** A token as listed: never the secret, never the hash. */
export interface TokenInfo {
  id: string;
  tenant: string;
  label?: string;
  created: string;
  revoked?: string;
  active: boolean;
}
export interface IssuedToken extends TokenInfo {
  /** The bearer token, shown only in this answer. */
  token: string;
}
export interface AuditPage {
  entries: StoredAuditEntry[];
  /** Pass as `cursor` to read the next (older) page; null when this was the last page. */
  nextCursor: string | null;
}

function checkTenantName(name: unknown): string {
  if (typeof name !== 'string' || !tenantNamePattern.test(name)) {
    throw new AdminError(400, `tenant name must be 1-63 letters, digits, '-' or '_', starting with a letter or digit (it becomes the URL path /scim/<tenant>); got ${JSON.stringify(name)}`, 'invalidValue');
  }
  return name;
}

async function requireTenant(storage: Storage, name: string): Promise<Tenant> {
  const tenant = await storage.getTenant(name);
  if (!tenant) throw new AdminError(404, `tenant "${name}" does not exist; list tenants with \`scim-admin tenant list\` or GET /admin/tenants`);
  return tenant;
}

function tokenInfo(record: TokenRecord): TokenInfo {
  return {
    id: record.id,
    tenant: record.tenant,
    ...(record.label !== undefined ? { label: record.label } : {}),
    created: record.created,
    ...(record.revoked !== undefined ? { revoked: record.revoked } : {}),
    active: record.revoked === undefined,
  };
}

/**
 * Administrative changes go into the tenant's audit log next to the SCIM writes (who rotated which token,
 * when a policy changed). Summaries name what changed, never secrets. A failure to record is not fatal:
 * the change itself is already done.
 */
async function recordAdmin(storage: Storage, entry: { tenant: string; method: string; resourceType: string; resourceId?: string; summary: string; status: number }): Promise<void> {
  try {
    await storage.appendAudit({
      time: new Date().toISOString(),
      tenant: entry.tenant,
      method: entry.method,
      resourceType: entry.resourceType,
      ...(entry.resourceId !== undefined ? { resourceId: entry.resourceId } : {}),
      summary: `admin: ${entry.summary}`,
      status: entry.status,
      outcome: 'success',
      dryRun: false,
    });
  } catch {
    // The audit entry is best effort here; the operation's own answer reports its result.
  }
}

function changedKeys(before: object, after: object): string[] {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  return Object.keys({ ...a, ...b }).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

async function summary(storage: Storage, tenant: Tenant): Promise<TenantSummary> {
  return {
    name: tenant.name,
    created: tenant.created,
    customSchemas: tenant.settings.customSchemas ?? [],
    customExtensions: (tenant.settings.customExtensions ?? []).map((e) => e.name),
    activeTokens: (await storage.activeTokens(tenant.name)).length,
  };
}

export async function createTenant(storage: Storage, name: unknown, options: { customSchemas?: unknown; customExtensions?: unknown } = {}): Promise<TenantSummary> {
  const tenantName = checkTenantName(name);
  const settings: TenantSettings = {};
  if (options.customSchemas !== undefined) settings.customSchemas = parseCustomSchemas(options.customSchemas);
  if (options.customExtensions !== undefined) settings.customExtensions = parseCustomExtensions(options.customExtensions);
  try {
    const tenant = await storage.createTenant(tenantName, settings);
    await recordAdmin(storage, { tenant: tenantName, method: 'POST', resourceType: 'Tenant', resourceId: tenantName, summary: 'tenant created', status: 201 });
    return await summary(storage, tenant);
  } catch (error) {
    if (error instanceof UniquenessError) throw new AdminError(409, `tenant "${tenantName}" already exists`, 'uniqueness');
    throw error;
  }
}

export async function listTenants(storage: Storage): Promise<TenantSummary[]> {
  const tenants = await storage.listTenants();
  return Promise.all(tenants.map((t) => summary(storage, t)));
}

export async function getTenant(storage: Storage, name: string): Promise<TenantSummary> {
  return summary(storage, await requireTenant(storage, name));
}

/** Deletes the tenant with its tokens, users, groups and audit log. */
export async function deleteTenant(storage: Storage, name: string): Promise<void> {
  if (!(await storage.deleteTenant(name))) await requireTenant(storage, name);
}

export async function issueToken(storage: Storage, tenant: string, label?: unknown): Promise<IssuedToken> {
  if (label !== undefined && (typeof label !== 'string' || label.trim() === '' || label.length > maxLabelLength)) {
    throw new AdminError(400, `label must be a non-empty string of at most ${maxLabelLength} characters (e.g. "entra-prod-2026-11")`, 'invalidValue');
  }
  await requireTenant(storage, tenant);
  const token = generateToken();
  try {
    const record = await storage.createToken(tenant, hashToken(token), label === undefined ? undefined : (label as string).trim());
    await recordAdmin(storage, { tenant, method: 'POST', resourceType: 'Token', resourceId: record.id, summary: `token issued${record.label !== undefined ? ` (label ${JSON.stringify(record.label)})` : ''}`, status: 201 });
    return { ...tokenInfo(record), token };
  } catch (error) {
    if (error instanceof NotFoundError) throw new AdminError(404, `tenant "${tenant}" does not exist`);
    throw error;
  }
}

export async function listTokens(storage: Storage, tenant: string): Promise<TokenInfo[]> {
  await requireTenant(storage, tenant);
  return (await storage.listTokens(tenant)).map(tokenInfo);
}

export async function revokeToken(storage: Storage, tenant: string, id: string): Promise<void> {
  await requireTenant(storage, tenant);
  if (await storage.revokeToken(tenant, id)) {
    await recordAdmin(storage, { tenant, method: 'DELETE', resourceType: 'Token', resourceId: id, summary: 'token revoked', status: 204 });
    return;
  }
  const existing = (await storage.listTokens(tenant)).find((t) => t.id === id);
  if (existing?.revoked) return; // Revoking twice is not an error: the token is revoked either way.
  throw new AdminError(404, `token "${id}" does not exist in tenant "${tenant}"; list token ids with \`scim-admin token list --tenant ${tenant}\``);
}

/** The tenant's extension schemas: bare URNs and extensions with attribute definitions. */
export interface TenantSchemas {
  customSchemas: string[];
  customExtensions: CustomExtensionSettings[];
}

export async function getSchemas(storage: Storage, tenant: string): Promise<TenantSchemas> {
  const { settings } = await requireTenant(storage, tenant);
  return { customSchemas: settings.customSchemas ?? [], customExtensions: settings.customExtensions ?? [] };
}

/** Replaces the tenant's extension schemas (a field left out becomes empty); policies are kept. */
export async function setSchemas(storage: Storage, tenant: string, input: unknown): Promise<TenantSchemas> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new AdminError(400, 'the schemas must be a JSON object like {"customExtensions": [{"name": "Contoso", "attributes": [{"name": "costCenter"}]}], "customSchemas": []}', 'invalidSyntax');
  }
  const body = input as Record<string, unknown>;
  const unknown = Object.keys(body).filter((k) => k !== 'customSchemas' && k !== 'customExtensions');
  if (unknown.length) throw new AdminError(400, `unknown field "${unknown[0]}"; allowed: customSchemas, customExtensions`, 'invalidValue');
  const customSchemas = body.customSchemas === undefined ? [] : parseCustomSchemas(body.customSchemas);
  const customExtensions = body.customExtensions === undefined ? [] : parseCustomExtensions(body.customExtensions);
  const current = await requireTenant(storage, tenant);
  const next: TenantSettings = { ...current.settings, customSchemas, customExtensions };
  const updated = await storage.updateTenantSettings(tenant, next);
  if (!updated) throw new AdminError(404, `tenant "${tenant}" does not exist`);
  const before = { customSchemas: current.settings.customSchemas ?? [], customExtensions: current.settings.customExtensions ?? [] };
  const names = [...customExtensions.map((e) => e.name), ...customSchemas];
  await recordAdmin(storage, { tenant, method: 'PUT', resourceType: 'Schemas', summary: `schemas ${changedKeys(before, { customSchemas, customExtensions }).length ? 'set' : 'unchanged'}: ${names.length ? names.join(', ') : 'none'}`, status: 200 });
  return { customSchemas: updated.settings.customSchemas ?? [], customExtensions: updated.settings.customExtensions ?? [] };
}

export async function getPolicies(storage: Storage, tenant: string): Promise<TenantPolicies> {
  return policiesFromSettings((await requireTenant(storage, tenant)).settings);
}

/** Replaces (`mode: 'replace'`, fields left out are switched off) or merges (`'merge'`) the tenant's policies. */
export async function setPolicies(storage: Storage, tenant: string, input: unknown, mode: 'replace' | 'merge'): Promise<TenantPolicies> {
  const current = await requireTenant(storage, tenant);
  let next: TenantPolicies;
  try {
    next = mode === 'merge' ? parseTenantPolicies(input, policiesFromSettings(current.settings)) : parseTenantPolicies(input);
  } catch (error) {
    if (error instanceof PolicyConfigError) throw new AdminError(400, error.message, 'invalidValue');
    throw error;
  }
  const updated = await storage.updateTenantSettings(tenant, { ...current.settings, policies: policiesToJson(next) });
  if (!updated) throw new AdminError(404, `tenant "${tenant}" does not exist`);
  const changed = changedKeys(policiesFromSettings(current.settings), next);
  await recordAdmin(storage, { tenant, method: mode === 'merge' ? 'PATCH' : 'PUT', resourceType: 'Policies', summary: changed.length ? `policies changed: ${changed.join(', ')}` : 'policies unchanged', status: 200 });
  return policiesFromSettings(updated.settings);
}

// The engines cap one read at 1000 rows and a page reads one extra row.
export const maxAuditPage = 500;

/** One page of the audit log, newest first. `cursor` is the `nextCursor` of the previous page. */
export async function listAudit(storage: Storage, tenant: string, options: { limit?: unknown; cursor?: unknown } = {}): Promise<AuditPage> {
  const limit = options.limit === undefined ? 100 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxAuditPage) {
    throw new AdminError(400, `limit must be an integer from 1 to ${maxAuditPage}`, 'invalidValue');
  }
  let beforeSeq: number | undefined;
  if (options.cursor !== undefined && options.cursor !== '') {
    if (typeof options.cursor !== 'string' || !/^[1-9]\d{0,14}$/.test(options.cursor)) {
      throw new AdminError(400, 'cursor must be the nextCursor value of a previous page (omit it to start at the newest entry)', 'invalidValue');
    }
    beforeSeq = Number(options.cursor);
  }
  await requireTenant(storage, tenant);
  // One extra row tells whether an older page exists.
  const rows = await storage.listAudit(tenant, { limit: limit + 1, ...(beforeSeq !== undefined ? { beforeSeq } : {}) });
  const entries = rows.slice(0, limit);
  const more = rows.length > limit;
  return { entries, nextCursor: more && entries.length > 0 ? String(entries[entries.length - 1]!.seq) : null };
}
