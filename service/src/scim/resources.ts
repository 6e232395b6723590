// Input normalisation (lenient: Entra's shapes, any key case, nulls skipped, "True"/"False" coerced,
// bare-string manager, JSON-encoded roles) and output rendering (strict: canonical names, no nulls,
// id + meta always, manager complex).
import type { JsonObject, JsonValue, Member, ResourceType, StoredResource, Tenant } from '../storage/contract.js';
import { badRequest } from './errors.js';
import {
  customSchemaPattern,
  enterpriseAttrIndex,
  enterpriseSchema,
  groupAttrIndex,
  groupSchema,
  subAttr,
  userAttrIndex,
  userSchema,
  type AttrDef,
} from './schema.js';

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Entra sends "True"/"False" (and "true"/"false") for booleans [reference §1.2]. */
export function coerceBoolean(v: JsonValue, where: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  throw badRequest('invalidValue', `${where} must be a boolean (true or false), got ${JSON.stringify(v)}`);
}

function isEmpty(v: JsonValue | undefined): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

/** Removes nulls, empty strings, empty arrays and empty objects recursively. */
export function compact(v: JsonValue): JsonValue | undefined {
  if (Array.isArray(v)) {
    const out = v.map(compact).filter((x): x is JsonValue => x !== undefined);
    return out.length ? out : undefined;
  }
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, val] of Object.entries(v)) {
      const c = compact(val);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return isEmpty(v) ? undefined : v;
}

/** A role element whose value is a JSON-encoded object `{"id","value","displayName"}` (Entra PATCH) [reference §1.3]. */
function decodeRole(el: JsonObject): JsonObject {
  const v = el.value;
  if (typeof v !== 'string' || !v.trim().startsWith('{')) return el;
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    return el;
  }
  if (!isObject(parsed)) return el;
  const out: JsonObject = { ...el };
  const value = parsed.value ?? parsed.id;
  if (typeof value === 'string') out.value = value;
  if (typeof parsed.displayName === 'string' && out.display === undefined) out.display = parsed.displayName;
  if (typeof parsed.display === 'string' && out.display === undefined) out.display = parsed.display;
  if (typeof parsed.type === 'string' && out.type === undefined) out.type = parsed.type;
  if (parsed.primary !== undefined && out.primary === undefined && parsed.primary !== null) out.primary = parsed.primary as JsonValue;
  return out;
}

/** Normalises one value against its attribute definition; undefined = "no value" (clears the attribute). */
export function normalizeValue(def: AttrDef | undefined, v: JsonValue | undefined, where: string): JsonValue | undefined {
  if (v === undefined || v === null) return undefined;
  if (!def) return compact(v); // schema-less (custom extension attributes): stored as sent
  if (def.multiValued) {
    const list = Array.isArray(v) ? v : [v];
    const out: JsonValue[] = [];
    for (const item of list) {
      if (item === null || item === undefined) continue;
      let el: JsonObject;
      if (isObject(item)) el = item;
      else if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') el = { value: String(item) };
      else throw badRequest('invalidValue', `${where} elements must be objects such as {"value": "…"}`);
      if (def.name === 'roles') el = decodeRole(el);
      const n = normalizeComplex(def, el, where);
      if (n !== undefined) out.push(n);
    }
    return out.length ? out : undefined;
  }
  if (def.type === 'complex') {
    // A bare string manager id means { value: id } [reference §1.2, SCIM-SDK#686].
    if (typeof v === 'string') {
      if (v.trim() === '') return undefined;
      if (def.name === 'manager') return { value: v };
      throw badRequest('invalidValue', `${where} must be an object of its sub-attributes, not a string`);
    }
    // Entra's docs show `"path": "manager", "value": [{"$ref": …, "value": …}]` for the single-valued manager [MS-Tut].
    if (Array.isArray(v) && v.length <= 1) return v.length ? normalizeValue(def, v[0], where) : undefined;
    if (!isObject(v)) throw badRequest('invalidValue', `${where} must be an object`);
    return normalizeComplex(def, v, where);
  }
  if (def.type === 'boolean') return coerceBoolean(v, where);
  if (def.type === 'integer') {
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isInteger(n)) throw badRequest('invalidValue', `${where} must be an integer`);
    return n;
  }
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw badRequest('invalidValue', `${where} must be a string, got ${Array.isArray(v) ? 'an array' : 'an object'}`);
}

