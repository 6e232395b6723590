// Graph directory contract of the emulator over real HTTP: auth, the seeded sample directory,
// users/groups lifecycle (create, update, disable, soft delete, restore, hard delete), managers,
// members, the non-gallery template, service principal filters, app role assignments.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, NON_GALLERY_TEMPLATE_ID, type RunningEmulator } from '../../emulator/index.js';
import { graphClient, graphSchemaErrors } from './support/graph.js';

const SAMPLE = fileURLToPath(new URL('./fixtures/directory-seed.json', import.meta.url));

let emulator: RunningEmulator;
let graph: ReturnType<typeof graphClient>;

beforeAll(async () => {
  emulator = await startEmulator({ seed: SAMPLE });
  graph = graphClient(emulator.url);
});
afterAll(async () => {
  await emulator.close();
});

type Collection = { value: Record<string, unknown>[]; '@odata.nextLink'?: string };

describe('auth and errors', () => {
  it('rejects a request without a bearer token with a 401 Graph error', async () => {
    const res = await graphClient(emulator.url, null)('GET', '/users');
    expect(res.status).toBe(401);
    const error = (res.body as { error: Record<string, unknown> }).error;
    expect(error.code).toBe('InvalidAuthenticationToken');
    expect(error.innerError).toMatchObject({ 'request-id': expect.any(String), date: expect.any(String) });
    expect(graphSchemaErrors('ODataErrors.ODataError', res.body)).toEqual([]);
  });

  it('accepts any non-empty bearer token', async () => {
    expect((await graphClient(emulator.url, 'anything')('GET', '/users')).status).toBe(200);
  });

  it('answers an unknown segment with a Graph error, not an HTML page', async () => {
    const res = await graph('GET', '/nope');
    expect(res.status).toBe(400);
    expect((res.body as { error: { message: string } }).error.message).toContain("segment 'nope'");
  });

  it('answers a bad $filter with 400 naming the clause', async () => {
    const res = await graph('GET', `/users?$filter=${encodeURIComponent("userPrincipalName eq 'unterminated")}`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('unterminated');
  });
});

describe('seeded directory', () => {
  it('reports the seed tenant id and serves the seeded users with their manager', async () => {
    expect(emulator.tenantId).toBe('11111111-2222-3333-4444-555555555555');
    const res = await graph<Collection>('GET', `/users?$filter=${encodeURIComponent("userPrincipalName eq 'ADELE@contoso.example'")}`);
    expect(res.status).toBe(200);
    expect(res.body.value).toHaveLength(1);
    const adele = res.body.value[0];
    expect(adele).toMatchObject({ displayName: 'Adele Vance', department: 'Engineering' });
    const manager = await graph('GET', `/users/${String(adele.id)}/manager`);
    expect(manager.body).toMatchObject({ userPrincipalName: 'megan@contoso.example' });
  });

  it('pages with $top and @odata.nextLink until every user was returned', async () => {
    const seen: string[] = [];
    let next: string | undefined = '/users?$top=2';
    let pages = 0;
    while (next) {
      const res: { body: Collection } = await graph<Collection>('GET', next);
      seen.push(...res.body.value.map((u) => String(u.id)));
      next = res.body['@odata.nextLink'];
      pages++;
    }
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
    expect(pages).toBe(2);
  });

  it('lists group members, including a nested group as a member', async () => {
    const groups = await graph<Collection>('GET', `/groups?$filter=${encodeURIComponent("displayName eq 'Engineering'")}`);
    const id = String(groups.body.value[0].id);
    const members = await graph<Collection>('GET', `/groups/${id}/members`);
    expect(members.body.value.map((m) => m.userPrincipalName).sort()).toEqual(['adele@contoso.example', 'alex@contoso.example']);
  });
});

describe('user lifecycle', () => {
  it('creates, updates, disables, soft deletes, restores and hard deletes a user', async () => {
    const created = await graph('POST', '/users', { displayName: 'Nestor Wilke', userPrincipalName: 'nestor@contoso.example', accountEnabled: true, passwordProfile: { password: 'x' } });
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    expect(created.body).not.toHaveProperty('passwordProfile');

    const duplicate = await graph('POST', '/users', { displayName: 'Other', userPrincipalName: 'NESTOR@contoso.example' });
    expect(duplicate.status).toBe(400);
    expect(JSON.stringify(duplicate.body)).toContain('userPrincipalName already exists');

    expect((await graph('PATCH', `/users/${id}`, { jobTitle: 'Director', accountEnabled: false })).status).toBe(204);
    expect((await graph('GET', `/users/${id}`)).body).toMatchObject({ jobTitle: 'Director', accountEnabled: false });

    expect((await graph('DELETE', `/users/${id}`)).status).toBe(204);
    expect((await graph('GET', `/users/${id}`)).status).toBe(404);
    const bin = await graph<Collection>('GET', '/directory/deletedItems/microsoft.graph.user');
    expect(bin.body.value.map((u) => u.id)).toContain(id);

    expect((await graph('POST', `/directory/deletedItems/${id}/restore`)).status).toBe(200);
    expect((await graph('GET', `/users/${id}`)).status).toBe(200);

    expect((await graph('DELETE', `/users/${id}`)).status).toBe(204);
    expect((await graph('DELETE', `/directory/deletedItems/${id}`)).status).toBe(204);
    expect((await graph('GET', `/directory/deletedItems/${id}`)).status).toBe(404);
    expect(emulator.tenant.directory.tombstones.get(id)).toMatchObject({ type: 'User' });
  });

  it('sets, reads and removes a manager through $ref', async () => {
    const a = await graph('POST', '/users', { displayName: 'Lee Gu', userPrincipalName: 'lee@contoso.example' });
    const b = await graph('POST', '/users', { displayName: 'Lidia Holloway', userPrincipalName: 'lidia@contoso.example' });
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/users/${String(b.body.id)}` };
    expect((await graph('PUT', `/users/${String(a.body.id)}/manager/$ref`, ref)).status).toBe(204);
    expect((await graph('GET', `/users/${String(a.body.id)}/manager`)).body).toMatchObject({ id: b.body.id });
    const reports = await graph<Collection>('GET', `/users/${String(b.body.id)}/directReports`);
    expect(reports.body.value.map((u) => u.id)).toEqual([a.body.id]);
    expect((await graph('DELETE', `/users/${String(a.body.id)}/manager/$ref`)).status).toBe(204);
    expect((await graph('GET', `/users/${String(a.body.id)}/manager`)).status).toBe(404);
  });
});

describe('group lifecycle', () => {
  it('adds members by $ref and by members@odata.bind, removes one, deletes the group', async () => {
    const users = await Promise.all([1, 2, 3].map((i) => graph('POST', '/users', { displayName: `Member ${i}`, userPrincipalName: `member${i}@contoso.example` })));
    const ids = users.map((u) => String(u.body.id));
    const created = await graph('POST', '/groups', {
      displayName: 'Release Managers', mailEnabled: false, securityEnabled: true, mailNickname: 'release',
      'members@odata.bind': [`https://graph.microsoft.com/v1.0/directoryObjects/${ids[0]}`],
    });
    expect(created.status).toBe(201);
    const groupId = String(created.body.id);
    expect((await graph('POST', `/groups/${groupId}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${ids[1]}` })).status).toBe(204);
    const again = await graph('POST', `/groups/${groupId}/members/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${ids[1]}` });
    expect(again.status).toBe(400);
    expect((await graph('PATCH', `/groups/${groupId}`, { 'members@odata.bind': [`https://graph.microsoft.com/v1.0/directoryObjects/${ids[2]}`] })).status).toBe(204);
    expect((await graph<Collection>('GET', `/groups/${groupId}/members`)).body.value).toHaveLength(3);
    expect((await graph('DELETE', `/groups/${groupId}/members/${ids[0]}/$ref`)).status).toBe(204);
    expect((await graph<Collection>('GET', `/groups/${groupId}/members`)).body.value.map((m) => m.id).sort()).toEqual([ids[1], ids[2]].sort());
    expect((await graph('DELETE', `/groups/${groupId}`)).status).toBe(204);
    expect((await graph('GET', `/groups/${groupId}`)).status).toBe(404);
    expect((await graph('DELETE', `/directory/deletedItems/${groupId}`)).status).toBe(204);
    expect(emulator.tenant.directory.groups.has(groupId)).toBe(false);
  });
});

