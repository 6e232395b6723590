// The project's own configuration end to end: provisioning/'s app roles, its synchronization schema
// (buildSynchronizationSchema('local')) PUT through Graph, the sample directory as the tenant, a
// cycle into the real SCIM service. What the engine POSTs must equal provisioning/'s preview of what
// Entra would POST (previewDirectory), except the manager, which Entra writes after the user exists.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appRoles, buildSynchronizationSchema, getEnvironment, loadSampleDirectory, previewDirectory, provisioningModel, resolveModel,
} from '../../provisioning/index.js';
import { line, startStack, type Stack } from './support/stack.js';

const SAMPLE = fileURLToPath(new URL('../../provisioning/sample-directory.json', import.meta.url));
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ADMIN_TOKEN = 'emulator-project-config-admin-token-0123456789';
type Json = Record<string, unknown>;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ seed: SAMPLE, serviceConfig: { adminToken: ADMIN_TOKEN } });
  // A tenant that knows the SignPath custom extension the project's mappings write.
  const admin = (path: string, body: unknown) =>
    fetch(`${stack.service.url}/admin${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const tenant = await admin('/tenants', { name: 'signpath', customSchemas: ['urn:ietf:params:scim:schemas:extension:SignPath:2.0:User'] });
  expect(tenant.status).toBe(201);
  const issued = (await (await admin('/tenants/signpath/tokens', { label: 'entra' })).json()) as { token: string };
  await stack.secrets({ BaseAddress: `${stack.service.url}/scim/signpath`, SecretToken: issued.token });

  const app = (await stack.graph('GET', `/applications/${stack.appObjectId}`)).body as { appRoles: Json[] };
  const missing = appRoles.filter((r) => !app.appRoles.some((a) => a.value === r.value)).map((r) => ({ ...r, allowedMemberTypes: [...r.allowedMemberTypes], isEnabled: true }));
  expect((await stack.graph('PATCH', `/applications/${stack.appObjectId}`, { appRoles: [...app.appRoles, ...missing] })).status).toBe(204);
});
afterAll(async () => stack?.close());

describe("the project's schema and sample directory", () => {
  it('accepts the schema provisioning/ builds (PUT 204) and serves it back', async () => {
    const put = await stack.graph('PUT', `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}/schema`, buildSynchronizationSchema('local'));
    expect(put.status).toBe(204);
    const back = await stack.graph<{ synchronizationRules: { objectMappings: { attributeMappings: Json[] }[] }[] }>('GET', `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}/schema`);
    const targets = back.body.synchronizationRules[0].objectMappings[0].attributeMappings.map((m) => m.targetAttributeName);
    expect(targets.slice(0, 2)).toEqual(['externalId', 'userName']);
    expect(targets).toContain('roles');
  });

  it('provisions exactly the users and groups the preview puts in scope, with the preview’s payloads', async () => {
    const report = await stack.cycle();
    expect(report).toMatchObject({ state: 'Succeeded', counts: { escrowed: 0 } });
    const requests = stack.takeRequests();
    const preview = previewDirectory(resolveModel(provisioningModel, getEnvironment('local').parameters), loadSampleDirectory(SAMPLE));
    const inScope = preview.users.filter((u) => u.inScope);
    const posts = requests.filter((r) => r.method === 'POST' && r.path === '/Users');
    expect(posts.map((r) => (r.body as Json).userName).sort()).toEqual(inScope.map((u) => (u.payload as Json).userName).sort());
    // Entra's POST always names both user schemas (MS-Tut sample); the preview omits the enterprise URN when no
    // enterprise attribute has a value, so `schemas` is compared separately.
    for (const post of posts) expect((post.body as Json).schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE]);
    const normalise = (resource: Json): Json => {
      const { meta: _meta, schemas: _schemas, roles, [ENTERPRISE]: enterprise, ...rest } = resource;
      const { manager: _manager, ...ext } = (enterprise ?? {}) as Json;
      const roleValues = ((roles ?? []) as Json[]).map((r) => `${String(r.value)}|${String(r.primary)}|${String(r.type)}`).sort();
      return { ...rest, [ENTERPRISE]: ext, roles: roleValues };
    };
    for (const user of inScope) {
      const post = posts.find((r) => (r.body as Json).userName === (user.payload as Json).userName)!;
      expect(normalise(post.body as Json), user.label).toEqual(normalise(user.payload as Json));
    }
    // Users are matched on externalId first, then userName (matching precedence 1, 2).
    const first = String((inScope[0].payload as Json).externalId);
    expect(requests.slice(0, 3).map(line)).toEqual([
      `GET /Users?filter=externalId eq "${first}"`,
      `GET /Users?filter=userName eq "${String((inScope[0].payload as Json).userName)}"`,
      'POST /Users',
    ]);
    const groups = requests.filter((r) => r.method === 'POST' && r.path === '/Groups').map((r) => (r.body as Json).displayName);
    expect(groups.sort()).toEqual(preview.groups.filter((g) => g.inScope).map((g) => (g.payload as Json).displayName).sort());
  });

  it('writes each provisioned manager after both users exist, and no manager that is not provisioned', async () => {
    const directory = loadSampleDirectory(SAMPLE);
    expect(stack.job.engine.users.size).toBeGreaterThan(0);
    for (const [sourceId, stored] of stack.job.engine.users) {
      const user = directory.users.find((u) => u.id === sourceId)!;
      const managerStored = user.manager ? stack.job.engine.users.get(user.manager) : undefined;
      const log = stack.job.engine.requests.find((r) => r.method === 'PATCH' && r.path === `/Users/${stored.targetId}`);
      if (managerStored) expect((log?.body as { Operations: Json[] }).Operations).toEqual([{ op: 'Add', path: `${ENTERPRISE}:manager`, value: managerStored.targetId }]);
      else expect(log).toBeUndefined();
    }
  });
});