function normalizeComplex(def: AttrDef, obj: JsonObject, where: string): JsonObject | undefined {
  const out: JsonObject = {};
  for (const [k, raw] of Object.entries(obj)) {
    const sub = subAttr(def, k);
    if (!sub) continue; // unknown sub-attributes (and Entra's "$ref": null) are ignored
    const n = normalizeValue(sub, raw, `${where}.${sub.name}`);
    if (n !== undefined) out[sub.name] = n;
  }
  return Object.keys(out).length ? out : undefined;
}

export interface AttrTarget {
  /** undefined = core schema, otherwise the extension URN (canonical). */
  ext?: string;
  name: string;
  def?: AttrDef;
}

/** The canonical extension URN this tenant accepts, or undefined. */
export function extensionUri(uri: string, type: ResourceType, tenant: Tenant): string | undefined {
  if (type !== 'User') return undefined;
  const lower = uri.toLowerCase();
  if (lower === enterpriseSchema.toLowerCase()) return enterpriseSchema;
  const configured = [...(tenant.settings.customSchemas ?? []), ...(tenant.settings.customExtensions ?? []).map((e) => `urn:ietf:params:scim:schemas:extension:${e.name}:2.0:User`)];
  const found = configured.find((s) => s.toLowerCase() === lower);
  if (found) return found;
  // Any well-formed custom extension is accepted and stored as sent (Entra maps custom attributes under
  // `urn:ietf:params:scim:schemas:extension:<Name>:2.0:User` [MS-Attr]); configured ones are also discoverable.
  const m = /^urn:ietf:params:scim:schemas:extension:([A-Za-z0-9_.-]+):2\.0:User$/i.exec(uri);
  return m && m[1]!.toLowerCase() !== 'enterprise' ? `urn:ietf:params:scim:schemas:extension:${m[1]}:2.0:User` : undefined;
}

function unknownSchema(uri: string): never {
  if (customSchemaPattern.test(uri)) {
    throw badRequest('invalidValue', `the extension schema ${uri} is not enabled for this tenant; add it to the tenant's customSchemas (scim-admin tenant) or remove the mapping`);
  }
  throw badRequest('invalidPath', `unknown schema ${uri}; supported: ${userSchema}, ${enterpriseSchema} and the tenant's custom extension schemas`);
}

/** Resolves an attribute name (and optional URN) to where it is stored. Throws invalidPath for unknown attributes. */
export function resolveTarget(type: ResourceType, tenant: Tenant, uri: string | undefined, attr: string): AttrTarget {
  const core = type === 'User' ? userAttrIndex : groupAttrIndex;
  const lower = attr.toLowerCase();
  if (uri && uri.toLowerCase() !== (type === 'User' ? userSchema : groupSchema).toLowerCase()) {
    const ext = extensionUri(uri, type, tenant);
    if (!ext) unknownSchema(uri);
    if (ext === enterpriseSchema) {
      const def = enterpriseAttrIndex.get(lower);
      if (!def) throw badRequest('invalidPath', `${attr} is not an attribute of ${enterpriseSchema}; known: employeeNumber, costCenter, organization, division, department, manager`);
      return { ext, name: def.name, def };
    }
    // A configured custom attribute with a simple single-valued type is normalised like a core one ("True" → true);
    // anything else in a custom extension is stored as sent.
    const extName = /^urn:ietf:params:scim:schemas:extension:([^:]+):2\.0:User$/i.exec(ext)?.[1]?.toLowerCase();
    const configured = (tenant.settings.customExtensions ?? []).find((e) => e.name.toLowerCase() === extName);
    const attrDef = configured?.attributes.find((a) => a.name.toLowerCase() === lower);
    const simple: Record<string, AttrDef['type']> = { boolean: 'boolean', integer: 'integer', string: 'string', dateTime: 'string', reference: 'string' };
    if (attrDef && !attrDef.multiValued && simple[attrDef.type ?? 'string']) {
      return { ext, name: attrDef.name, def: { name: attrDef.name, type: simple[attrDef.type ?? 'string']! } };
    }
    return { ext, name: attr };
  }
  const def = core.get(lower);
  if (def) return { name: def.name, def };
  if (type === 'User') {
    // Entra's docs also show `path: "manager"` without the extension URN [reference §1.2].
    const e = enterpriseAttrIndex.get(lower);
    if (e) return { ext: enterpriseSchema, name: e.name, def: e };
  }
  throw badRequest('invalidPath', `unknown attribute "${attr}" for ${type}; see /Schemas for the supported attributes`);
}

