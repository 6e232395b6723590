// Reads provisioned objects back from the SCIM service with its bearer token, and resolves the target
// attribute paths Entra's mappings use (`emails[type eq "work"].value`, `name.givenName`,
// `urn:…:enterprise:2.0:User:department`) against a SCIM resource.
import { CliError, ExitCode } from './cli/errors.js';

export type ScimResource = Record<string, unknown> & { id?: string };

export interface ScimReader {
  find(resourceType: 'Users' | 'Groups', attribute: string, value: string): Promise<ScimResource | null>;
  get(resourceType: 'Users' | 'Groups', id: string): Promise<ScimResource | null>;
}

export function scimReader(tenantUrl: string, token: string): ScimReader {
  const base = new URL(tenantUrl);
  base.search = ''; // the ?aadOptscim062020 feature flag is for Entra, not for our reads
  const root = base.toString().replace(/\/+$/, '');
  async function request(path: string): Promise<{ status: number; body: unknown }> {
    let res: Response;
    try {
      res = await fetch(`${root}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/scim+json' } });
    } catch (error) {
      throw new CliError(`The SCIM service at ${root} could not be reached (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}).`, {
        exitCode: ExitCode.remote,
        code: 'ScimUnreachable',
        fix: 'Check --tenant-url and that the SCIM service is running.',
      });
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403) {
      throw new CliError(`The SCIM service refused the token (HTTP ${res.status}).`, { exitCode: ExitCode.auth, code: 'ScimUnauthorized', fix: 'Pass the same token Entra uses (--token-file, SCIM_TOKEN or --token-secret-uri).' });
    }
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    return { status: res.status, body };
  }
  return {
    async find(resourceType, attribute, value) {
      const filter = `${attribute} eq "${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
      const { status, body } = await request(`/${resourceType}?${new URLSearchParams({ filter }).toString()}`);
      if (status !== 200) throw new CliError(`The SCIM service answered HTTP ${status} to GET /${resourceType}?filter=${filter}.`, { exitCode: ExitCode.remote, code: 'ScimBadResponse', fix: 'Check the SCIM service logs.' });
      const resources = (body as { Resources?: ScimResource[] })?.Resources ?? [];
      return resources[0] ?? null;
    },
    async get(resourceType, id) {
      const { status, body } = await request(`/${resourceType}/${encodeURIComponent(id)}`);
      if (status === 404) return null;
      if (status !== 200) throw new CliError(`The SCIM service answered HTTP ${status} to GET /${resourceType}/${id}.`, { exitCode: ExitCode.remote, code: 'ScimBadResponse', fix: 'Check the SCIM service logs.' });
      return body as ScimResource;
    },
  };
}

const lower = (s: string): string => s.toLowerCase();

function getCaseInsensitive(obj: unknown, key: string): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const record = obj as Record<string, unknown>;
  if (key in record) return record[key];
  const found = Object.keys(record).find((k) => lower(k) === lower(key));
  return found === undefined ? undefined : record[found];
}

function sameScalar(a: unknown, b: string): boolean {
  return lower(String(a)) === lower(b);
}

/** The value at a mapping target path in a SCIM resource; undefined when absent. */
export function valueAtPath(resource: ScimResource, path: string): unknown {
  let current: unknown = resource;
  let rest = path;
  // Extension attributes: `urn:…:User:attr` → resource["urn:…:User"].attr
  const urn = /^(urn:[^[\]]+):([^:[\]]+(?:\[.*\])?(?:\.[^:]+)?)$/i.exec(path);
  if (urn && lower(urn[1]) !== 'urn:ietf:params:scim:schemas:core:2.0:user' && lower(urn[1]) !== 'urn:ietf:params:scim:schemas:core:2.0:group') {
    current = getCaseInsensitive(resource, urn[1]);
    rest = urn[2];
  } else if (urn) {
    rest = urn[2];
  }
  const segment = /^([^.[\]]+)(?:\[([^\]]+)\])?(?:\.(.+))?$/.exec(rest);
  if (!segment) return undefined;
  const [, name, filter, sub] = segment;
  let value = getCaseInsensitive(current, name);
  if (filter) {
    const f = /^\s*(\w+)\s+eq\s+"?([^"]*)"?\s*$/i.exec(filter);
    if (!f || !Array.isArray(value)) return undefined;
    value = value.find((item) => sameScalar(getCaseInsensitive(item, f[1]), f[2]));
  }
  if (sub) return value === undefined ? undefined : valueAtPath(value as ScimResource, sub);
  return value;
}
