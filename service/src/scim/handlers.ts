// The SCIM operations on Users and Groups, independent of HTTP details: each runs in one storage
// transaction (rolled back for dry-run) and returns what the route sends.
import { randomUUID } from 'node:crypto';
import type { ServiceContext, WriteEvent, WriteOperation } from '../context.js';
import {
  matchesFilter,
  type AttrPath,
  type AuditEntry,
  type Filter,
  type FilterValue,
  type JsonObject,
  type Member,
  type ResourceType,
  type StoredResource,
  type Tenant,
  type TenantStore,
} from '../storage/contract.js';
import { badRequest, notFound, ScimError } from './errors.js';
import { parseStorageFilter } from '../filter/index.js';
import { checkUserPolicies, decideLinkOnCreate, deactivated, policiesFromSettings, usersToDeactivate, type TenantPolicies } from '../policies/index.js';
import { applyPatch, changesOnlyMembers, parsePatchBody, type MemberChange } from './patch.js';
import { etagOf, normalizeResource, project, renderResource } from './resources.js';
import { enterpriseAttrIndex, enterpriseSchema, listResponseSchema, userAttrIndex } from './schema.js';

export interface RequestScope {
  ctx: ServiceContext;
  tenant: Tenant;
  /** `${origin}/scim/${tenant}` — dry-run answers with the real locations. */
  baseUrl: string;
  dryRun: boolean;
  /** Filled by the operation for the audit log. */
  audit: {
    resourceId?: string;
    summary?: string;
    /** Builds this request's audit entry for a final status (set by the routes; undefined for non-writes). */
    entry?: (status: number) => AuditEntry | undefined;
    /** The entry was committed with the write: the routes' onSend hook must not record it again. */
    recorded?: boolean;
  };
}

export interface Reply {
  status: number;
  body?: JsonObject;
  headers?: Record<string, string>;
}

export interface ViewOptions {
  attributes?: string;
  excludedAttributes?: string;
}

const pathOf = (type: ResourceType) => (type === 'User' ? 'Users' : 'Groups');

