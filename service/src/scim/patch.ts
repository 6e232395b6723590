// PATCH (RFC 7644 §3.5.2) with every Entra behaviour of the reference (§1.2, §1.3): ops in any case,
// no-path add/replace with dotted and URN keys, value-path add that creates the element, "True"/"False"
// strings, bare-string manager, JSON-encoded roles, unchanged values as no-ops. Group members are
// returned as separate operations so they cost O(change) against the members table.
import { matchesFilter, type AttrPath, type Filter, type JsonObject, type JsonValue, type Member, type ResourceType, type Tenant } from '../storage/contract.js';
import { badRequest } from './errors.js';
import { parseStoragePath } from '../filter/index.js';
import { extensionUri, isObject, membersFrom, normalizeValue, resolveTarget, type AttrTarget } from './resources.js';
import { subAttr, type AttrDef } from './schema.js';

export type PatchOpName = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  op: PatchOpName;
  path?: string;
  value?: JsonValue;
}

export type MemberChange =
  | { kind: 'add'; members: Member[] }
  | { kind: 'remove'; values: string[] }
  | { kind: 'removeAll' }
  | { kind: 'removeWhere'; filter: Filter };

export interface PatchResult {
  data: JsonObject;
  memberChanges: MemberChange[];
}

/**
 * True when every operation only adds or removes group members (`members`, `members[…]`, or a no-path value whose
 * only attribute is members): the group's own attributes stay as they are.
 */
