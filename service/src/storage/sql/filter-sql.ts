// Translates the filter AST into SQL over the indexed columns, for both engines: what differs between SQLite
// and PostgreSQL is a `FilterDialect`. Anything it cannot translate returns null and the engine evaluates that part
// in memory (matchesFilter) over the rows the translatable part selected. Fragments use `?` placeholders.
import type { AttrPath, CompareOp, Filter, FilterValue, ResourceType } from '../contract.js';

/** `P`: the engine's extra parameter types beyond strings and numbers (PostgreSQL binds booleans and text[]). */
export interface SqlFragment<P = never> {
  sql: string;
  params: Array<string | number | null | P>;
}

export interface FilterDialect<P = never> {
  /** `sw`/`ew`/`co` on a column; `value` is non-empty and already lower-cased when `lowered`. */
  substring(col: string, op: 'sw' | 'ew' | 'co', value: string, lowered: boolean): SqlFragment<P>;
  /** SQL literal for a boolean (also what `NOT COALESCE(…, false)` needs). */
  booleanLiteral(b: boolean): string;
  booleanParam(b: boolean): number | P;
  /** The groups (`r.id IN (…)`) holding any of `ids` as a member, driven by the (tenant, member_id) index. */
  groupsWithMembers(tenant: string, ids: string[]): SqlFragment<P>;
}

interface Column {
  sql: string;
  /** Values are stored lower-cased in this column. */
  lowered: boolean;
  kind: 'string' | 'boolean';
}

const coreUris = new Set(['urn:ietf:params:scim:schemas:core:2.0:user', 'urn:ietf:params:scim:schemas:core:2.0:group']);

function columnFor(path: AttrPath, type: ResourceType): Column | null {
  if (path.filter) return null;
  if (path.uri && !coreUris.has(path.uri.toLowerCase())) return null;
  const attr = path.attr.toLowerCase();
  const sub = path.sub?.toLowerCase();
  if (attr === 'meta') {
    if (sub === 'created') return { sql: 'r.created', lowered: false, kind: 'string' };
    if (sub === 'lastmodified') return { sql: 'r.last_modified', lowered: false, kind: 'string' };
    return null;
  }
  if (sub) return null;
  if (attr === 'id') return { sql: 'r.id', lowered: false, kind: 'string' };
  if (attr === 'externalid') return { sql: 'r.external_id', lowered: false, kind: 'string' };
  if (attr === 'displayname') return { sql: 'r.display_name_lc', lowered: true, kind: 'string' };
  if (type === 'User' && attr === 'username') return { sql: 'r.user_name_lc', lowered: true, kind: 'string' };
  if (type === 'User' && attr === 'active') return { sql: 'r.active', lowered: false, kind: 'boolean' };
  return null;
}

/**
 * True when the filter matches at most one resource: it is, or `and`s with, an `eq` on a key unique per tenant
 * and type (id, a user's userName, a group's displayName). Engines then skip ORDER BY and LIMIT, which cost
 * SQLite a sorter even for one row: most of an Entra `userName eq` lookup.
 */
export function matchesAtMostOne(filter: Filter, type: ResourceType): boolean {
  if (filter.kind === 'and') return matchesAtMostOne(filter.left, type) || matchesAtMostOne(filter.right, type);
  if (filter.kind !== 'compare' || filter.op !== 'eq' || typeof filter.value !== 'string') return false;
  const column = columnFor(filter.path, type)?.sql;
  return column === 'r.id' || (type === 'User' && column === 'r.user_name_lc') || (type === 'Group' && column === 'r.display_name_lc');
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}

function stringCompare<P>(dialect: FilterDialect<P>, col: string, op: CompareOp, value: string, lowered: boolean): SqlFragment<P> {
  const v = lowered ? value.toLowerCase() : value;
  // Every string starts with, ends with and contains "".
  if (v === '' && (op === 'sw' || op === 'ew' || op === 'co')) return { sql: `${col} IS NOT NULL`, params: [] };
  switch (op) {
    case 'eq': return { sql: `${col} = ?`, params: [v] };
    case 'ne': return { sql: `(${col} IS NULL OR ${col} <> ?)`, params: [v] };
    case 'gt': return { sql: `${col} > ?`, params: [v] };
    case 'ge': return { sql: `${col} >= ?`, params: [v] };
    case 'lt': return { sql: `${col} < ?`, params: [v] };
    case 'le': return { sql: `${col} <= ?`, params: [v] };
    case 'sw':
    case 'ew':
    case 'co': return dialect.substring(col, op, v, lowered);
  }
}