describe('applications, service principals and app role assignments', () => {
  let spId = '';
  let appObjectId = '';
  let appId = '';

  it('instantiates the non-gallery template: 201 with the application and its service principal', async () => {
    const res = await graph('POST', `/applicationTemplates/${NON_GALLERY_TEMPLATE_ID}/instantiate`, { displayName: 'SignPath (emulated)' });
    expect(res.status).toBe(201);
    expect(graphSchemaErrors('applicationServicePrincipal', res.body)).toEqual([]);
    const { application, servicePrincipal } = res.body as { application: Record<string, unknown>; servicePrincipal: Record<string, unknown> };
    expect(application).toMatchObject({ displayName: 'SignPath (emulated)', applicationTemplateId: NON_GALLERY_TEMPLATE_ID });
    expect(servicePrincipal).toMatchObject({ appId: application.appId, appOwnerOrganizationId: emulator.tenantId, tags: ['WindowsAzureActiveDirectoryIntegratedApp'] });
    spId = String(servicePrincipal.id);
    appObjectId = String(application.id);
    appId = String(application.appId);
  });

  it('rejects instantiate without displayName and for an unknown template', async () => {
    expect((await graph('POST', `/applicationTemplates/${NON_GALLERY_TEMPLATE_ID}/instantiate`, {})).status).toBe(400);
    expect((await graph('POST', '/applicationTemplates/00000000-0000-0000-0000-000000000001/instantiate', { displayName: 'x' })).status).toBe(404);
  });

  it('finds the service principal by appId and by displayName', async () => {
    const byAppId = await graph<Collection>('GET', `/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${appId}'`)}`);
    expect(byAppId.body.value.map((s) => s.id)).toEqual([spId]);
    const byName = await graph<Collection>('GET', `/servicePrincipals?$filter=${encodeURIComponent("displayName eq 'SignPath (emulated)'")}&$select=id,appId`);
    expect(byName.body.value).toEqual([{ id: spId, appId }]);
    const none = await graph<Collection>('GET', `/servicePrincipals?$filter=${encodeURIComponent("displayName eq 'Nope'")}`);
    expect(none.body.value).toEqual([]);
  });

  it('grants the seed assignments once the application defines the role values', async () => {
    expect((await graph<Collection>('GET', `/servicePrincipals/${spId}/appRoleAssignedTo`)).body.value).toEqual([]);
    const roles = [
      { id: '2f4c8b7e-1d3a-4c5e-9f60-1a2b3c4d5e01', value: 'GlobalAdministrator', displayName: 'Admin', description: 'Admin', allowedMemberTypes: ['User'], isEnabled: true },
      { id: '2f4c8b7e-1d3a-4c5e-9f60-1a2b3c4d5e06', value: 'RegularUser', displayName: 'User', description: 'User', allowedMemberTypes: ['User'], isEnabled: true },
    ];
    // Entra refuses to drop an enabled role, so the template's default roles stay in the list.
    const existing = (await graph('GET', `/applications/${appObjectId}`)).body.appRoles as Record<string, unknown>[];
    expect(existing.map((r) => r.displayName)).toEqual(['User', 'msiam_access']);
    expect((await graph('PATCH', `/applications/${appObjectId}`, { appRoles: [...existing, ...roles] })).status).toBe(204);
    const assigned = await graph<Collection>('GET', `/servicePrincipals/${spId}/appRoleAssignedTo`);
    expect(assigned.body.value.map((a) => [a.principalDisplayName, a.appRoleId]).sort()).toEqual([
      ['Adele Vance', roles[1].id],
      ['Engineering', roles[0].id],
    ]);
  });

  it('assigns a user, refuses the same assignment twice and an unknown role, and removes it', async () => {
    const alex = (await graph<Collection>('GET', `/users?$filter=${encodeURIComponent("userPrincipalName eq 'alex@contoso.example'")}`)).body.value[0];
    const body = { principalId: alex.id, resourceId: spId, appRoleId: '2f4c8b7e-1d3a-4c5e-9f60-1a2b3c4d5e06' };
    const created = await graph('POST', `/servicePrincipals/${spId}/appRoleAssignedTo`, body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ principalType: 'User', principalDisplayName: 'Alex Wilber', resourceId: spId });
    expect((await graph('POST', `/servicePrincipals/${spId}/appRoleAssignedTo`, body)).status).toBe(400);
    const unknownRole = await graph('POST', `/servicePrincipals/${spId}/appRoleAssignedTo`, { ...body, appRoleId: '99999999-1d3a-4c5e-9f60-1a2b3c4d5e06' });
    expect(unknownRole.status).toBe(400);
    const mine = await graph<Collection>('GET', `/users/${String(alex.id)}/appRoleAssignments`);
    expect(mine.body.value).toHaveLength(1);
    expect((await graph('DELETE', `/servicePrincipals/${spId}/appRoleAssignedTo/${String(created.body.id)}`)).status).toBe(204);
    expect((await graph<Collection>('GET', `/users/${String(alex.id)}/appRoleAssignments`)).body.value).toHaveLength(0);
  });

  it('refuses to delete an app role that is still enabled', async () => {
    const res = await graph('PATCH', `/applications/${appObjectId}`, { appRoles: [] });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('must be disabled');
  });
});

describe('seed errors', () => {
  it('names the entry and what to fix', async () => {
    await expect(startEmulator({ seed: { users: [{ userPrincipalName: 'a@x.example', manager: 'nobody@x.example' }] } })).rejects.toThrow("users[0].manager refers to 'nobody@x.example'");
    await expect(startEmulator({ seed: '/nonexistent/seed.json' })).rejects.toThrow("Cannot read the seed file '/nonexistent/seed.json': ENOENT");
  });
});
