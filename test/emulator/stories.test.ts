// End-to-end stories: directory changes through Graph between cycles, the provisioning engine, the
// real SCIM service (SQLite). Each asserts the service's final state AND the exact SCIM requests sent,
// compared with Entra's documented sequences (entra-scim-client.md §1.1–1.2, MS-How, MS-Quarantine).
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../emulator/src/engine/scim-client.js';
import { APP_ROLES, line, startStack, type Stack } from './support/stack.js';

const SEED = fileURLToPath(new URL('./fixtures/stories-seed.json', import.meta.url));
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = {
  megan: 'c0000000-0000-4000-8000-000000000001',
  adele: 'c0000000-0000-4000-8000-000000000002',
  alex: 'c0000000-0000-4000-8000-000000000003',
  diego: 'c0000000-0000-4000-8000-000000000004',
};
const ENGINEERING = 'd0000000-0000-4000-8000-000000000001';

type Json = Record<string, unknown>;

function targetId(stack: Stack, sourceId: string): string {
  const stored = stack.job.engine.users.get(sourceId) ?? stack.job.engine.groups.get(sourceId);
  if (!stored) throw new Error(`${sourceId} was not provisioned`);
  return stored.targetId;
}

async function scimUser(stack: Stack, userName: string): Promise<Json | undefined> {
  const res = await stack.scim(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
  return (res.Resources as Json[])[0];
}

async function assignUser(stack: Stack, principalId: string, role = APP_ROLES[2].id): Promise<string> {
  const res = await stack.graph('POST', `/servicePrincipals/${stack.spId}/appRoleAssignedTo`, { principalId, resourceId: stack.spId, appRoleId: role });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return String(res.body.id);
}

const patch = (...Operations: Json[]): Json => ({ schemas: [PATCH_OP], Operations });

describe('joiner, mover, leaver (disable, then hard delete)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ seed: SEED });
    await stack.cycle();
    stack.takeRequests();
  });
  afterAll(async () => stack?.close());

  it('joiner: a new assigned user is matched, then created', async () => {
    const created = await stack.graph('POST', '/users', { displayName: 'Nestor Wilke', givenName: 'Nestor', surname: 'Wilke', userPrincipalName: 'nestor@contoso.example', mailNickname: 'nestor', accountEnabled: true });
    await assignUser(stack, String(created.body.id));
    const report = await stack.cycle();
    expect(report).toMatchObject({ full: false, counts: { created: 1 } });
    const requests = stack.takeRequests();
    expect(requests.map(line)).toEqual(['GET /Users?filter=userName eq "nestor@contoso.example"', 'POST /Users']);
    expect(requests[1].body).toMatchObject({ userName: 'nestor@contoso.example', active: true, name: { givenName: 'Nestor', familyName: 'Wilke', formatted: 'Nestor Wilke' }, externalId: 'nestor' });
    expect(await scimUser(stack, 'nestor@contoso.example')).toMatchObject({ active: true, displayName: 'Nestor Wilke' });
  });

  it('mover: only the changed attributes are PATCHed, Replace for present values, Add for new ones', async () => {
    expect((await stack.graph('PATCH', `/users/${USER.alex}`, { jobTitle: 'Staff Engineer', mobile: '+1 555 0100', department: 'Platform' })).status).toBe(204);
    await stack.cycle();
    const requests = stack.takeRequests();
    expect(requests.map(line)).toEqual(['GET /Users?filter=userName eq "alex@contoso.example"', `PATCH /Users/${targetId(stack, USER.alex)}`]);
    expect(requests[1].body).toEqual(patch(
      { op: 'Replace', path: 'title', value: 'Staff Engineer' },
      { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' },
      { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Platform' },
    ));
    expect(await scimUser(stack, 'alex@contoso.example')).toMatchObject({
      title: 'Staff Engineer',
      phoneNumbers: [expect.objectContaining({ type: 'mobile', value: '+1 555 0100' })],
      [ENTERPRISE]: expect.objectContaining({ department: 'Platform' }),
    });
  });

  it('mover: a new manager is written with Replace and the bare id', async () => {
    expect((await stack.graph('PUT', `/users/${USER.alex}/manager/$ref`, { '@odata.id': `https://graph.microsoft.com/v1.0/users/${USER.megan}` })).status).toBe(204);
    await stack.cycle();
    const requests = stack.takeRequests();
    expect(requests.map(line)).toEqual(['GET /Users?filter=userName eq "alex@contoso.example"', `PATCH /Users/${targetId(stack, USER.alex)}`]);
    expect(requests[1].body).toEqual(patch({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: targetId(stack, USER.megan) }));
    expect((await scimUser(stack, 'alex@contoso.example'))?.[ENTERPRISE]).toMatchObject({ manager: { value: targetId(stack, USER.megan) } });
  });

  it('leaver by unassignment: removed from the assigned group → PATCH active "False", member removed', async () => {
    expect((await stack.graph('DELETE', `/groups/${ENGINEERING}/members/${USER.alex}/$ref`)).status).toBe(204);
    await stack.cycle();
    const requests = stack.takeRequests();
    const groupId = targetId(stack, ENGINEERING);
    expect(requests.map(line)).toEqual([
      `PATCH /Users/${targetId(stack, USER.alex)}`,
      'GET /Groups?excludedAttributes=members&filter=displayName eq "Engineering"',
      `PATCH /Groups/${groupId}`,
    ]);
    expect(requests[0].body).toEqual(patch({ op: 'Replace', path: 'active', value: 'False' }));
    expect(requests[2].body).toEqual(patch({ op: 'Remove', path: 'members', value: [{ $ref: null, value: targetId(stack, USER.alex) }] }));
    expect(await scimUser(stack, 'alex@contoso.example')).toMatchObject({ active: false });
  });

  it('leaver by soft delete: disabled (not deleted), then DELETE once hard-deleted', async () => {
    const adeleTarget = targetId(stack, USER.adele);
    expect((await stack.graph('DELETE', `/users/${USER.adele}`)).status).toBe(204);
    await stack.cycle();
    const soft = stack.takeRequests();
    expect(soft.map(line)).toEqual([
      `PATCH /Users/${adeleTarget}`,
      'GET /Groups?excludedAttributes=members&filter=displayName eq "Engineering"',
      `PATCH /Groups/${targetId(stack, ENGINEERING)}`,
    ]);
    expect(soft[0].body).toEqual(patch({ op: 'Replace', path: 'active', value: 'False' }));
    expect(await scimUser(stack, 'adele@contoso.example')).toMatchObject({ active: false });

    expect((await stack.graph('DELETE', `/directory/deletedItems/${USER.adele}`)).status).toBe(204);
    await stack.cycle();
    // The hard delete also changed Engineering's membership in Entra, so the group is re-evaluated (nothing to send).
    expect(stack.takeRequests().map((r) => `${line(r)} ${r.status}`)).toEqual([
      `DELETE /Users/${adeleTarget} 204`,
      'GET /Groups?excludedAttributes=members&filter=displayName eq "Engineering" 200',
    ]);
    expect(await scimUser(stack, 'adele@contoso.example')).toBeUndefined();
    expect(stack.job.engine.users.has(USER.adele)).toBe(false);
  });

  it('a disabled account (accountEnabled false) is disabled in the target', async () => {
    expect((await stack.graph('PATCH', `/users/${USER.megan}`, { accountEnabled: false })).status).toBe(204);
    await stack.cycle();
    const requests = stack.takeRequests();
    expect(requests.map(line)).toEqual(['GET /Users?filter=userName eq "megan@contoso.example"', `PATCH /Users/${targetId(stack, USER.megan)}`]);
    expect(requests[1].body).toEqual(patch({ op: 'Replace', path: 'active', value: 'False' }));
  });
  it('re-enable: accountEnabled true again → PATCH active "True"', async () => {
    expect((await stack.graph('PATCH', `/users/${USER.megan}`, { accountEnabled: true })).status).toBe(204);
    await stack.cycle();
    const requests = stack.takeRequests();
    expect(requests.map(line)).toEqual(['GET /Users?filter=userName eq "megan@contoso.example"', `PATCH /Users/${targetId(stack, USER.megan)}`]);
    expect(requests[1].body).toEqual(patch({ op: 'Replace', path: 'active', value: 'True' }));
    expect(await scimUser(stack, 'megan@contoso.example')).toMatchObject({ active: true });
  });

  it('UPN rename: no match on the new userName, so the cached id is read, then userName is replaced', async () => {
    const nestor = (await stack.graph<{ value: Json[] }>('GET', `/users?$filter=${encodeURIComponent("userPrincipalName eq 'nestor@contoso.example'")}`)).body.value[0];
    const nestorId = String(nestor.id);
    expect((await stack.graph('PATCH', `/users/${nestorId}`, { userPrincipalName: 'nestor.wilke@contoso.example' })).status).toBe(204);
    await stack.cycle();
    const requests = stack.takeRequests();
    const target = targetId(stack, nestorId);
    expect(requests.map((r) => `${line(r)} ${r.status}`)).toEqual([
      'GET /Users?filter=userName eq "nestor.wilke@contoso.example" 200',
      `GET /Users/${target} 200`,
      `PATCH /Users/${target} 200`,
    ]);
    expect(requests[2].body).toEqual(patch({ op: 'Replace', path: 'userName', value: 'nestor.wilke@contoso.example' }));
    expect(await scimUser(stack, 'nestor.wilke@contoso.example')).toMatchObject({ id: target });
  });
});