export function changesOnlyMembers(ops: PatchOperation[]): boolean {
  return ops.every((op) => {
    if (op.path !== undefined) return /^members(\[|\.|$)/i.test(op.path.trim());
    return isObject(op.value) && Object.keys(op.value).length > 0 && Object.keys(op.value).every((k) => k.toLowerCase() === 'members');
  });
}

/** Validates the PatchOp envelope; op names are matched case-insensitively (Entra sends "Add", "Replace", "Remove"). */
export function parsePatchBody(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw badRequest('invalidSyntax', 'the PATCH body must be a JSON object {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [...]}');
  const opsKey = Object.keys(body).find((k) => k.toLowerCase() === 'operations');
  const ops = opsKey ? body[opsKey] : undefined;
  if (!Array.isArray(ops) || ops.length === 0) throw badRequest('invalidSyntax', 'the PATCH body needs a non-empty "Operations" array');
  return ops.map((raw, i) => {
    if (!isObject(raw)) throw badRequest('invalidSyntax', `Operations[${i}] must be an object with "op", optional "path" and "value"`);
    const get = (name: string) => raw[Object.keys(raw).find((k) => k.toLowerCase() === name) ?? ''];
    const op = get('op');
    if (typeof op !== 'string' || !/^(add|replace|remove)$/i.test(op)) {
      throw badRequest('invalidSyntax', `Operations[${i}].op must be add, replace or remove (any case), got ${JSON.stringify(op ?? null)}`);
    }
    const path = get('path');
    if (path !== undefined && path !== null && typeof path !== 'string') throw badRequest('invalidPath', `Operations[${i}].path must be a string`);
    const value = get('value');
    return { op: op.toLowerCase() as PatchOpName, ...(typeof path === 'string' && path.trim() !== '' ? { path } : {}), ...(value !== undefined ? { value } : {}) };
  });
}

function clone<T extends JsonValue>(v: T): T {
  return structuredClone(v);
}

function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `type eq "work" and primary eq "True"` → { type: "work", primary: true } (the element a value-path add creates). */
function equalities(filter: Filter, def: AttrDef, out: JsonObject = {}): JsonObject {
  if (filter.kind === 'and') {
    equalities(filter.left, def, out);
    equalities(filter.right, def, out);
  } else if (filter.kind === 'compare' && filter.op === 'eq' && !filter.path.sub && !filter.path.filter && filter.value !== null) {
    const sub = subAttr(def, filter.path.attr);
    const name = sub?.name ?? filter.path.attr;
    const v = normalizeValue(sub, filter.value, name);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Element ids of `members[value eq "a" or value eq "b"]`, or null when the filter is anything else. */
function memberIdsOf(filter: Filter): string[] | null {
  if (filter.kind === 'or') {
    const l = memberIdsOf(filter.left);
    const r = memberIdsOf(filter.right);
    return l && r ? [...l, ...r] : null;
  }
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.path.attr.toLowerCase() === 'value' && !filter.path.sub && typeof filter.value === 'string') return [filter.value];
  return null;
}

class Patcher {
  readonly memberChanges: MemberChange[] = [];
  constructor(
    readonly type: ResourceType,
    readonly tenant: Tenant,
    readonly data: JsonObject,
  ) {}

  private container(target: AttrTarget, create: boolean): JsonObject | undefined {
    if (!target.ext) return this.data;
    const existing = this.data[target.ext];
    if (isObject(existing)) return existing;
    if (!create) return undefined;
    const fresh: JsonObject = {};
    this.data[target.ext] = fresh;
    return fresh;
  }

  private cleanup(target: AttrTarget): void {
    const c = this.container(target, false);
    if (!c) return;
    const v = c[target.name];
    if (v !== undefined && ((Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0))) delete c[target.name];
    if (target.ext && Object.keys(c).length === 0) delete this.data[target.ext];
  }

  /** Multi-valued attribute arrays of the document (core and extensions). */
  private multiValuedLists(): JsonValue[][] {
    const lists: JsonValue[][] = [];
    const scan = (obj: JsonObject) => {
      for (const [k, v] of Object.entries(obj)) {
        if (Array.isArray(v)) lists.push(v);
        else if (k.startsWith('urn:') && isObject(v)) scan(v);
      }
    };
    scan(this.data);
    return lists;
  }

  apply(op: PatchOperation, index: number): void {
    // RFC 7643 §2.4: `primary: true` appears at most once per attribute; an element made primary by this
    // operation takes it from the elements that had it before.
    const primaryBefore = new Set<JsonObject>();
    for (const list of this.multiValuedLists()) for (const el of list) if (isObject(el) && el.primary === true) primaryBefore.add(el);
    this.applyOne(op, index);
    for (const list of this.multiValuedLists()) {
      const objects = list.filter(isObject);
      if (objects.some((el) => el.primary === true && !primaryBefore.has(el))) {
        for (const el of objects) if (el.primary === true && primaryBefore.has(el)) el.primary = false;
      }
    }
  }

  private applyOne(op: PatchOperation, index: number): void {
    const where = `Operations[${index}]`;
    if (!op.path) {
      if (op.op === 'remove') throw badRequest('noTarget', `${where}: remove needs a "path" naming what to remove`);
      if (!isObject(op.value)) throw badRequest('invalidValue', `${where}: an ${op.op} without "path" needs an object "value" of attributes`);
      for (const [key, value] of Object.entries(op.value)) this.applyNoPathKey(op.op, key, value, where);
      return;
    }
    this.applyPath(op.op, parseStoragePath(op.path), op.value, where, op.path);
  }

  /** One key of a no-path value object: `displayName`, `name.givenName`, `urn:…:User:employeeNumber`, or an extension URN with an object. */
  private applyNoPathKey(op: PatchOpName, key: string, value: JsonValue, where: string): void {
    if (/^urn:/i.test(key) && isObject(value)) {
      const cut = key.lastIndexOf(':');
      const asWhole = resolveExtension(this.type, this.tenant, key);
      if (asWhole) {
        for (const [k, v] of Object.entries(value)) this.applyPath(op, { uri: asWhole, ...splitDotted(k) }, v, where, `${key}:${k}`);
        return;
      }
      this.applyPath(op, { uri: key.slice(0, cut), ...splitDotted(key.slice(cut + 1)) }, value, where, key);
      return;
    }
    let path: AttrPath;
    if (/^urn:/i.test(key)) {
      const cut = key.lastIndexOf(':');
      path = { uri: key.slice(0, cut), ...splitDotted(key.slice(cut + 1)) };
    } else {
      path = splitDotted(key);
    }
    this.applyPath(op, path, value, where, key);
  }

  private applyPath(op: PatchOpName, path: AttrPath, value: JsonValue | undefined, where: string, pathText: string): void {
    const lowerAttr = path.attr.toLowerCase();
    if (lowerAttr === 'id' || lowerAttr === 'meta' || lowerAttr === 'schemas') {
      throw badRequest('mutability', `${where}: "${pathText}" is read-only and cannot be changed`);
    }
    // An extension URN as the whole path: `urn:…:enterprise:2.0:User` with an object value.
    const whole = path.uri ? resolveExtension(this.type, this.tenant, `${path.uri}:${path.attr}`) : undefined;
    if (whole && !path.sub && !path.filter) {
      if (op === 'remove') {
        delete this.data[whole];
        return;
      }
      if (!isObject(value)) throw badRequest('invalidValue', `${where}: a value for ${whole} must be an object of its attributes`);
      for (const [k, v] of Object.entries(value)) this.applyPath(op, { uri: whole, ...splitDotted(k) }, v, where, `${whole}:${k}`);
      return;
    }
    const target = resolveTarget(this.type, this.tenant, path.uri, path.attr);
    if (target.def?.readOnly) throw badRequest('mutability', `${where}: "${pathText}" is read-only (it is derived from group memberships)`);
    if (this.type === 'Group' && target.name === 'members' && !target.ext) return this.applyMembers(op, path, value, where, pathText);
    const def = target.def;

    if (path.filter) {
      if (def && !def.multiValued) throw badRequest('invalidPath', `${where}: "${pathText}": a [filter] applies only to multi-valued attributes`);
      return this.applyFiltered(op, target, path.filter, path.sub, value, where, pathText);
    }
    if (path.sub) {
      if (def && def.type !== 'complex') throw badRequest('invalidPath', `${where}: "${path.attr}" has no sub-attribute "${path.sub}"`);
      const subDef = def ? subAttr(def, path.sub) : undefined;
      if (def && !subDef) throw badRequest('invalidPath', `${where}: "${def.name}" has no sub-attribute "${path.sub}"`);
      const subName = subDef?.name ?? path.sub;
      const c = this.container(target, op !== 'remove');
      if (!c) return;
      if (def?.multiValued) {
        const list = Array.isArray(c[target.name]) ? (c[target.name] as JsonValue[]) : [];
        const v = op === 'remove' ? undefined : normalizeValue(subDef, value, `${target.name}.${subName}`);
        if (list.length === 0 && v !== undefined) c[target.name] = [{ [subName]: v }];
        for (const el of list) if (isObject(el)) v === undefined ? delete el[subName] : (el[subName] = v);
      } else {
        const obj = isObject(c[target.name]) ? (c[target.name] as JsonObject) : {};
        const v = op === 'remove' ? undefined : normalizeValue(subDef, value, `${target.name}.${subName}`);
        if (v === undefined) delete obj[subName];
        else obj[subName] = v;
        c[target.name] = obj;
      }
      this.cleanup(target);
      return;
    }

    const c = this.container(target, op !== 'remove');
    if (!c) return;
    if (op === 'remove') {
      if (def?.multiValued && value !== undefined && value !== null && Array.isArray(c[target.name])) {
        // Remove with a value array: drop the elements whose value matches any given one (OR) [reference §1.2].
        const drop = new Set(membersFrom(value).map((m) => m.value));
        c[target.name] = (c[target.name] as JsonValue[]).filter((el) => !(isObject(el) && typeof el.value === 'string' && drop.has(el.value)));
      } else {
        delete c[target.name];
      }
      this.cleanup(target);
      return;
    }
    const v = normalizeValue(def, value, pathText);
    if (v === undefined) {
      // Replace (or add) with an empty value clears it: Entra's "remove manager" is Replace with empty [reference §1.2].
      delete c[target.name];
    } else if (def?.multiValued && op === 'add') {
      const existing = Array.isArray(c[target.name]) ? (c[target.name] as JsonValue[]) : [];
      const merged = [...existing];
      for (const el of v as JsonValue[]) if (!merged.some((e) => deepEqual(e, el))) merged.push(el);
      c[target.name] = merged;
    } else if (def && def.type === 'complex' && !def.multiValued && isObject(v) && isObject(c[target.name])) {
      c[target.name] = { ...(c[target.name] as JsonObject), ...v };
    } else {
      c[target.name] = v;
    }
    this.cleanup(target);
  }

  private applyFiltered(op: PatchOpName, target: AttrTarget, filter: Filter, sub: string | undefined, value: JsonValue | undefined, where: string, pathText: string): void {
    const def = target.def;
    const subDef = def && sub ? subAttr(def, sub) : undefined;
    if (def && sub && !subDef) throw badRequest('invalidPath', `${where}: "${def.name}" has no sub-attribute "${sub}"`);
    const subName = subDef?.name ?? sub;
    const c = this.container(target, op !== 'remove');
    if (!c) return;
    const list = Array.isArray(c[target.name]) ? (c[target.name] as JsonValue[]) : [];
    const matches = list.filter((el): el is JsonObject => isObject(el) && matchesFilter(el, filter));
    if (op === 'remove') {
      // Removing from an attribute that has no matching element is a no-op (Entra re-sends removals).
      if (matches.length === 0) return;
      if (subName) for (const el of matches) delete el[subName];
      const kept = subName ? list : list.filter((el) => !matches.includes(el as JsonObject));
      c[target.name] = kept.filter((el) => !(isObject(el) && Object.keys(el).length === 0));
      this.cleanup(target);
      return;
    }
    let newValue: JsonValue | undefined;
    if (subName) newValue = normalizeValue(subDef, value, `${pathText}`);
    else if (value !== undefined && value !== null) {
      if (!isObject(value)) throw badRequest('invalidValue', `${where}: "${pathText}" selects elements; the value must be an object of their sub-attributes`);
      newValue = def ? normalizeValue({ ...def, multiValued: false }, value, pathText) : value;
    }
    if (matches.length === 0) {
      // Add (and, leniently, replace) on a value path whose element does not exist yet creates it [reference §1.2, MS Q&A 120490].
      if (newValue === undefined) return;
      const el: JsonObject = def ? equalities(filter, def) : {};
      if (subName) el[subName] = newValue;
      else Object.assign(el, newValue as JsonObject);
      c[target.name] = [...list, el];
      return;
    }
    for (const el of matches) {
      if (subName) {
        if (newValue === undefined) delete el[subName];
        else el[subName] = newValue;
      } else if (isObject(newValue)) {
        if (op === 'replace') {
          for (const k of Object.keys(el)) delete el[k];
          Object.assign(el, equalities(filter, def ?? { name: '', type: 'complex' }), newValue);
        } else Object.assign(el, newValue);
      }
    }
    c[target.name] = list.filter((el) => !(isObject(el) && Object.keys(el).length === 0));
    this.cleanup(target);
  }

  private applyMembers(op: PatchOpName, path: AttrPath, value: JsonValue | undefined, where: string, pathText: string): void {
    if (path.sub && !path.filter) throw badRequest('invalidPath', `${where}: "${pathText}": change members as a whole ("members") or by filter ("members[value eq \\"id\\"]")`);
    if (path.filter) {
      if (op !== 'remove') throw badRequest('invalidPath', `${where}: "${pathText}": only remove supports a members filter; use add with path "members" and a value array`);
      const ids = memberIdsOf(path.filter);
      this.memberChanges.push(ids ? { kind: 'remove', values: ids } : { kind: 'removeWhere', filter: path.filter });
      return;
    }
    if (op === 'remove') {
      // Entra's legacy removal: path "members" with a value array, several values meaning OR [reference §1.2].
      if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) this.memberChanges.push({ kind: 'removeAll' });
      else this.memberChanges.push({ kind: 'remove', values: membersFrom(value).map((m) => m.value) });
      return;
    }
    const members = membersFrom(value);
    if (op === 'replace') this.memberChanges.push({ kind: 'removeAll' });
    if (members.length) this.memberChanges.push({ kind: 'add', members });
  }
}

function splitDotted(key: string): AttrPath {
  const [attr, ...rest] = key.split('.');
  return { attr: attr!, ...(rest.length ? { sub: rest.join('.') } : {}) };
}

function resolveExtension(type: ResourceType, tenant: Tenant, uri: string): string | undefined {
  return extensionUri(uri, type, tenant);
}

/** Applies all operations to a copy of `data`; throws a ScimError (nothing applied) on the first bad one. */
export function applyPatch(type: ResourceType, tenant: Tenant, data: JsonObject, ops: PatchOperation[]): PatchResult {
  const patcher = new Patcher(type, tenant, clone(data));
  ops.forEach((op, i) => patcher.apply(op, i));
  return { data: patcher.data, memberChanges: patcher.memberChanges };
}

export function sameData(a: JsonObject, b: JsonObject): boolean {
  return deepEqual(a, b);
}
