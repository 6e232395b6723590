// The SCIM service tenant Entra provisions into, created through the service's admin API with the custom
// extension schemas the mappings target (the service rejects unknown extension schemas), and a bearer
// token issued for Entra (shown once by the admin API, stored hashed by the service).
import { buildSynchronizationSchema } from '../../../provisioning/index.js';
import { CliError, ExitCode } from '../cli/errors.js';
import { registerSecret } from '../cli/redact.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** Custom extension schema URNs (`urn:…:extension:<Name>:2.0:User`) that the environment's mappings write to. */
export function customSchemasOf(environment = 'local'): string[] {
  const urns = new Set<string>();
  for (const rule of buildSynchronizationSchema(environment).synchronizationRules) {
    for (const m of rule.objectMappings) {
      for (const a of m.attributeMappings) {
        const match = /^(urn:ietf:params:scim:schemas:extension:[A-Za-z0-9._-]+:2\.0:User):/.exec(a.targetAttributeName);
        if (match && match[1] !== ENTERPRISE) urns.add(match[1]);
      }
    }
  }
  return [...urns];
}

export async function createScimTenant(serviceUrl: string, adminToken: string, tenant: string, customSchemas: string[]): Promise<string> {
  const admin = async (path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${serviceUrl}/admin${path}`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      json = { detail: text };
    }
    return { status: res.status, json };
  };
  const created = await admin('/tenants', { name: tenant, customSchemas });
  if (created.status !== 201 && created.status !== 409) {
    throw new CliError(`The SCIM service did not create tenant '${tenant}' (HTTP ${created.status}: ${JSON.stringify(created.json)}).`, { exitCode: ExitCode.remote, code: 'ScimTenantFailed' });
  }
  const issued = await admin(`/tenants/${encodeURIComponent(tenant)}/tokens`, { label: 'entra-local' });
  const token = issued.json.token;
  if (issued.status !== 201 || typeof token !== 'string') {
    throw new CliError(`The SCIM service did not issue a token for tenant '${tenant}' (HTTP ${issued.status}).`, { exitCode: ExitCode.remote, code: 'ScimTokenFailed' });
  }
  registerSecret(token);
  return token;
}