function toBoolean(value: FilterValue): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return null;
}

/** `emails.value op x`, `emails op x`, `emails[type eq "work"].value op x`. */
function emailCompare<P>(dialect: FilterDialect<P>, path: AttrPath, op: CompareOp, value: string, tenant: string): SqlFragment<P> | null {
  if (path.attr.toLowerCase() !== 'emails' || path.uri) return null;
  if (path.sub && path.sub.toLowerCase() !== 'value') return null;
  if (op === 'ne' || op === 'gt' || op === 'ge' || op === 'lt' || op === 'le') return null;
  const inner = stringCompare(dialect, 'e.value_lc', op, value, true);
  let typeSql = '';
  const params: SqlFragment<P>['params'] = [tenant, ...inner.params];
  if (path.filter) {
    const f = path.filter;
    if (f.kind !== 'compare' || f.op !== 'eq' || f.path.attr.toLowerCase() !== 'type' || f.path.sub || typeof f.value !== 'string') return null;
    typeSql = ' AND e.type_lc = ?';
    params.push(f.value.toLowerCase());
  }
  // `r.id IN (…)` (not a correlated EXISTS) so the lookup is driven from the emails index.
  return { sql: `r.id IN (SELECT e.user_id FROM emails e WHERE e.tenant = ? AND ${inner.sql}${typeSql})`, params };
}

/** `members.value eq "id"` and `members eq "id"` on groups. */
function memberCompare<P>(dialect: FilterDialect<P>, path: AttrPath, op: CompareOp, value: string, type: ResourceType, tenant: string): SqlFragment<P> | null {
  if (type !== 'Group' || path.attr.toLowerCase() !== 'members' || path.uri || path.filter) return null;
  if (path.sub && path.sub.toLowerCase() !== 'value') return null;
  if (op !== 'eq') return null;
  return dialect.groupsWithMembers(tenant, [value]);
}

/** `value eq "a" or value eq "b"` inside a members[...] filter → ["a", "b"]; null for anything else. */
function memberIds(filter: Filter): string[] | null {
  if (filter.kind === 'or') {
    const l = memberIds(filter.left);
    const r = memberIds(filter.right);
    return l && r ? [...l, ...r] : null;
  }
  if (filter.kind === 'compare' && filter.op === 'eq' && !filter.path.uri && !filter.path.sub && !filter.path.filter && filter.path.attr.toLowerCase() === 'value' && typeof filter.value === 'string') {
    return [filter.value];
  }
  return null;
}

/** Whether a filter looks at group members (then the in-memory fallback must load them). */
export function mentionsMembers(filter: Filter): boolean {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return mentionsMembers(filter.left) || mentionsMembers(filter.right);
    case 'not':
      return mentionsMembers(filter.filter);
    default:
      return filter.path.attr.toLowerCase() === 'members';
  }
}

