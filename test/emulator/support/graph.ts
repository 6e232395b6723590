// Test helpers: a tiny Graph client over real HTTP, and validation of bodies against the OpenAPI
// subset built from Microsoft's CSDL (/work/shared/reference/graph-synchronization.openapi.json).
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

export interface GraphResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export function graphClient(url: string, token: string | null = 'local-test-token') {
  return async function graph<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<GraphResponse<T>> {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const target = path.startsWith('http') ? path : `${url}/v1.0${path}`;
    const res = await fetch(target, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
  };
}

/** A copy of shared/reference/graph-synchronization.openapi.json (provenance in the .SOURCE.md next to it). */
const SPEC_PATH = new URL('../fixtures/graph-synchronization.openapi.json', import.meta.url);

interface OpenApi { components: { schemas: Record<string, unknown> } }

function loadSpec(): OpenApi {
  const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as OpenApi;
  // The generated schemas mark `@odata.type` required on every type, yet Graph omits it whenever the
  // instance has exactly the declared type (the documented samples do too); drop that one requirement.
  const strip = (node: unknown): void => {
    if (Array.isArray(node)) { node.forEach(strip); return; }
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    // Flag enums (`x-ms-enum-flags`) travel as comma-separated combinations: "Add, Update, Delete".
    if (Array.isArray(o.enum) && (o['x-ms-enum-flags'] as { isFlags?: boolean } | undefined)?.isFlags) {
      const names = (o.enum as string[]).join('|');
      o.pattern = `^(${names})(\\s*,\\s*(${names}))*$`;
      delete o.enum;
    }
    if (Array.isArray(o.required)) {
      o.required = (o.required as string[]).filter((r) => r !== '@odata.type');
      if ((o.required as string[]).length === 0) delete o.required;
    }
    for (const v of Object.values(o)) strip(v);
  };
  strip(spec.components);
  return spec;
}

let ajv: Ajv | null = null;
const compiled = new Map<string, ValidateFunction>();

/** Validates `data` against `#/components/schemas/microsoft.graph.<name>`; returns readable errors. */
export function graphSchemaErrors(name: string, data: unknown): string[] {
  if (!ajv) {
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: 'graph', components: loadSpec().components });
  }
  const ref = `graph#/components/schemas/${name.startsWith('microsoft.graph.') ? name : `microsoft.graph.${name}`}`;
  let validate = compiled.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: ref });
    compiled.set(ref, validate);
  }
  if (validate(data)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
