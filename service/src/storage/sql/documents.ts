// What both SQL engines derive from a stored SCIM document, whatever the database: the values of the indexed
// columns, the e-mail rows, the document filters and sorts look at, and the in-memory sort and page of a query
// whose filter or sort key is not (fully) indexed.
import type { JsonObject, JsonValue, Member, QueryResult, ResourceQuery, ResourceType, StoredResource } from '../contract.js';

/** The resource columns both engines select (`r.id, r.type, r.data, r.created, r.last_modified, r.version`). */
export interface ResourceRowBase {
  id: string;
  type: string;
  data: string;
  created: string;
  last_modified: string;
  version: number;
}

export function resourceFromRow(row: ResourceRowBase): StoredResource {
  return {
    id: row.id,
    type: row.type as ResourceType,
    data: JSON.parse(row.data) as JsonObject,
    created: row.created,
    lastModified: row.last_modified,
    version: Number(row.version),
  };
}

export interface MemberRow {
  member_id: string;
  type: string | null;
  display: string | null;
}

export function memberFromRow(row: MemberRow): Member {
  return { value: row.member_id, ...(row.type !== null ? { type: row.type } : {}), ...(row.display !== null ? { display: row.display } : {}) };
}

/** A member of a JSON object by case-insensitive name (SCIM attribute names are case-insensitive). */
export function getCI(obj: JsonObject, key: string): JsonValue | undefined {
  if (key in obj) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

function str(v: JsonValue | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

/** The values of the indexed columns of a document (lower-cased where lookups are case-insensitive). */
export function indexedValues(type: ResourceType, data: JsonObject): { userNameLc: string | null; externalId: string | null; displayNameLc: string | null; active: boolean | null } {
  const userName = type === 'User' ? str(getCI(data, 'userName')) : null;
  const displayName = str(getCI(data, 'displayName'));
  const active = getCI(data, 'active');
  return {
    userNameLc: userName === null ? null : userName.toLowerCase(),
    externalId: str(getCI(data, 'externalId')),
    displayNameLc: displayName === null ? null : displayName.toLowerCase(),
    active: typeof active === 'boolean' ? active : null,
  };
}

/** The rows of the emails table for a User document: every e-mail with a value, lower-cased. */
export function emailRows(data: JsonObject): Array<{ value: string; type: string | null }> {
  const emails = getCI(data, 'emails');
  if (!Array.isArray(emails)) return [];
  const out: Array<{ value: string; type: string | null }> = [];
  for (const e of emails) {
    if (e && typeof e === 'object' && !Array.isArray(e)) {
      const value = str(getCI(e, 'value'));
      if (value !== null) out.push({ value: value.toLowerCase(), type: str(getCI(e, 'type'))?.toLowerCase() ?? null });
    }
  }
  return out;
}

/** The document matchesFilter evaluates: data plus id and meta. */
export function filterDocument(r: StoredResource): JsonObject {
  return { ...r.data, id: r.id, meta: { resourceType: r.type, created: r.created, lastModified: r.lastModified } };
}

/** Sort key of a document for an attribute path such as `name.familyName` or `emails` (primary or first value). */
function sortValue(doc: JsonObject, path: string): JsonValue | undefined {
  const uriMatch = /^(urn:.*):([^:]+)$/.exec(path);
  let base: JsonValue | undefined = doc;
  let rest = path;
  if (uriMatch) {
    base = getCI(doc, uriMatch[1]!);
    rest = uriMatch[2]!;
  }
  for (const part of rest.split('.')) {
    if (Array.isArray(base)) {
      const primary: JsonValue | undefined = base.find((e) => e && typeof e === 'object' && !Array.isArray(e) && getCI(e, 'primary') === true) ?? base[0];
      base = primary;
    }
    if (!base || typeof base !== 'object' || Array.isArray(base)) return undefined;
    base = getCI(base, part);
  }
  if (Array.isArray(base)) {
    const first: JsonValue | undefined = base[0];
    base = first && typeof first === 'object' && !Array.isArray(first) ? getCI(first, 'value') : first;
  }
  return base;
}

/**
 * Sorts (by `sortBy`, case-insensitively, missing values last, ties by id) and pages resources that were
 * selected in memory, as the SQL of a fully indexed query would have.
 */
export function sortAndPage(resources: StoredResource[], query: Pick<ResourceQuery, 'sortBy' | 'sortOrder'>, startIndex: number, count: number): QueryResult {
  let sorted = resources;
  if (query.sortBy) {
    const path = query.sortBy;
    const descending = query.sortOrder === 'descending';
    const keyed = resources.map((r) => {
      const v = sortValue(filterDocument(r), path);
      return { r, k: v === undefined ? '' : String(v).toLowerCase() };
    });
    keyed.sort((a, b) => {
      if (a.k === b.k) return a.r.id < b.r.id ? -1 : 1;
      if (a.k === '') return 1;
      if (b.k === '') return -1;
      return (a.k < b.k ? -1 : 1) * (descending ? -1 : 1);
    });
    sorted = keyed.map((x) => x.r);
  }
  return { totalResults: sorted.length, resources: sorted.slice(startIndex - 1, startIndex - 1 + count) };
}
