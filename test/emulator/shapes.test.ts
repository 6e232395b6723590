// More of Entra's request shapes against the real SCIM service: manager removal, group rename,
// SingleAppRoleAssignment roles (POST object, PATCH JSON-encoded string), AssertiveAppRoleAssignmentsComplex
// (PATCH Replace of the full array), and a 404 on a filtered query quarantining the job
// (entra-scim-client.md §1.2–1.3, MS-Attr, MS-Quarantine).
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROLES, line, startStack, type Stack } from './support/stack.js';

const SEED = fileURLToPath(new URL('./fixtures/stories-seed.json', import.meta.url));
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const MEGAN = 'c0000000-0000-4000-8000-000000000001';
const ALEX = 'c0000000-0000-4000-8000-000000000003';
const ENGINEERING = 'd0000000-0000-4000-8000-000000000001';
type Json = Record<string, unknown>;
type Schema = { synchronizationRules: { objectMappings: { attributeMappings: Json[] }[] }[] };

const patch = (...Operations: Json[]): Json => ({ schemas: [PATCH_OP], Operations });

async function withRolesMapping(stack: Stack, expression: string, target: string): Promise<void> {
  const path = `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}/schema`;
  const schema = (await stack.graph<Schema>('GET', path)).body;
  schema.synchronizationRules[0].objectMappings[0].attributeMappings.push({ targetAttributeName: target, source: { type: 'Function', name: expression.split('(')[0], expression } });
  const res = await stack.graph('PUT', path, schema);
  if (res.status !== 204) throw new Error(JSON.stringify(res.body));
}

describe('manager removal and group rename', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ seed: SEED });
    await stack.cycle();
    stack.takeRequests();
  });
  afterAll(async () => stack?.close());

  it('a removed manager is sent as Remove on the manager path', async () => {
    expect((await stack.graph('DELETE', `/users/${ALEX}/manager/$ref`)).status).toBe(204);
    await stack.cycle();
    const requests = stack.takeRequests();
    const alexTarget = stack.job.engine.users.get(ALEX)!.targetId;
    expect(requests.map(line)).toEqual(['GET /Users?filter=userName eq "alex@contoso.example"', `PATCH /Users/${alexTarget}`]);
    expect(requests[1].body).toEqual(patch({ op: 'Remove', path: `${ENTERPRISE}:manager` }));
    const alex = (await stack.scim(`/Users/${alexTarget}`)) as Json;
    expect((alex[ENTERPRISE] as Json | undefined)?.manager).toBeUndefined();
  });

  it('a renamed group is found by its cached id and its displayName replaced', async () => {
    expect((await stack.graph('PATCH', `/groups/${ENGINEERING}`, { displayName: 'Platform Engineering' })).status).toBe(204);
    await stack.cycle();
    const requests = stack.takeRequests();
    const target = stack.job.engine.groups.get(ENGINEERING)!.targetId;
    expect(requests.map((r) => `${line(r)} ${r.status}`)).toEqual([
      'GET /Groups?excludedAttributes=members&filter=displayName eq "Platform Engineering" 200',
      `GET /Groups/${target}?excludedAttributes=members 200`,
      `PATCH /Groups/${target} 204`,
    ]);
    expect(requests[2].body).toEqual(patch({ op: 'Replace', path: 'displayName', value: 'Platform Engineering' }));
    expect(await stack.scim(`/Groups/${target}`)).toMatchObject({ displayName: 'Platform Engineering' });
  });
});