function wants(view: ViewOptions, attr: string): boolean {
  const has = (list: string | undefined) => (list ?? '').split(',').some((a) => a.trim().toLowerCase().replace(/^urn:.*:/, '').split(/[.[]/)[0] === attr.toLowerCase());
  if (view.attributes) return has(view.attributes);
  return !has(view.excludedAttributes);
}

async function render(store: TenantStore, scope: RequestScope, r: StoredResource, view: ViewOptions): Promise<JsonObject> {
  const groups = r.type === 'User' && wants(view, 'groups') ? (r.groups ?? (await store.groupsOf(r.id))) : undefined;
  const members = r.type === 'Group' && wants(view, 'members') ? await store.listMembers(r.id) : undefined;
  const doc = renderResource(r, { baseUrl: scope.baseUrl, ...(groups ? { groups } : {}), ...(members ? { members } : {}) });
  return project(doc, view.attributes, view.excludedAttributes);
}

function single(status: number, r: StoredResource, body: JsonObject, scope: RequestScope, extra: Record<string, string> = {}): Reply {
  return { status, body, headers: { etag: etagOf(r.version), ...extra, ...(status === 201 ? { location: `${scope.baseUrl}/${pathOf(r.type)}/${r.id}` } : {}) } };
}

/** `If-Match` (RFC 7644 §3.14): `*` or a list of ETags; a mismatch is 412. */
export function checkIfMatch(ifMatch: string | undefined, r: StoredResource): void {
  if (!ifMatch) return;
  const tags = ifMatch.split(',').map((t) => t.trim());
  if (tags.includes('*')) return;
  const current = String(r.version);
  const ok = tags.some((t) => t.replace(/^W\//, '').replace(/^"|"$/g, '') === current);
  if (!ok) throw new ScimError(412, `If-Match ${ifMatch} does not match the current version ${etagOf(r.version)}; GET the resource again and retry with its ETag`);
}

function intParam(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || !Number.isInteger(n)) throw badRequest('invalidValue', `${name} must be an integer, got "${raw}"`);
  return n;
}

export interface ListParams extends ViewOptions {
  filter?: string;
  startIndex?: string;
  count?: string;
  sortBy?: string;
  sortOrder?: string;
}

export const maxPageSize = 1000;

/** Bare enterprise attribute names (`manager`, `department`) in a filter resolve to the enterprise extension. */
function qualifyFilter(filter: Filter, type: ResourceType): Filter {
  const qualify = (path: AttrPath): AttrPath => {
    if (path.uri || type !== 'User') return path;
    const lower = path.attr.toLowerCase();
    return !userAttrIndex.has(lower) && enterpriseAttrIndex.has(lower) ? { ...path, uri: enterpriseSchema } : path;
  };
  switch (filter.kind) {
    case 'and':
    case 'or':
      return { ...filter, left: qualifyFilter(filter.left, type), right: qualifyFilter(filter.right, type) };
    case 'not':
      return { ...filter, filter: qualifyFilter(filter.filter, type) };
    case 'compare': {
      const path = qualify(filter.path);
      return { ...filter, path, value: dateTimeOperand(path, filter.value) };
    }
    default:
      return { ...filter, path: qualify(filter.path) };
  }
}

/**
 * `meta.created` / `meta.lastModified` compare as instants (RFC 7644 §3.4.2.2): the operand, with any offset or
 * precision (`2015-10-10T14:38:21.8617979-07:00`), becomes the UTC ISO form the values are stored in.
 */
function dateTimeOperand(path: AttrPath, value: FilterValue): FilterValue {
  const isMeta = path.attr.toLowerCase() === 'meta' && /^(created|lastmodified)$/i.test(path.sub ?? '');
  if (!isMeta || typeof value !== 'string') return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw badRequest('invalidFilter', `meta.${path.sub} must be compared with a date-time such as "2026-01-31T12:00:00Z", got "${value}"`);
  return new Date(ms).toISOString();
}

/** `startIndex` and `count` of a list request (RFC 7644 §3.4.2.4: startIndex < 1 is treated as 1, count < 0 as 0). */
function pageOf(params: ListParams): { startIndex: number; count: number } {
  const startIndex = Math.max(1, intParam(params.startIndex, 'startIndex') ?? 1);
  const count = Math.min(maxPageSize, Math.max(0, intParam(params.count, 'count') ?? 100));
  return { startIndex, count };
}

/** One page of one resource type: filter, sort, storage query, rendering and attribute projection. */
async function queryPage(scope: RequestScope, type: ResourceType, params: ListParams, page: { startIndex: number; count: number }): Promise<{ totalResults: number; resources: JsonObject[] }> {
  const filter = params.filter !== undefined && params.filter.trim() !== '' ? qualifyFilter(parseStorageFilter(params.filter), type) : undefined;
  let sortOrder: 'ascending' | 'descending' | undefined;
  if (params.sortOrder) {
    const o = params.sortOrder.toLowerCase();
    if (o !== 'ascending' && o !== 'descending') throw badRequest('invalidValue', `sortOrder must be "ascending" or "descending", got "${params.sortOrder}"`);
    sortOrder = o;
  }
  const store = scope.ctx.storage.tenantStore(scope.tenant.name);
  const result = await store.query(type, {
    ...(filter ? { filter } : {}),
    startIndex: page.startIndex,
    count: page.count,
    ...(params.sortBy ? { sortBy: params.sortBy } : {}),
    ...(sortOrder ? { sortOrder } : {}),
    ...(type === 'User' && wants(params, 'groups') ? { withGroups: true } : {}),
  });
  const resources: JsonObject[] = [];
  for (const r of result.resources) resources.push(await render(store, scope, r, params));
  return { totalResults: result.totalResults, resources };
}

function listResponse(totalResults: number, startIndex: number, resources: JsonObject[]): Reply {
  // Zero hits is 200 with `Resources: []`, never null (Entra's Test Connection) [reference §1.2].
  return { status: 200, body: { schemas: [listResponseSchema], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources } };
}

/** GET /Users, GET /Groups and POST /Users/.search, /Groups/.search. */
export async function listResources(scope: RequestScope, type: ResourceType, params: ListParams): Promise<Reply> {
  const page = pageOf(params);
  const { totalResults, resources } = await queryPage(scope, type, params, page);
  return listResponse(totalResults, page.startIndex, resources);
}

/**
 * POST /.search at the tenant root (RFC 7644 §3.4.3): Users and Groups in one result. The result is the
 * concatenation "every matching User, then every matching Group", each part in the order the type's own
 * list gives (sortBy/sortOrder apply within each type); startIndex and count page over that concatenation,
 * and totalResults is the sum. The filter is applied to both types; an attribute a type does not have
 * matches nothing there.
 */
export async function searchAllResources(scope: RequestScope, params: ListParams): Promise<Reply> {
  const page = pageOf(params);
  const users = await queryPage(scope, 'User', params, page);
  // Positions 1..U are users; the groups' page starts where the users' page ran out.
  const rest = { startIndex: Math.max(1, page.startIndex - users.totalResults), count: page.count - users.resources.length };
  const groups = await queryPage(scope, 'Group', params, rest);
  return listResponse(users.totalResults + groups.totalResults, page.startIndex, [...users.resources, ...groups.resources]);
}

export async function getResource(scope: RequestScope, type: ResourceType, id: string, view: ViewOptions): Promise<Reply> {
  const store = scope.ctx.storage.tenantStore(scope.tenant.name);
  const r = await store.getResource(type, id);
  if (!r) throw notFound(`${type} ${id} not found`);
  return single(200, r, await render(store, scope, r, view), scope);
}

async function runHooks(scope: RequestScope, event: WriteEvent, phase: 'beforeWrite' | 'afterWrite'): Promise<string | undefined> {
  let link: string | undefined;
  for (const hook of scope.ctx.hooks[phase]) {
    const result = await hook(event);
    if (result && typeof result === 'object' && 'linkToId' in result && result.linkToId) link = result.linkToId;
  }
  return link;
}

function event(scope: RequestScope, store: TenantStore, type: ResourceType, operation: WriteOperation, id: string, extra: Partial<WriteEvent>): WriteEvent {
  return { tenant: scope.tenant, resourceType: type, operation, id, store, dryRun: scope.dryRun, ...extra };
}

/**
 * Runs a write. Its audit entry is committed in the same transaction (a write costs one commit, and an
 * acknowledged write always has its entry); failures and dry runs are recorded by the routes' onSend hook.
 */
async function transaction(scope: RequestScope, work: (store: TenantStore) => Promise<Reply>): Promise<Reply> {
  const entry = scope.audit.entry;
  const reply = await scope.ctx.storage.transaction(scope.tenant.name, work, {
    rollback: scope.dryRun,
    ...(entry ? { audit: (r: Reply) => entry(r.status) } : {}),
  });
  if (entry && !scope.dryRun) scope.audit.recorded = true;
  return reply;
}

function requireAttribute(type: ResourceType, data: JsonObject): void {
  const name = type === 'User' ? 'userName' : 'displayName';
  if (typeof data[name] !== 'string' || (data[name] as string).trim() === '') {
    throw badRequest('invalidValue', `${name} is required and must be a non-empty string`);
  }
}

/** Adds members after checking that every id is a user or group of this tenant (O(members added)). */
async function addMembers(store: TenantStore, groupId: string, members: Member[]): Promise<string[]> {
  if (members.length === 0) return [];
  const unique = [...new Map(members.map((m) => [m.value, m])).values()];
  if (unique.some((m) => m.value === groupId)) throw badRequest('invalidValue', 'a group cannot be a member of itself');
  // Members already present are a no-op (Entra re-sends them); only new rows count as a change. Unknown ids
  // reject the request, and throwing rolls back the rows this statement added.
  const { added, missing } = await store.addExistingMembers(groupId, unique.map((m) => ({ value: m.value, ...(m.display ? { display: m.display } : {}) })));
  if (missing.length) {
    throw badRequest('invalidValue', `members must be ids of existing users or groups of this tenant; not found: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`);
  }
  return inRequestOrder(unique.map((m) => m.value), added);
}

/** `values` that are in `subset`, in the order of `values` (storage returns rows in no particular order). */
function inRequestOrder(values: string[], subset: string[]): string[] {
  const set = new Set(subset);
  return values.filter((v) => set.has(v));
}

function policiesOf(scope: RequestScope): TenantPolicies {
  return policiesFromSettings(scope.tenant.settings);
}

/** Tenant policies on a user document (service/src/policies): 400 with the policy's detail when violated. */
function checkPolicies(scope: RequestScope, type: ResourceType, doc: JsonObject, previous?: JsonObject): void {
  if (type !== 'User') return;
  const violation = checkUserPolicies(doc, policiesOf(scope), previous ? { previous } : {});
  if (violation) throw badRequest(violation.scimType, violation.detail);
}

/** Policy "deactivate a user removed from every group", in the same transaction as the removal. */
async function deactivateOrphans(scope: RequestScope, store: TenantStore, removed: string[]): Promise<void> {
  if (removed.length === 0) return;
  const ids = await usersToDeactivate(policiesOf(scope), removed, store);
  for (const id of ids) {
    const user = await store.getResource('User', id);
    const next = user ? deactivated(user.data) : null;
    if (user && next) await store.updateResource('User', id, next as JsonObject);
  }
  if (ids.length) scope.audit.summary = `${scope.audit.summary ?? ''}; deactivated ${ids.length} user(s) removed from every group`;
}

/** Policy "link on create": the id of an existing user to adopt, or undefined to create. */
async function linkTarget(scope: RequestScope, store: TenantStore, data: JsonObject): Promise<string | undefined> {
  const decision = await decideLinkOnCreate(data, policiesOf(scope), async (attribute, value) => {
    const found = await store.query('User', { filter: { kind: 'compare', path: { attr: attribute }, op: 'eq', value }, count: 10 });
    return found.resources.map((r) => r.id);
  });
  if (decision.kind === 'ambiguous') throw new ScimError(409, decision.detail, 'uniqueness');
  return decision.kind === 'link' ? decision.id : undefined;
}

export async function createResource(scope: RequestScope, type: ResourceType, body: unknown, view: ViewOptions): Promise<Reply> {
  const input = normalizeResource(type, scope.tenant, body);
  requireAttribute(type, input.data);
  checkPolicies(scope, type, input.data);
  const id = randomUUID();
  scope.audit.summary = `create ${type}${input.members?.length ? ` with ${input.members.length} members` : ''}`;
  return transaction(scope, async (store) => {
    const ev = event(scope, store, type, 'create', id, { document: input.data, ...(input.members ? { addedMembers: input.members.map((m) => m.value) } : {}) });
    const linkTo = (type === 'User' ? await linkTarget(scope, store, input.data) : undefined) ?? (await runHooks(scope, ev, 'beforeWrite'));
    if (linkTo) {
      const existing = await store.getResource(type, linkTo);
      if (!existing) throw new ScimError(500, 'a policy linked the request to a resource that does not exist');
      // The existing id is kept and its document replaced by the POSTed one.
      const updated = (await store.updateResource(type, linkTo, input.data, existing.version))!;
      scope.audit.resourceId = linkTo;
      scope.audit.summary = `create ${type} linked to an existing ${type}`;
      await runHooks(scope, { ...ev, id: linkTo, operation: 'replace', previous: existing.data, document: updated.data }, 'afterWrite');
      return single(201, updated, await render(store, scope, updated, view), scope);
    }
    const created = await store.insertResource(type, id, input.data);
    scope.audit.resourceId = id;
    if (type === 'Group' && input.members) await addMembers(store, id, input.members);
    await runHooks(scope, ev, 'afterWrite');
    // A user created a moment ago is in no group yet (a group names its members, not the other way round).
    const fresh: StoredResource = type === 'User' ? { ...created, groups: [] } : created;
    return single(201, created, await render(store, scope, fresh, view), scope);
  });
}

export async function replaceResource(scope: RequestScope, type: ResourceType, id: string, body: unknown, ifMatch: string | undefined, view: ViewOptions): Promise<Reply> {
  const input = normalizeResource(type, scope.tenant, body);
  requireAttribute(type, input.data);
  scope.audit.resourceId = id;
  scope.audit.summary = `replace ${type}`;
  return transaction(scope, async (store) => {
    const current = await store.getResource(type, id);
    if (!current) throw notFound(`${type} ${id} not found`);
    checkIfMatch(ifMatch, current);
    checkPolicies(scope, type, input.data, current.data);
    const removed: string[] = [];
    const added: string[] = [];
    if (type === 'Group' && input.members) {
      // PUT replaces the member list; compute the difference so unchanged members cost nothing.
      const wanted = new Set(input.members.map((m) => m.value));
      const have = new Set((await store.listMembers(id)).map((m) => m.value));
      for (const v of have) if (!wanted.has(v)) removed.push(v);
      const toAdd = input.members.filter((m) => !have.has(m.value));
      await store.removeMembers(id, removed);
      added.push(...(await addMembers(store, id, toAdd)));
    }
    const ev = event(scope, store, type, 'replace', id, { document: input.data, previous: current.data, addedMembers: added, removedMembers: removed });
    await runHooks(scope, ev, 'beforeWrite');
    const updated = (await store.updateResource(type, id, input.data, current.version))!;
    await deactivateOrphans(scope, store, removed);
    await runHooks(scope, ev, 'afterWrite');
    return single(200, updated, await render(store, scope, updated, view), scope);
  });
}

function summarizeOps(ops: ReturnType<typeof parsePatchBody>): string {
  const parts = ops.slice(0, 10).map((o) => {
    if (o.path) {
      const n = Array.isArray(o.value) ? `(${o.value.length})` : '';
      return `${o.op} ${o.path.replace(/"[^"]*"/g, '"…"')}${n}`;
    }
    const keys = o.value && typeof o.value === 'object' && !Array.isArray(o.value) ? Object.keys(o.value).join(',') : '';
    return `${o.op} {${keys}}`;
  });
  return parts.join('; ') + (ops.length > 10 ? `; … ${ops.length - 10} more` : '');
}

async function applyMemberChanges(store: TenantStore, groupId: string, changes: MemberChange[]): Promise<{ added: string[]; removed: string[] }> {
  const added: string[] = [];
  const removed: string[] = [];
  for (const change of changes) {
    switch (change.kind) {
      case 'add':
        added.push(...(await addMembers(store, groupId, change.members)));
        break;
      case 'remove': {
        const values = [...new Set(change.values)];
        removed.push(...inRequestOrder(values, await store.removeMembers(groupId, values)));
        break;
      }
      case 'removeAll': {
        const all = (await store.listMembers(groupId)).map((m) => m.value);
        await store.removeAllMembers(groupId);
        removed.push(...all);
        break;
      }
      case 'removeWhere': {
        const all = await store.listMembers(groupId);
        const drop = all.filter((m) => matchesFilter({ ...m } as JsonObject, change.filter)).map((m) => m.value);
        await store.removeMembers(groupId, drop);
        removed.push(...drop);
        break;
      }
    }
  }
  return { added, removed };
}

export async function patchResource(scope: RequestScope, type: ResourceType, id: string, body: unknown, ifMatch: string | undefined, view: ViewOptions): Promise<Reply> {
  const ops = parsePatchBody(body);
  scope.audit.resourceId = id;
  scope.audit.summary = `patch ${type}: ${summarizeOps(ops)}`;
  // A members-only group PATCH without If-Match reads the group without locking it: member rows change row by row,
  // and the version bump at the end serialises concurrent PATCHes of one (large) group for the shortest time.
  const lock = !(type === 'Group' && ifMatch === undefined && changesOnlyMembers(ops));
  let group: StoredResource | undefined;
  const reply = await transaction(scope, async (store) => {
    const current = await store.getResource(type, id, { lock });
    if (!current) throw notFound(`${type} ${id} not found`);
    checkIfMatch(ifMatch, current);
    const result = applyPatch(type, scope.tenant, current.data, ops);
    requireAttribute(type, result.data);
    checkPolicies(scope, type, result.data, current.data);
    const { added, removed } = type === 'Group' ? await applyMemberChanges(store, id, result.memberChanges) : { added: [], removed: [] };
    const changed = !sameJson(current.data, result.data);
    let updated = current;
    if (changed || added.length || removed.length) {
      const ev = event(scope, store, type, 'patch', id, { document: result.data, previous: current.data, addedMembers: added, removedMembers: removed });
      await runHooks(scope, ev, 'beforeWrite');
      updated = changed ? (await store.updateResource(type, id, result.data, current.version))! : (await store.touchResource(type, id))!;
      await deactivateOrphans(scope, store, removed);
      await runHooks(scope, ev, 'afterWrite');
    } else {
      // Entra re-sends unchanged values; that is a no-op, not an error [reference §1.2, sentry-docs#16258].
      scope.audit.summary += ' (no change)';
    }
    // Group PATCH answers 204 without the member list; user PATCH 200 with the resource [reference §1.2].
    if (type === 'Group') {
      group = updated;
      return { status: 204 };
    }
    return single(200, updated, await render(store, scope, updated, view), scope);
  });
  // A member change's version is final once committed (PostgreSQL bumps it in the COMMIT round trip).
  if (group) reply.headers = { ...reply.headers, etag: etagOf(group.version) };
  return reply;
}

export async function deleteResource(scope: RequestScope, type: ResourceType, id: string, ifMatch: string | undefined): Promise<Reply> {
  scope.audit.resourceId = id;
  scope.audit.summary = `delete ${type}`;
  return transaction(scope, async (store) => {
    const current = await store.getResource(type, id);
    if (!current) throw notFound(`${type} ${id} not found`);
    checkIfMatch(ifMatch, current);
    const ev = event(scope, store, type, 'delete', id, { previous: current.data });
    await runHooks(scope, ev, 'beforeWrite');
    const formerMembers = type === 'Group' && policiesOf(scope).deactivateWhenRemovedFromAllGroups ? (await store.listMembers(id)).map((m) => m.value) : [];
    await store.deleteResource(type, id);
    await deactivateOrphans(scope, store, formerMembers);
    await runHooks(scope, ev, 'afterWrite');
    return { status: 204 };
  });
}

/** Structural equality that ignores key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameJson(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}