describe('a group of several hundred members', () => {
  let stack: Stack;
  const userIds: string[] = [];
  let groupId = '';
  beforeAll(async () => {
    stack = await startStack({});
    for (let i = 0; i < 320; i++) {
      const res = await stack.graph('POST', '/users', { displayName: `Member ${i}`, userPrincipalName: `member${String(i).padStart(3, '0')}@contoso.example` });
      userIds.push(String(res.body.id));
    }
    const group = await stack.graph('POST', '/groups', { displayName: 'Signers', mailEnabled: false, securityEnabled: true, mailNickname: 'signers' });
    groupId = String(group.body.id);
    for (let i = 0; i < 300; i += 20) {
      const binds = userIds.slice(i, i + 20).map((id) => `https://graph.microsoft.com/v1.0/directoryObjects/${id}`);
      const res = await stack.graph('PATCH', `/groups/${groupId}`, { 'members@odata.bind': binds });
      if (res.status !== 204) throw new Error(JSON.stringify(res.body));
    }
    await assignUser(stack, groupId);
  });
  afterAll(async () => stack?.close());

  it('creates 300 users, the group without members, then member PATCHes of 50', async () => {
    const report = await stack.cycle();
    expect(report.counts).toMatchObject({ created: 301, escrowed: 0 });
    const requests = stack.takeRequests();
    expect(requests.filter((r) => r.method === 'POST' && r.path === '/Users')).toHaveLength(300);
    const groupRequests = requests.filter((r) => r.path.startsWith('/Groups'));
    expect(groupRequests.map((r) => r.method)).toEqual(['GET', 'POST', 'PATCH', 'PATCH', 'PATCH', 'PATCH', 'PATCH', 'PATCH']);
    expect(groupRequests[1].body).not.toHaveProperty('members');
    const sizes = groupRequests.slice(2).map((r) => ((r.body as { Operations: { value: unknown[] }[] }).Operations[0].value).length);
    expect(sizes).toEqual([50, 50, 50, 50, 50, 50]);
    const group = await stack.scim(`/Groups/${targetId(stack, groupId)}`);
    expect((group.members as unknown[]).length).toBe(300);
  });

  it('membership changes send only the difference: one Add and one Remove PATCH', async () => {
    for (const id of userIds.slice(0, 10)) expect((await stack.graph('DELETE', `/groups/${groupId}/members/${id}/$ref`)).status).toBe(204);
    const binds = userIds.slice(300, 305).map((id) => `https://graph.microsoft.com/v1.0/directoryObjects/${id}`);
    expect((await stack.graph('PATCH', `/groups/${groupId}`, { 'members@odata.bind': binds })).status).toBe(204);
    const report = await stack.cycle();
    expect(report.counts).toMatchObject({ created: 5, disabled: 10 });
    const requests = stack.takeRequests();
    const groupPatches = requests.filter((r) => r.method === 'PATCH' && r.path.startsWith('/Groups'));
    expect(groupPatches.map((r) => (r.body as { Operations: { op: string; value: unknown[] }[] }).Operations.map((o) => `${o.op} ${o.value.length}`))).toEqual([['Add 5'], ['Remove 10']]);
    // Unchanged members are not re-processed: 10 disables, 5 × (GET + POST), the group's GET and two PATCHes.
    expect(requests).toHaveLength(10 + 10 + 3);
    const group = await stack.scim(`/Groups/${targetId(stack, groupId)}`);
    expect((group.members as unknown[]).length).toBe(295);
  });
});

