// Target attribute names of the customappsso directory (`userName`, `name.givenName`,
// `emails[type eq "work"].value`, `urn:…:enterprise:2.0:User:manager`) read from and written into
// SCIM resources (mapping-expressions.md §6).

export interface TargetPath {
  /** The full target attribute name as the mapping spells it. */
  text: string;
  /** Extension schema URN, when the attribute lives in an extension object. */
  schema: string | null;
  attribute: string;
  /** `[type eq "work"]` style selector of one element of a multi-valued attribute. */
  selector: { key: string; value: string } | null;
  sub: string | null;
}

const URN = /^(urn:[^\s]+):([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?$/;
const VALUE_PATH = /^([A-Za-z_][\w-]*)\[\s*([A-Za-z_][\w-]*)\s+eq\s+"([^"]*)"\s*\](?:\.([A-Za-z_][\w-]*))?$/i;
const DOTTED = /^([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?$/;

const cache = new Map<string, TargetPath>();

export function parseTargetPath(text: string): TargetPath {
  const hit = cache.get(text);
  if (hit) return hit;
  let path: TargetPath;
  const urn = URN.exec(text);
  const valuePath = urn ? null : VALUE_PATH.exec(text);
  const dotted = urn || valuePath ? null : DOTTED.exec(text);
  if (urn) path = { text, schema: urn[1], attribute: urn[2], selector: null, sub: urn[3] ?? null };
  else if (valuePath) path = { text, schema: null, attribute: valuePath[1], selector: { key: valuePath[2], value: valuePath[3] }, sub: valuePath[4] ?? null };
  else if (dotted) path = { text, schema: null, attribute: dotted[1], selector: null, sub: dotted[2] ?? null };
  else throw new Error(`'${text}' is not a SCIM attribute path the emulator understands (use attr, attr.sub, attr[type eq "x"].sub or urn:…:attr).`);
  cache.set(text, path);
  return path;
}

type Json = Record<string, unknown>;

const sameSelector = (element: unknown, selector: { key: string; value: string }): boolean => {
  if (!element || typeof element !== 'object') return false;
  const v = (element as Json)[selector.key];
  return v !== undefined && v !== null && String(v).toLowerCase() === selector.value.toLowerCase();
};

/** Reads a target attribute from a SCIM resource; complex references (`{value}`) read as their value. */
export function readPath(resource: Json, path: TargetPath): unknown {
  const container = path.schema ? (resource[path.schema] as Json | undefined) : resource;
  if (!container || typeof container !== 'object') return undefined;
  let value = findKey(container, path.attribute);
  if (path.selector) {
    if (!Array.isArray(value)) return undefined;
    value = value.find((e) => sameSelector(e, path.selector!));
  }
  if (path.sub) return value && typeof value === 'object' ? findKey(value as Json, path.sub) : undefined;
  if (value && typeof value === 'object' && !Array.isArray(value) && 'value' in (value as Json)) return (value as Json).value;
  return value;
}

function findKey(obj: Json, key: string): unknown {
  if (key in obj) return obj[key];
  const lower = key.toLowerCase();
  const k = Object.keys(obj).find((x) => x.toLowerCase() === lower);
  return k === undefined ? undefined : obj[k];
}

/** Writes a value the way Entra's POST bodies carry it (emails get `primary: true`, roles get Entra's role type). */
export function writePath(resource: Json, path: TargetPath, value: unknown): void {
  let container: Json = resource;
  if (path.schema) {
    container = (resource[path.schema] as Json | undefined) ?? {};
    resource[path.schema] = container;
  }
  if (!path.selector) {
    if (path.sub) {
      const parent = (container[path.attribute] as Json | undefined) ?? {};
      parent[path.sub] = value;
      container[path.attribute] = parent;
    } else {
      container[path.attribute] = value;
    }
    return;
  }
  const list = (container[path.attribute] as Json[] | undefined) ?? [];
  container[path.attribute] = list;
  let element = list.find((e) => sameSelector(e, path.selector!));
  if (!element) {
    element = selectorElement(path);
    list.push(element);
  }
  element[path.sub ?? 'value'] = value;
}

function selectorElement(path: TargetPath): Json {
  const { key, value } = path.selector!;
  if (key.toLowerCase() === 'primary') {
    const primary = value.toLowerCase() === 'true';
    return path.attribute === 'roles' ? { primary, type: 'WindowsAzureActiveDirectoryRole' } : { primary };
  }
  if (path.attribute === 'emails' && value === 'work') return { primary: true, type: value };
  return { type: value };
}