export interface NormalizedInput {
  data: JsonObject;
  /** Group members from the body (undefined when the body has no members key). */
  members?: Member[];
}

/** Normalises a POST/PUT body into the stored document. Unknown core attributes are ignored. */
export function normalizeResource(type: ResourceType, tenant: Tenant, body: unknown): NormalizedInput {
  if (!isObject(body)) throw badRequest('invalidSyntax', `the request body must be a JSON object representing a ${type}`);
  const data: JsonObject = {};
  let members: Member[] | undefined;
  const setIn = (target: AttrTarget, value: JsonValue | undefined) => {
    if (value === undefined) return;
    if (!target.ext) {
      data[target.name] = value;
      return;
    }
    const ext = (isObject(data[target.ext]) ? data[target.ext] : (data[target.ext] = {})) as JsonObject;
    ext[target.name] = value;
  };
  for (const [key, value] of Object.entries(body)) {
    const lower = key.toLowerCase();
    if (lower === 'schemas' || lower === 'meta' || lower === 'id' || value === null) continue;
    if (type === 'Group' && lower === 'members') {
      members = membersFrom(value);
      continue;
    }
    if (lower.startsWith('urn:')) {
      const ext = extensionUri(key, type, tenant);
      if (ext) {
        if (!isObject(value)) throw badRequest('invalidValue', `${key} must be an object of extension attributes`);
        for (const [k, v] of Object.entries(value)) {
          if (v === null) continue;
          const target = resolveTarget(type, tenant, ext, k);
          setIn(target, normalizeValue(target.def, v, `${key}:${k}`));
        }
        continue;
      }
      // `urn:…:User:attr` flattened keys, or an unknown schema.
      const cut = key.lastIndexOf(':');
      const target = resolveTarget(type, tenant, key.slice(0, cut), key.slice(cut + 1));
      setIn(target, normalizeValue(target.def, value, key));
      continue;
    }
    let target: AttrTarget;
    try {
      target = resolveTarget(type, tenant, undefined, key);
    } catch {
      continue; // unknown attributes are ignored on POST/PUT (RFC 7644 §3.3: the server may ignore them)
    }
    if (target.def?.readOnly) continue;
    setIn(target, normalizeValue(target.def, value, key));
  }
  return { data, ...(members !== undefined ? { members } : {}) };
}

/** Member references from a body or PATCH value: [{value, display?, type?}] or bare id strings. */
export function membersFrom(value: JsonValue | undefined): Member[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  const out: Member[] = [];
  for (const item of list) {
    if (item === null) continue;
    if (typeof item === 'string') {
      if (item.trim()) out.push({ value: item.trim() });
      continue;
    }
    if (!isObject(item)) throw badRequest('invalidValue', 'members must be objects such as {"value": "<user or group id>"}');
    const v = item.value;
    if (typeof v !== 'string' || !v.trim()) throw badRequest('invalidValue', 'each member needs "value": the id of a user or group');
    // Microsoft's collection sends `displayName` on members; RFC 7643 calls it `display`.
    const display = typeof item.display === 'string' ? item.display : typeof item.displayName === 'string' ? item.displayName : undefined;
    const t = typeof item.type === 'string' ? item.type : undefined;
    out.push({ value: v.trim(), ...(display ? { display } : {}), ...(t ? { type: t } : {}) });
  }
  return out;
}

export interface RenderContext {
  /** `${origin}/scim/${tenant}` (or the dry-run base). */
  baseUrl: string;
  groups?: Array<{ value: string; display?: string }>;
  members?: Member[];
}