describe('failures', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ seed: SEED, proxy: true, engine: { maxRetryAfterSeconds: 1 } });
  });
  afterAll(async () => stack?.close());

  it('429 with Retry-After: waits, retries only the throttled request, then goes on', async () => {
    stack.proxy!.faults = [{ status: 429, retryAfter: '1', times: 1, match: /^POST .*\/Users$/ }];
    const report = await stack.cycle();
    expect(report).toMatchObject({ state: 'Succeeded', throttled: 1, counts: { created: 4, escrowed: 0 } });
    const requests = stack.takeRequests().map((r) => `${line(r)} ${r.status}`);
    expect(requests.slice(0, 3)).toEqual([
      'GET /Users?filter=userName eq "megan@contoso.example" 200',
      'POST /Users 429',
      'POST /Users 201',
    ]);
  });

  it('409 on create is escrowed and retried on the next cycle once the conflict is gone', async () => {
    // Match on externalId only, so a target user holding the same userName is not matched: POST → 409.
    const schema = (await stack.graph<{ synchronizationRules: { objectMappings: { attributeMappings: Json[] }[] }[] }>('GET', `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}/schema`)).body;
    for (const m of schema.synchronizationRules[0].objectMappings[0].attributeMappings) {
      if (m.targetAttributeName === 'userName') m.matchingPriority = 0;
      if (m.targetAttributeName === 'externalId') m.matchingPriority = 1;
    }
    expect((await stack.graph('PUT', `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}/schema`, schema)).status).toBe(204);
    const squatter = await fetch(`${stack.service.url}/scim/engine/Users`, {
      method: 'POST', headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'lynne@contoso.example', externalId: 'someone-else' }),
    });
    expect(squatter.status).toBe(201);
    const squatterId = String(((await squatter.json()) as Json).id);
    const lynne = await stack.graph('POST', '/users', { displayName: 'Lynne Robbins', userPrincipalName: 'lynne@contoso.example', mailNickname: 'lynne' });
    const lynneId = String(lynne.body.id);
    await assignUser(stack, lynneId);
    stack.takeRequests();

    const first = await stack.cycle();
    expect(first).toMatchObject({ state: 'EntryLevelErrors', counts: { escrowed: 1 } });
    // The schema change makes this a full cycle (every object re-matched by externalId); Lynne's part:
    const lynneRequests = (rs: RecordedRequest[]): string[] => rs.filter((r) => (r.body as Json | null)?.userName === 'lynne@contoso.example' || r.query.filter?.includes('lynne')).map((r) => `${line(r)} ${r.status}`);
    expect(lynneRequests(stack.takeRequests())).toEqual(['GET /Users?filter=externalId eq "lynne" 200', 'POST /Users 409']);
    expect(stack.job.engine.escrows.get(lynneId)).toMatchObject({ code: 'EntryConflict', attempts: 1 });
    const job = await stack.graph('GET', `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}`);
    expect(job.body).toMatchObject({ status: { code: 'Active', lastExecution: { state: 'EntryLevelErrors', countEscrowed: 1 } } });
    const logs = await stack.graph<{ value: Json[] }>('GET', `/auditLogs/provisioning?$filter=${encodeURIComponent(`sourceIdentity/id eq '${lynneId}'`)}`);
    expect(logs.body.value[0]).toMatchObject({ provisioningAction: 'create', provisioningStatusInfo: { status: 'failure', errorInformation: { errorCode: 'EntryConflict' } } });

    const del = await fetch(`${stack.service.url}/scim/engine/Users/${squatterId}`, { method: 'DELETE', headers: { authorization: `Bearer ${stack.token}` } });
    expect(del.status).toBe(204);
    const second = await stack.cycle();
    expect(second).toMatchObject({ state: 'Succeeded', counts: { created: 1, escrowed: 0 } });
    expect(lynneRequests(stack.takeRequests())).toEqual(['GET /Users?filter=externalId eq "lynne" 200', 'POST /Users 201']);
    expect(stack.job.engine.escrows.size).toBe(0);
    expect(await scimUser(stack, 'lynne@contoso.example')).toMatchObject({ externalId: 'lynne' });
  });

  it('SCIM endpoint down: the cycle fails without losing the change; it is exported once the endpoint is back', async () => {
    expect((await stack.graph('PATCH', `/users/${USER.megan}`, { jobTitle: 'Chair' })).status).toBe(204);
    stack.proxy!.down = true;
    const failed = await stack.cycle();
    expect(failed).toMatchObject({ state: 'Failed', error: { code: 'SystemForCrossDomainIdentityManagementServiceUnavailable' } });
    expect(stack.takeRequests().map((r) => r.status)).toEqual([0]);
    stack.proxy!.down = false;
    const back = await stack.cycle();
    expect(back).toMatchObject({ state: 'Succeeded', counts: { updated: 1 } });
    expect(stack.takeRequests().map(line)).toEqual(['GET /Users?filter=externalId eq "megan" 200'.replace(' 200', ''), `PATCH /Users/${targetId(stack, USER.megan)}`]);
    expect(await scimUser(stack, 'megan@contoso.example')).toMatchObject({ title: 'Chair' });
  });

  it('bad token: the job goes to quarantine with InvalidCredentials; a fixed token and start lift it', async () => {
    await stack.secrets({ SecretToken: 'not-the-token' });
    expect((await stack.graph('PATCH', `/users/${USER.megan}`, { jobTitle: 'Founder' })).status).toBe(204);
    const report = await stack.cycle();
    expect(report).toMatchObject({ state: 'Failed', quarantine: { reason: 'EncounteredQuarantineException' } });
    expect(stack.takeRequests().map((r) => r.status)).toEqual([401]);
    const job = await stack.graph('GET', `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}`);
    expect(job.body).toMatchObject({
      status: {
        code: 'Quarantine',
        lastExecution: { state: 'Failed', error: { code: 'SystemForCrossDomainIdentityManagementInvalidCredentials', tenantActionable: true } },
        quarantine: { reason: 'EncounteredQuarantineException', seriesCount: 1, error: { code: 'SystemForCrossDomainIdentityManagementInvalidCredentials' } },
      },
    });
    expect(JSON.stringify(job.body)).not.toContain('not-the-token');

    await stack.secrets({ SecretToken: stack.token });
    expect((await stack.graph('POST', `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}/start`)).status).toBe(204);
    await settle(stack);
    const after = await stack.graph('GET', `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}`);
    expect(after.body).toMatchObject({ status: { code: 'Active', quarantine: null, lastExecution: { state: 'Succeeded' } } });
    expect(await scimUser(stack, 'megan@contoso.example')).toMatchObject({ title: 'Founder' });
  });
});

