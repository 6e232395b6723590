// Attribute paths for required-attribute policies: `attr`, `attr.sub`, `urn:…:attr[.sub]` and
// `attr[sub eq "value"].sub` (the one value-filter form Entra's mappings target, e.g. a work email).
// Names match case-insensitively, as SCIM attribute names do (RFC 7643 §2.1).
import type { PolicyJsonObject, PolicyJsonValue } from './types.js';

export interface RequiredPath {
  /** As configured, for error messages. */
  text: string;
  uri?: string;
  attr: string;
  filter?: { attr: string; value: string };
  sub?: string;
}

const name = '[A-Za-z][A-Za-z0-9_$-]*';
const pathPattern = new RegExp(
  `^(?:(urn:[A-Za-z0-9:._-]+):)?(${name})(?:\\[\\s*(${name})\\s+eq\\s+"([^"\\\\]*)"\\s*\\])?(?:\\.(${name}))?$`,
  'i',
);

/** Parses a required-attribute path; returns undefined when the syntax is not supported. */
export function parseRequiredPath(text: string): RequiredPath | undefined {
  const m = pathPattern.exec(text.trim());
  if (!m) return undefined;
  const [, uri, attr, filterAttr, filterValue, sub] = m;
  const path: RequiredPath = { text: text.trim(), attr: attr! };
  if (uri) path.uri = uri;
  if (filterAttr !== undefined) path.filter = { attr: filterAttr, value: filterValue! };
  if (sub) path.sub = sub;
  return path;
}

function get(value: PolicyJsonValue | undefined, key: string): PolicyJsonValue | undefined {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if (key in value) return value[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(value)) if (k.toLowerCase() === lower) return value[k];
  return undefined;
}

function nonEmpty(value: PolicyJsonValue | undefined): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim().length > 0;
  if (Array.isArray(value)) return value.some(nonEmpty);
  if (typeof value === 'object') return Object.values(value).some(nonEmpty);
  return true;
}

function sameText(a: PolicyJsonValue | undefined, b: string): boolean {
  if (typeof a === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === 'boolean') return String(a) === b.toLowerCase();
  if (typeof a === 'number') return String(a) === b;
  return false;
}

/** True when `user` has a non-empty value at `path`. */
export function hasValue(user: PolicyJsonObject, path: RequiredPath): boolean {
  // Extension attributes may arrive under their URN object or, as Entra sends them, flattened (`urn:…:attr`).
  let base: PolicyJsonValue | undefined = user;
  if (path.uri) {
    const flat = get(user, `${path.uri}:${path.attr}`);
    if (flat !== undefined) return hasValueIn({ [path.attr]: flat }, path);
    base = get(user, path.uri);
  }
  return hasValueIn(base, path);
}

function hasValueIn(base: PolicyJsonValue | undefined, path: RequiredPath): boolean {
  let values = [get(base, path.attr)].flatMap((v) => (Array.isArray(v) ? v : v === undefined ? [] : [v]));
  if (path.filter) {
    const { attr, value } = path.filter;
    values = values.filter((el) => sameText(get(el, attr), value));
  }
  if (path.sub) {
    const sub = path.sub;
    values = values.map((el) => get(el, sub)).filter((v): v is PolicyJsonValue => v !== undefined);
  }
  return values.some(nonEmpty);
}