export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/** The SCIM representation of a stored resource (no nulls, id and meta always, password never). */
export function renderResource(r: StoredResource, ctx: RenderContext): JsonObject {
  const schemas: JsonValue[] = [r.type === 'User' ? userSchema : groupSchema];
  const doc: JsonObject = { schemas, id: r.id };
  if (typeof r.data.externalId === 'string') doc.externalId = r.data.externalId;
  for (const [k, v] of Object.entries(r.data)) {
    if (k === 'externalId' || k === 'password') continue;
    if (k.startsWith('urn:')) schemas.push(k);
    doc[k] = v;
  }
  const resourcePath = r.type === 'User' ? 'Users' : 'Groups';
  if (r.type === 'User' && ctx.groups && ctx.groups.length) {
    doc.groups = ctx.groups.map((g) => ({ value: g.value, $ref: `${ctx.baseUrl}/Groups/${g.value}`, ...(g.display ? { display: g.display } : {}), type: 'direct' }));
  }
  if (r.type === 'Group' && ctx.members && ctx.members.length) {
    doc.members = ctx.members.map((m) => ({
      value: m.value,
      $ref: `${ctx.baseUrl}/${m.type === 'Group' ? 'Groups' : 'Users'}/${m.value}`,
      ...(m.display ? { display: m.display } : {}),
      ...(m.type ? { type: m.type } : {}),
    }));
  }
  doc.meta = { resourceType: r.type, created: r.created, lastModified: r.lastModified, location: `${ctx.baseUrl}/${resourcePath}/${r.id}`, version: etagOf(r.version) };
  return doc;
}

interface Projection {
  uri?: string;
  attr: string;
  sub?: string;
}

function parseAttributeList(list: string | undefined): Projection[] | undefined {
  if (list === undefined || list.trim() === '') return undefined;
  return list.split(',').map((raw) => {
    // `emails[type eq "work"]` (Microsoft's Postman collection) selects the whole attribute.
    const item = raw.trim().replace(/\[.*\]/, '');
    let uri: string | undefined;
    let rest = item;
    if (/^urn:/i.test(item)) {
      const cut = item.lastIndexOf(':');
      uri = item.slice(0, cut);
      rest = item.slice(cut + 1);
    }
    const [attr, sub] = rest.split('.');
    if (!attr) throw badRequest('invalidValue', `"${raw}" is not an attribute name in attributes/excludedAttributes`);
    return { ...(uri ? { uri } : {}), attr, ...(sub ? { sub } : {}) };
  });
}

function findKey(obj: JsonObject, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

/** Applies `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5); id and schemas are always returned. */
export function project(doc: JsonObject, attributes?: string, excludedAttributes?: string): JsonObject {
  const include = parseAttributeList(attributes);
  const exclude = parseAttributeList(excludedAttributes);
  if (include) {
    const out: JsonObject = { schemas: doc.schemas ?? [], id: doc.id ?? '' };
    for (const p of include) {
      // An extension URN on its own selects the whole extension.
      const whole = p.uri ? findKey(doc, `${p.uri}:${p.attr}`) : undefined;
      if (whole) {
        out[whole] = doc[whole]!;
        continue;
      }
      const container = p.uri && !/:core:2\.0:/i.test(p.uri) ? doc[findKey(doc, p.uri) ?? ''] : doc;
      if (!isObject(container)) continue;
      const key = findKey(container, p.attr);
      if (!key) continue;
      const target = p.uri && container !== doc ? ((out[findKey(doc, p.uri)!] ??= {}) as JsonObject) : out;
      const value = container[key]!;
      if (!p.sub) {
        target[key] = value;
      } else if (isObject(value)) {
        const sk = findKey(value, p.sub);
        if (sk) target[key] = { ...(isObject(target[key]) ? (target[key] as JsonObject) : {}), [sk]: value[sk]! };
      } else if (Array.isArray(value)) {
        target[key] = value.map((el) => {
          if (!isObject(el)) return el;
          const sk = findKey(el, p.sub!);
          return sk ? { [sk]: el[sk]! } : {};
        });
      }
    }
    return out;
  }
  if (exclude) {
    const out: JsonObject = { ...doc };
    for (const p of exclude) {
      const whole = p.uri ? findKey(out, `${p.uri}:${p.attr}`) : undefined;
      if (whole) {
        delete out[whole];
        continue;
      }
      const container = p.uri && !/:core:2\.0:/i.test(p.uri) ? out[findKey(out, p.uri) ?? ''] : out;
      if (!isObject(container)) continue;
      const key = findKey(container, p.attr);
      if (!key || key === 'id' || key === 'schemas') continue;
      if (!p.sub) {
        if (container === out) delete out[key];
        else {
          const ek = findKey(out, p.uri!)!;
          const copy = { ...container };
          delete copy[key];
          out[ek] = copy;
        }
      }
    }
    return out;
  }
  return doc;
}