describe('accidental-deletion threshold', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ seed: SEED });
    await stack.secrets({ SyncNotificationSettings: JSON.stringify({ Enabled: false, DeleteThresholdEnabled: true, DeleteThresholdValue: 1 }) });
    await stack.cycle();
    stack.takeRequests();
  });
  afterAll(async () => stack?.close());

  it('holds back disables above the threshold (quarantine TooManyDeletes) until restart with ForceDeletes', async () => {
    const assignments = await stack.graph<{ value: Json[] }>('GET', `/servicePrincipals/${stack.spId}/appRoleAssignedTo`);
    const engineering = assignments.body.value.find((a) => a.principalId === ENGINEERING)!;
    const groupTarget = targetId(stack, ENGINEERING);
    expect((await stack.graph('DELETE', `/servicePrincipals/${stack.spId}/appRoleAssignedTo/${String(engineering.id)}`)).status).toBe(204);
    const held = await stack.cycle();
    expect(held).toMatchObject({ quarantine: { reason: 'TooManyDeletes' }, heldDeletes: 3 });
    expect(stack.takeRequests().filter((r) => r.method !== 'GET')).toEqual([]);
    expect(await scimUser(stack, 'adele@contoso.example')).toMatchObject({ active: true });
    const job = await stack.graph('GET', `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}`);
    expect(job.body).toMatchObject({ status: { code: 'Quarantine', quarantine: { reason: 'TooManyDeletes' } } });

    expect((await stack.graph('POST', `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}/restart`, { criteria: { resetScope: 'ForceDeletes' } })).status).toBe(204);
    await settle(stack);
    expect((await stack.graph('GET', `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}`)).body).toMatchObject({ status: { code: 'Active', quarantine: null } });
    const sent = stack.takeRequests().filter((r) => r.method !== 'GET').map(line);
    expect(sent).toEqual(expect.arrayContaining([`PATCH /Users/${targetId(stack, USER.adele)}`, `PATCH /Users/${targetId(stack, USER.alex)}`, `DELETE /Groups/${groupTarget}`]));
    expect(stack.job.engine.heldDeletes.size).toBe(0);
    expect(await scimUser(stack, 'adele@contoso.example')).toMatchObject({ active: false });
  });
});