describe('roles', () => {
  it('SingleAppRoleAssignment: POST carries the primary role object; a role change is PATCHed as a JSON-encoded string', async () => {
    const stack = await startStack({ seed: SEED });
    try {
      await withRolesMapping(stack, 'SingleAppRoleAssignment([appRoleAssignments])', 'roles[primary eq "True"].value');
      await stack.cycle();
      const meganPost = stack.takeRequests().find((r) => r.method === 'POST' && (r.body as Json).userName === 'megan@contoso.example')!;
      expect((meganPost.body as Json).roles).toEqual([{ primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'GlobalAdministrator' }]);

      const assignments = await stack.graph<{ value: Json[] }>('GET', `/servicePrincipals/${stack.spId}/appRoleAssignedTo`);
      const meganAdmin = assignments.body.value.find((a) => a.principalId === MEGAN)!;
      expect((await stack.graph('DELETE', `/servicePrincipals/${stack.spId}/appRoleAssignedTo/${String(meganAdmin.id)}`)).status).toBe(204);
      expect((await stack.graph('POST', `/servicePrincipals/${stack.spId}/appRoleAssignedTo`, { principalId: MEGAN, resourceId: stack.spId, appRoleId: APP_ROLES[1].id })).status).toBe(201);
      await stack.cycle();
      const requests = stack.takeRequests();
      const meganTarget = stack.job.engine.users.get(MEGAN)!.targetId;
      expect(requests.map(line)).toEqual(['GET /Users?filter=userName eq "megan@contoso.example"', `PATCH /Users/${meganTarget}`]);
      expect(requests[1].body).toEqual(patch({
        op: 'Add', path: 'roles',
        value: [{ value: JSON.stringify({ id: APP_ROLES[1].id, value: 'GlobalReader', displayName: 'Global Reader' }) }],
      }));
    } finally {
      await stack.close();
    }
  });

  it('SingleAppRoleAssignment with two roles escrows the user (EscrowedEntry), the others go on', async () => {
    const stack = await startStack({ seed: SEED });
    try {
      await withRolesMapping(stack, 'SingleAppRoleAssignment([appRoleAssignments])', 'roles[primary eq "True"].value');
      expect((await stack.graph('POST', `/servicePrincipals/${stack.spId}/appRoleAssignedTo`, { principalId: MEGAN, resourceId: stack.spId, appRoleId: APP_ROLES[1].id })).status).toBe(201);
      const report = await stack.cycle();
      expect(report).toMatchObject({ state: 'EntryLevelErrors', counts: { escrowed: 1, created: 3 } });
      expect(stack.job.engine.escrows.get(MEGAN)).toMatchObject({ code: 'EscrowedEntry' });
      expect(stack.takeRequests().some((r) => JSON.stringify(r.query).includes('megan'))).toBe(false);
    } finally {
      await stack.close();
    }
  });

  it('AssertiveAppRoleAssignmentsComplex: POST sends every role; a withdrawn role is removed by Replace of the full array', async () => {
    const stack = await startStack({ seed: SEED });
    try {
      await withRolesMapping(stack, 'AssertiveAppRoleAssignmentsComplex([appRoleAssignments])', 'roles');
      expect((await stack.graph('POST', `/servicePrincipals/${stack.spId}/appRoleAssignedTo`, { principalId: MEGAN, resourceId: stack.spId, appRoleId: APP_ROLES[1].id })).status).toBe(201);
      await stack.cycle();
      const post = stack.takeRequests().find((r) => r.method === 'POST' && (r.body as Json).userName === 'megan@contoso.example')!;
      expect(((post.body as Json).roles as Json[]).map((r) => r.value).sort()).toEqual(['GlobalAdministrator', 'GlobalReader']);

      const assignments = await stack.graph<{ value: Json[] }>('GET', `/servicePrincipals/${stack.spId}/appRoleAssignedTo`);
      const reader = assignments.body.value.find((a) => a.principalId === MEGAN && a.appRoleId === APP_ROLES[1].id)!;
      expect((await stack.graph('DELETE', `/servicePrincipals/${stack.spId}/appRoleAssignedTo/${String(reader.id)}`)).status).toBe(204);
      await stack.cycle();
      const requests = stack.takeRequests();
      expect(requests[1].body).toEqual(patch({ op: 'Replace', path: 'roles', value: [{ primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Global Administrator', value: 'GlobalAdministrator' }] }));
      const megan = await stack.scim(`/Users/${stack.job.engine.users.get(MEGAN)!.targetId}`);
      expect((megan.roles as Json[]).map((r) => r.value)).toEqual(['GlobalAdministrator']);
    } finally {
      await stack.close();
    }
  });
});

describe('mapping flow rules', () => {
  it('defaultValue applies on create only; ObjectAddOnly mappings flow on create only', async () => {
    const stack = await startStack({ seed: SEED });
    try {
      const path = `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}/schema`;
      const schema = (await stack.graph<Schema>('GET', path)).body;
      schema.synchronizationRules[0].objectMappings[0].attributeMappings.push(
        { targetAttributeName: 'locale', source: { type: 'Attribute', name: 'preferredLanguage' }, defaultValue: 'en-US' },
        { targetAttributeName: 'nickName', source: { type: 'Attribute', name: 'jobTitle' }, flowType: 'ObjectAddOnly' },
      );
      expect((await stack.graph('PUT', path, schema)).status).toBe(204);
      await stack.cycle();
      const post = stack.takeRequests().find((r) => r.method === 'POST' && (r.body as Json).userName === 'megan@contoso.example')!;
      expect(post.body).toMatchObject({ locale: 'en-US', nickName: 'CEO' });
      expect(post.body).not.toHaveProperty('preferredLanguage');

      expect((await stack.graph('PATCH', `/users/${MEGAN}`, { jobTitle: 'Chair', department: 'Board' })).status).toBe(204);
      await stack.cycle();
      const update = stack.takeRequests().find((r) => r.method === 'PATCH')!;
      expect(update.body).toEqual(patch(
        { op: 'Replace', path: 'title', value: 'Chair' },
        { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Board' },
      ));
      expect(await stack.scim(`/Users/${stack.job.engine.users.get(MEGAN)!.targetId}`)).toMatchObject({ nickName: 'CEO', title: 'Chair', locale: 'en-US' });
    } finally {
      await stack.close();
    }
  });
});

describe('object flow types', () => {
  it('without Delete, an unassigned user is left active in the target', async () => {
    const stack = await startStack({ seed: SEED });
    try {
      const path = `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}/schema`;
      const schema = (await stack.graph<Schema & { synchronizationRules: { objectMappings: Json[] }[] }>('GET', path)).body;
      schema.synchronizationRules[0].objectMappings[0].flowTypes = 'Add, Update';
      expect((await stack.graph('PUT', path, schema)).status).toBe(204);
      await stack.cycle();
      stack.takeRequests();
      expect((await stack.graph('DELETE', `/groups/${ENGINEERING}/members/${ALEX}/$ref`)).status).toBe(204);
      await stack.cycle();
      expect(stack.takeRequests().filter((r) => r.path.startsWith('/Users'))).toEqual([]);
      expect(await stack.scim(`/Users/${stack.job.engine.users.get(ALEX)!.targetId}`)).toMatchObject({ active: true });
    } finally {
      await stack.close();
    }
  });
});

describe('SCIM compliance failure', () => {
  it('a 404 answer to a filtered query quarantines the job as ServiceIncompatible', async () => {
    const stack = await startStack({ seed: SEED, proxy: true });
    try {
      stack.proxy!.faults = [{ status: 404, times: 1, match: /^GET .*\/Users\?filter=/ }];
      const report = await stack.cycle();
      expect(report).toMatchObject({ state: 'Failed', error: { code: 'SystemForCrossDomainIdentityManagementServiceIncompatible' }, quarantine: { reason: 'EncounteredQuarantineException' } });
      expect(stack.takeRequests().map((r) => r.status)).toEqual([404]);
      const job = await stack.graph('GET', `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}`);
      expect(job.body).toMatchObject({ status: { code: 'Quarantine' } });
    } finally {
      await stack.close();
    }
  });
});
