// In-memory filter evaluation over a SCIM resource as returned to clients (core attributes at the top level,
// extension attributes under their schema URN key). Used for attributes the storage engines do not index.
//
// Semantics (RFC 7644 §3.4.2.2 where it speaks, documented choices where it does not):
// - attribute names and schema URNs match case-insensitively;
// - string comparisons honour the attribute's `caseExact` (unknown attributes: case-insensitive, the RFC default);
// - a multi-valued attribute matches when any value matches; a multi-valued complex attribute without a
//   sub-attribute compares its `value` sub-attribute (`emails co "@x"`);
// - boolean attributes accept "True"/"False"/"true"/"false" strings on either side (Entra sends
//   `roles[primary eq "True"]`, reference §1.3), also when the attribute type is unknown;
// - dateTime attributes compare as instants; `gt/ge/lt/le` on booleans or complex values → ScimFilterError;
// - `ne` is the negation of `eq`; `eq null` matches an absent attribute; `pr` needs a non-empty value.

import type { AttributePath, CompareOperator, Filter, FilterValue } from './ast.js';
import { ScimFilterError } from './errors.js';
import { formatAttributePath } from './format.js';
import type { AttributeDefinition, ResourceSchemaInfo } from '../discovery/types.js';

type JsonObject = Record<string, unknown>;

/** Where names are looked up: the attributes at this level, plus extension schemas (top level only). */
interface Scope {
  readonly attributes: readonly AttributeDefinition[];
  readonly coreSchemaId?: string;
  readonly extensions: readonly { readonly id: string; readonly attributes: readonly AttributeDefinition[] }[];
}

