/**
 * EntraScimApp against Pulumi mocks. Facts asserted come from
 * /work/shared/reference/graph-synchronization.md: §1 (non-gallery template id
 * 8adf8e6e-67b2-4cf2-a259-e3dc5476c621, job template `scim`), §3.5 (secrets `BaseAddress` and
 * `SecretToken`), and the azuread provider's resource-id format `/servicePrincipals/{objectId}`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type * as Component from '../../components/entra-scim-app.js';
import { installMocks, plainOccurrences, resolve, settle, unwrap, type CapturedResource } from './harness.js';

const captured: CapturedResource[] = installMocks({ stack: 'unit' });
let mod: typeof Component;
let app: Component.EntraScimApp;
const TOKEN = 'token-that-must-never-appear-in-plain-text-0123456789';

const roles = [
  { value: 'GlobalAdministrator', displayName: 'Global admin', description: 'All', allowedMemberTypes: ['User'] },
  { value: 'Reader', displayName: 'Reader', description: 'Read', allowedMemberTypes: ['User'] },
  { id: '2f4c8b7e-1d3a-4c5e-9f60-1a2b3c4d5e03', value: 'Fixed', displayName: 'Fixed', description: 'Has id', allowedMemberTypes: ['User'] },
];

function byType(type: string): CapturedResource[] {
  return captured.filter((r) => r.type === type);
}
function one(type: string): CapturedResource {
  const found = byType(type);
  expect(found, type).toHaveLength(1);
  return found[0];
}

beforeAll(async () => {
  mod = await import('../../components/entra-scim-app.js');
  app = new mod.EntraScimApp('scim', {
    displayName: 'SignPath (dev)',
    owners: ['aaaaaaaa-0000-0000-0000-000000000001'],
    appRoles: roles,
    groupAssignments: {
      'platform-admins': { objectId: 'bbbbbbbb-0000-0000-0000-000000000001', roles: ['GlobalAdministrator', 'Reader'] },
      Readers: { objectId: 'bbbbbbbb-0000-0000-0000-000000000002', roles: ['Reader'] },
    },
    provisioningEnabled: false,
    tenantUrl: 'https://scim.example.com/scim/dev',
    scimToken: TOKEN,
  });
  await resolve(app.provisioningJobId);
  await settle();
});

describe('EntraScimApp', () => {
  it('instantiates the application from the non-gallery template with enterprise + customSingleSignOn tags', () => {
    const application = one('azuread:index/application:Application');
    expect(application.inputs.templateId).toBe('8adf8e6e-67b2-4cf2-a259-e3dc5476c621');
    expect(application.inputs.featureTags).toEqual([{ enterprise: true, customSingleSignOn: true }]);
    expect(application.inputs.owners).toEqual(['aaaaaaaa-0000-0000-0000-000000000001']);
    expect(application.inputs.displayName).toBe('SignPath (dev)');
  });

  it('adopts the template-created service principal, requires assignment and repeats the tags', () => {
    const sp = one('azuread:index/servicePrincipal:ServicePrincipal');
    const application = one('azuread:index/application:Application');
    expect(sp.inputs.useExisting).toBe(true);
    expect(sp.inputs.appRoleAssignmentRequired).toBe(true);
    expect(sp.inputs.featureTags).toEqual([{ enterprise: true, customSingleSignOn: true }]);
    expect(sp.inputs.clientId).toBe(application.state.clientId);
    expect(sp.inputs.owners).toEqual(['aaaaaaaa-0000-0000-0000-000000000001']);
  });

  it('gives every app role a stable id: RandomUuid keyed by value, or the fixed id from provisioning/', () => {
    const uuids = byType('random:index/randomUuid:RandomUuid');
    expect(uuids.map((u) => u.name).sort()).toEqual(['scim-role-global-administrator', 'scim-role-reader']);
    expect(uuids.find((u) => u.name === 'scim-role-reader')?.inputs.keepers).toEqual({ value: 'Reader' });
    const appRoles = one('azuread:index/application:Application').inputs.appRoles as Array<Record<string, unknown>>;
    expect(appRoles.map((r) => r.value)).toEqual(['GlobalAdministrator', 'Reader', 'Fixed']);
    const reader = appRoles.find((r) => r.value === 'Reader');
    expect(reader?.id).toBe(uuids.find((u) => u.name === 'scim-role-reader')?.state.result);
    expect(appRoles.find((r) => r.value === 'Fixed')?.id).toBe('2f4c8b7e-1d3a-4c5e-9f60-1a2b3c4d5e03');
    for (const r of appRoles) {
      expect(r.allowedMemberTypes).toEqual(['User']);
      expect(r.enabled).toBe(true);
    }
  });

  it('creates one assignment per (group, role), named from the group key and role value', () => {
    const assignments = byType('azuread:index/appRoleAssignment:AppRoleAssignment');
    expect(assignments.map((a) => a.name).sort()).toEqual([
      'scim-assign-platform-admins-global-administrator',
      'scim-assign-platform-admins-reader',
      'scim-assign-readers-reader',
    ]);
    const sp = one('azuread:index/servicePrincipal:ServicePrincipal');
    const appRoles = one('azuread:index/application:Application').inputs.appRoles as Array<Record<string, unknown>>;
    const readerAssignment = assignments.find((a) => a.name === 'scim-assign-readers-reader');
    expect(readerAssignment?.inputs.principalObjectId).toBe('bbbbbbbb-0000-0000-0000-000000000002');
    expect(readerAssignment?.inputs.appRoleId).toBe(appRoles.find((r) => r.value === 'Reader')?.id);
    // The assignment targets the service principal's object id (a bare GUID), not its resource id.
    expect(readerAssignment?.inputs.resourceObjectId).toBe(sp.state.objectId);
    expect(String(readerAssignment?.inputs.resourceObjectId)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('creates the provisioning job from template scim on the /servicePrincipals/{id} resource id, enabled from config', async () => {
    const job = one('azuread:index/synchronizationJob:SynchronizationJob');
    const sp = one('azuread:index/servicePrincipal:ServicePrincipal');
    expect(job.inputs.templateId).toBe('scim');
    expect(job.inputs.servicePrincipalId).toMatch(/^\/servicePrincipals\/[0-9a-f-]{36}$/);
    expect(job.inputs.servicePrincipalId).toBe(sp.id);
    expect(job.inputs.servicePrincipalId).not.toBe(sp.state.objectId);
    expect(job.inputs.enabled).toBe(false);
    const { value: jobId } = await resolve(app.provisioningJobId);
    expect(jobId).toMatch(/^scim\.[0-9a-f]{32}\.[0-9a-f-]{36}$/);
  });

  it('saves BaseAddress = tenant URL and SecretToken as a secret, never in plain text', async () => {
    const secret = one('azuread:index/synchronizationSecret:SynchronizationSecret');
    expect(secret.inputs.servicePrincipalId).toMatch(/^\/servicePrincipals\/[0-9a-f-]{36}$/);
    const credentials = unwrap(secret.inputs.credentials) as Array<{ key: string; value: string }>;
    expect(credentials).toEqual([
      { key: 'BaseAddress', value: 'https://scim.example.com/scim/dev' },
      { key: 'SecretToken', value: TOKEN },
    ]);
    // The token is in the captured inputs (so the search below is meaningful), but only secret-wrapped.
    expect(JSON.stringify(captured.map((r) => r.inputs))).toContain(TOKEN);
    expect(plainOccurrences(captured.map((r) => r.inputs), TOKEN)).toEqual([]);
    expect(plainOccurrences({ leaked: [{ v: `Bearer ${TOKEN}` }] }, TOKEN)).toEqual(['$.leaked[0].v']);
    expect((await resolve(app.secret.credentials)).secret).toBe(true);
  });

  it('parents every child to the component and keeps (type, name) pairs unique', async () => {
    const keys = captured.map((r) => `${r.type}::${r.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const child of [app.application, app.servicePrincipal, app.job, app.secret, ...Object.values(app.assignments)]) {
      expect((await resolve(child.urn)).value).toContain('::entra-scim:index:EntraScimApp$azuread:');
    }
    for (const r of captured.filter((c) => c.type !== 'entra-scim:index:EntraScimApp')) expect(r.name.startsWith('scim-')).toBe(true);
  });

  it('exposes the outputs the scripts read', async () => {
    expect((await resolve(app.servicePrincipalObjectId)).value).toMatch(/^[0-9a-f-]{36}$/);
    expect((await resolve(app.applicationClientId)).value).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects an assignment to an undefined role with a message naming the group and the role, registering nothing', () => {
    const before = captured.length;
    expect(
      () =>
        new mod.EntraScimApp('bad', {
          displayName: 'x',
          owners: [],
          appRoles: roles,
          groupAssignments: { ops: { objectId: 'g', roles: ['Nope'] } },
          provisioningEnabled: false,
          tenantUrl: 'https://x',
          scimToken: 'y',
        }),
    ).toThrow(/Group "ops" is assigned app role "Nope", which is not defined/);
    expect(captured.length).toBe(before);
  });

  it('rejects group keys that would collide on one resource name', () => {
    expect(() =>
      mod.validateEntraScimAppArgs({
        displayName: 'x',
        owners: [],
        appRoles: roles,
        groupAssignments: { 'Ops Team': { objectId: 'a', roles: ['Reader'] }, 'ops-team': { objectId: 'b', roles: ['Reader'] } },
        provisioningEnabled: false,
        tenantUrl: 'https://x',
        scimToken: 'y',
      }),
    ).toThrow(/collides with "Ops Team" → "Reader"/);
  });

  it('derives stable name fragments from keys', () => {
    expect(mod.nameFragment('GlobalAdministrator')).toBe('global-administrator');
    expect(mod.nameFragment(' Platform Admins ')).toBe('platform-admins');
    expect(() => mod.nameFragment('--')).toThrow(/Cannot derive a resource name/);
  });

  it('rejects assigning a group a role that only applications may hold', () => {
    expect(() =>
      mod.validateEntraScimAppArgs({
        displayName: 'x',
        owners: [],
        appRoles: [{ value: 'Daemon', displayName: 'd', description: 'd', allowedMemberTypes: ['Application'] }],
        groupAssignments: { ops: { objectId: 'a', roles: ['Daemon'] } },
        provisioningEnabled: false,
        tenantUrl: 'https://x',
        scimToken: 'y',
      }),
    ).toThrow(/cannot be assigned app role "Daemon": its allowedMemberTypes lack "User"/);
  });
});