describe('tenant URL variants', () => {
  it('dry-run tenant URL: Entra’s requests are answered, nothing is stored', async () => {
    const stack = await startStack({ seed: SEED, tenantUrlSuffix: '/dry-run' });
    try {
      await stack.cycle();
      const requests = stack.takeRequests();
      expect(requests.filter((r) => r.method === 'POST').map((r) => `${line(r)} ${r.status}`)).toEqual(['POST /Users 201', 'POST /Users 201', 'POST /Users 201', 'POST /Groups 201']);
      expect((await stack.scim('/Users')).totalResults).toBe(0);
      expect((await stack.scim('/Groups')).totalResults).toBe(0);
    } finally {
      await stack.close();
    }
  });

  it('aadOptscim062020: lower-case ops, one no-path replace, boolean active, member removal by path filter', async () => {
    const stack = await startStack({ seed: SEED, tenantUrlSuffix: '?aadOptscim062020' });
    try {
      await stack.cycle();
      stack.takeRequests();
      expect((await stack.graph('PATCH', `/users/${USER.alex}`, { jobTitle: 'Lead', department: 'Platform' })).status).toBe(204);
      await stack.cycle();
      expect(stack.takeRequests().find((r) => r.method === 'PATCH')?.body).toEqual(patch({ op: 'replace', value: { title: 'Lead', [`${ENTERPRISE}:department`]: 'Platform' } }));
      expect((await stack.graph('DELETE', `/groups/${ENGINEERING}/members/${USER.alex}/$ref`)).status).toBe(204);
      await stack.cycle();
      const patches = stack.takeRequests().filter((r) => r.method === 'PATCH');
      expect(patches.map((r) => r.body)).toEqual([
        patch({ op: 'replace', value: { active: false } }),
        patch({ op: 'remove', path: `members[value eq "${targetId(stack, USER.alex)}"]` }),
      ]);
      expect(await scimUser(stack, 'alex@contoso.example')).toMatchObject({ active: false, title: 'Lead' });
    } finally {
      await stack.close();
    }
  });
});

/** Waits for the cycle `start`/`restart` launched in the background. */
async function settle(stack: Stack): Promise<void> {
  while (stack.job.running) await stack.job.running.catch(() => undefined);
}

export type { RecordedRequest };