function scopeOf(info: ResourceSchemaInfo): Scope {
  return {
    attributes: [...info.common, ...info.core.attributes],
    coreSchemaId: info.core.id,
    extensions: info.extensions,
  };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function getKey(object: JsonObject, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return object[key];
  return undefined;
}

function findDefinition(attributes: readonly AttributeDefinition[] | undefined, name: string): AttributeDefinition | undefined {
  if (!attributes) return undefined;
  const lower = name.toLowerCase();
  return attributes.find((a) => a.name.toLowerCase() === lower);
}

/** The attribute definition a path points at (sub-attribute included), or undefined when the schema does not know it. */
export function resolveAttribute(info: ResourceSchemaInfo, path: AttributePath): AttributeDefinition | undefined {
  return resolveIn(scopeOf(info), path).definition;
}

interface Resolved {
  /** The object holding the attribute, or undefined when the extension is absent. */
  readonly container: (resource: JsonObject) => unknown;
  readonly definition: AttributeDefinition | undefined;
  readonly parent: AttributeDefinition | undefined;
}

function resolveIn(scope: Scope, path: AttributePath): Resolved {
  let attributes = scope.attributes;
  let container: (resource: JsonObject) => unknown = (r) => r;
  if (path.schema !== undefined) {
    const schema = path.schema.toLowerCase();
    if (scope.coreSchemaId === undefined || schema !== scope.coreSchemaId.toLowerCase()) {
      const extension = scope.extensions.find((e) => e.id.toLowerCase() === schema);
      attributes = extension?.attributes ?? [];
      const key = extension?.id ?? path.schema;
      container = (r) => getKey(r, key);
    }
  } else if (!findDefinition(attributes, path.attribute)) {
    // Unqualified name not in the core schema: use the one extension that defines it, if exactly one does.
    const owners = scope.extensions.filter((e) => findDefinition(e.attributes, path.attribute));
    if (owners.length === 1) {
      attributes = owners[0].attributes;
      const key = owners[0].id;
      container = (r) => getKey(r, key);
    }
  }
  const top = findDefinition(attributes, path.attribute);
  if (path.subAttribute === undefined) return { container, definition: top, parent: undefined };
  return { container, definition: findDefinition(top?.subAttributes, path.subAttribute), parent: top };
}

/** Flattened primitive values at `path` (arrays expanded; complex multi-valued without sub-attribute → `.value`). */
function valuesAt(resource: JsonObject, path: AttributePath, resolved: Resolved): { values: unknown[]; definition: AttributeDefinition | undefined } {
  const holder = resolved.container(resource);
  if (!isObject(holder)) return { values: [], definition: resolved.definition };
  const raw = getKey(holder, path.attribute);
  const items = Array.isArray(raw) ? raw : [raw];
  if (path.subAttribute !== undefined) {
    const sub = path.subAttribute;
    const values = items.flatMap((item) => {
      if (!isObject(item)) return [];
      const v = getKey(item, sub);
      return Array.isArray(v) ? v : [v];
    });
    return { values: values.filter((v) => v !== undefined && v !== null), definition: resolved.definition };
  }
  const complexList = items.some(isObject) && Array.isArray(raw);
  if (complexList) {
    const values = items.map((item) => (isObject(item) ? getKey(item, 'value') : undefined));
    return {
      values: values.filter((v) => v !== undefined && v !== null),
      definition: findDefinition(resolved.definition?.subAttributes, 'value') ?? undefined,
    };
  }
  return { values: items.filter((v) => v !== undefined && v !== null), definition: resolved.definition };
}

function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

function ordered(operator: CompareOperator, order: number): boolean {
  switch (operator) {
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
    default:
      return order === 0;
  }
}

function compareOne(
  actual: unknown,
  operator: CompareOperator,
  expected: FilterValue,
  definition: AttributeDefinition | undefined,
  label: string,
): boolean {
  const type = definition?.type;
  if (type === 'complex' || isObject(actual) || Array.isArray(actual)) {
    throw new ScimFilterError(`Invalid filter: "${label}" is a complex attribute; compare one of its sub-attributes`);
  }
  if (type === 'boolean' || typeof actual === 'boolean' || typeof expected === 'boolean') {
    const a = toBoolean(actual);
    const e = toBoolean(expected);
    if (operator !== 'eq') {
      throw new ScimFilterError(`Invalid filter: operator "${operator}" is not defined for the boolean attribute "${label}"`);
    }
    return a !== undefined && a === e;
  }
  if (type === 'dateTime' && typeof expected === 'string' && !['co', 'sw', 'ew'].includes(operator)) {
    const e = Date.parse(expected);
    if (!Number.isFinite(e)) {
      throw new ScimFilterError(`Invalid filter: "${expected}" is not a dateTime (attribute "${label}"); use e.g. "2024-05-13T04:42:34Z"`);
    }
    const a = typeof actual === 'string' ? Date.parse(actual) : Number.NaN;
    if (Number.isFinite(a)) return ordered(operator, a - e);
  }
  if (typeof actual === 'number' && typeof expected === 'number' && !['co', 'sw', 'ew'].includes(operator)) {
    return ordered(operator, actual - expected);
  }
  if (expected === null) return false;
  let a = String(actual);
  let e = String(expected);
  if (!(definition?.caseExact ?? false)) {
    a = a.toLowerCase();
    e = e.toLowerCase();
  }
  switch (operator) {
    case 'co':
      return a.includes(e);
    case 'sw':
      return a.startsWith(e);
    case 'ew':
      return a.endsWith(e);
    default:
      return ordered(operator, a < e ? -1 : a > e ? 1 : 0);
  }
}

function isPresent(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.length > 0;
  if (Array.isArray(value)) return value.some(isPresent);
  if (isObject(value)) return Object.values(value).some(isPresent);
  return true;
}

function compareAt(resource: JsonObject, scope: Scope, path: AttributePath, operator: CompareOperator, expected: FilterValue): boolean {
  const label = formatAttributePath(path);
  if (operator === 'ne') return !compareAt(resource, scope, path, 'eq', expected);
  const { values, definition } = valuesAt(resource, path, resolveIn(scope, path));
  if (expected === null) {
    if (operator === 'eq') return !values.some(isPresent);
    throw new ScimFilterError(`Invalid filter: null can only be compared with "eq" or "ne" (attribute "${label}")`);
  }
  // A complex attribute compared as a whole without a sub-attribute (e.g. `name eq "x"`) is a client mistake.
  return values.some((value) => compareOne(value, operator, expected, definition, label));
}

function evaluate(resource: JsonObject, filter: Filter, scope: Scope): boolean {
  switch (filter.kind) {
    case 'and':
      return evaluate(resource, filter.left, scope) && evaluate(resource, filter.right, scope);
    case 'or':
      return evaluate(resource, filter.left, scope) || evaluate(resource, filter.right, scope);
    case 'not':
      return !evaluate(resource, filter.filter, scope);
    case 'present': {
      const resolved = resolveIn(scope, filter.path);
      const holder = resolved.container(resource);
      if (!isObject(holder)) return false;
      const raw = getKey(holder, filter.path.attribute);
      if (filter.path.subAttribute === undefined) return isPresent(raw);
      const sub = filter.path.subAttribute;
      const items = Array.isArray(raw) ? raw : [raw];
      return items.some((item) => isObject(item) && isPresent(getKey(item, sub)));
    }
    case 'compare':
      return compareAt(resource, scope, filter.path, filter.operator, filter.value);
    case 'valuePath': {
      const resolved = resolveIn(scope, filter.path);
      const holder = resolved.container(resource);
      if (!isObject(holder)) return false;
      const raw = getKey(holder, filter.path.attribute);
      const elements = (Array.isArray(raw) ? raw : [raw]).filter(isObject);
      const elementScope: Scope = { attributes: resolved.definition?.subAttributes ?? [], extensions: [] };
      const then = filter.then;
      return elements.some((element) => {
        if (!evaluate(element, filter.filter, elementScope)) return false;
        if (then === undefined) return true;
        const subPath: AttributePath = { attribute: then.subAttribute };
        if (then.operator === 'pr') return isPresent(getKey(element, then.subAttribute));
        return compareAt(element, elementScope, subPath, then.operator, then.value);
      });
    }
  }
}

/**
 * Does `resource` match `filter`? Throws ScimFilterError for comparisons the schema does not allow
 * (ordering booleans, comparing a complex attribute as a whole).
 */
export function matchesFilter(resource: Record<string, unknown>, filter: Filter, schemaInfo: ResourceSchemaInfo): boolean {
  return evaluate(resource, filter, scopeOf(schemaInfo));
}