export function filterToSql<P>(dialect: FilterDialect<P>, filter: Filter, type: ResourceType, tenant: string): SqlFragment<P> | null {
  switch (filter.kind) {
    case 'and':
    case 'or': {
      const left = filterToSql(dialect, filter.left, type, tenant);
      const right = filterToSql(dialect, filter.right, type, tenant);
      if (!left || !right) return null;
      return { sql: `(${left.sql} ${filter.kind === 'and' ? 'AND' : 'OR'} ${right.sql})`, params: [...left.params, ...right.params] };
    }
    case 'not': {
      const inner = filterToSql(dialect, filter.filter, type, tenant);
      return inner ? { sql: `NOT COALESCE(${inner.sql}, ${dialect.booleanLiteral(false)})`, params: inner.params } : null;
    }
    case 'valuePath': {
      // members[value eq "id" (or value eq "id2" …)] on groups: driven by the (tenant, member_id) index.
      if (type !== 'Group' || filter.path.uri || filter.path.attr.toLowerCase() !== 'members') return null;
      const ids = memberIds(filter.filter);
      if (!ids || ids.length === 0 || ids.some(hasNul)) return null;
      return dialect.groupsWithMembers(tenant, ids);
    }
    case 'present': {
      if (type === 'Group' && !filter.path.uri && filter.path.attr.toLowerCase() === 'members' && (!filter.path.sub || filter.path.sub.toLowerCase() === 'value') && !filter.path.filter) {
        return { sql: 'EXISTS (SELECT 1 FROM members m WHERE m.tenant = r.tenant AND m.group_id = r.id)', params: [] };
      }
      const col = columnFor(filter.path, type);
      if (!col) return null;
      return { sql: col.kind === 'string' ? `(${col.sql} IS NOT NULL AND ${col.sql} <> '')` : `${col.sql} IS NOT NULL`, params: [] };
    }
    case 'compare': {
      // SQLite's string functions and LIKE stop at U+0000 and PostgreSQL text cannot hold it (the engine stores
      // U+FFFD): an operand containing it is compared in memory.
      if (typeof filter.value === 'string' && hasNul(filter.value)) return null;
      const col = columnFor(filter.path, type);
      if (!col) {
        if (typeof filter.value !== 'string') return null;
        return emailCompare(dialect, filter.path, filter.op, filter.value, tenant) ?? memberCompare(dialect, filter.path, filter.op, filter.value, type, tenant);
      }
      if (col.kind === 'boolean') {
        if (filter.op !== 'eq' && filter.op !== 'ne') return null;
        const b = toBoolean(filter.value);
        if (b === null) return { sql: dialect.booleanLiteral(filter.op !== 'eq'), params: [] };
        const param = dialect.booleanParam(b);
        return filter.op === 'eq' ? { sql: `${col.sql} = ?`, params: [param] } : { sql: `(${col.sql} IS NULL OR ${col.sql} <> ?)`, params: [param] };
      }
      if (filter.value === null) return null;
      return stringCompare(dialect, col.sql, filter.op, String(filter.value), col.lowered);
    }
  }
}

function hasNul(value: string): boolean {
  return value.includes('\u0000');
}

/** Splits top-level AND conjuncts into the SQL-translatable part and the rest (evaluated in memory). */
export function splitFilter<P>(dialect: FilterDialect<P>, filter: Filter, type: ResourceType, tenant: string): { sql: SqlFragment<P> | null; residual: Filter | null } {
  const whole = filterToSql(dialect, filter, type, tenant);
  if (whole) return { sql: whole, residual: null };
  if (filter.kind !== 'and') return { sql: null, residual: filter };
  const left = splitFilter(dialect, filter.left, type, tenant);
  const right = splitFilter(dialect, filter.right, type, tenant);
  const parts = [left.sql, right.sql].filter((p): p is SqlFragment<P> => p !== null);
  const sql = parts.length === 0 ? null : { sql: parts.map((p) => p.sql).join(' AND '), params: parts.flatMap((p) => p.params) };
  const residuals = [left.residual, right.residual].filter((f): f is Filter => f !== null);
  const residual = residuals.length === 0 ? null : residuals.length === 1 ? residuals[0]! : { kind: 'and' as const, left: residuals[0]!, right: residuals[1]! };
  return { sql, residual };
}

/** Column for sortBy, or null when it must be sorted in memory. */
export function sortColumn(sortBy: string, type: ResourceType): string | null {
  const s = sortBy.toLowerCase().replace(/^urn:ietf:params:scim:schemas:core:2\.0:(user|group):/, '');
  switch (s) {
    case 'id': return 'r.id';
    case 'externalid': return 'r.external_id';
    case 'displayname': return 'r.display_name_lc';
    case 'meta.created': return 'r.created';
    case 'meta.lastmodified': return 'r.last_modified';
    case 'username': return type === 'User' ? 'r.user_name_lc' : null;
    case 'active': return type === 'User' ? 'r.active' : null;
    default: return null;
  }
}
