// The provisioning engine against the real SCIM service: the initial cycle's exact request sequence
// (entra-scim-client.md §1.1: match by filter, POST, manager after the user exists, group POST without
// members then a member PATCH), an incremental cycle that sends nothing, job status and provisioning logs.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphSchemaErrors } from './support/graph.js';
import { line, startStack, type Stack } from './support/stack.js';

const SEED = fileURLToPath(new URL('./fixtures/stories-seed.json', import.meta.url));
const MANAGER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ seed: SEED });
});
afterAll(async () => {
  await stack?.close();
});

describe('initial cycle', () => {
  it('sends Entra’s sequence: match, POST, manager PATCH after both users exist, group without members, member PATCH', async () => {
    const report = await stack.cycle();
    expect(report).toMatchObject({ full: true, state: 'Succeeded', counts: { created: 4, escrowed: 0 } });
    const requests = stack.takeRequests();
    expect(requests.map(line)).toEqual([
      'GET /Users?filter=userName eq "megan@contoso.example"',
      'POST /Users',
      'GET /Users?filter=userName eq "adele@contoso.example"',
      'POST /Users',
      'GET /Users?filter=userName eq "alex@contoso.example"',
      'POST /Users',
      `PATCH /Users/${idOf(requests, 'adele')}`,
      `PATCH /Users/${idOf(requests, 'alex')}`,
      'GET /Groups?excludedAttributes=members&filter=displayName eq "Engineering"',
      'POST /Groups',
      `PATCH /Groups/${String((requests[9].response as { id: string }).id)}`,
    ]);
    expect(requests[1].body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      userName: 'megan@contoso.example', active: true, displayName: 'Megan Bowen', externalId: 'megan',
      name: { givenName: 'Megan', familyName: 'Bowen', formatted: 'Megan Bowen' },
      emails: [{ primary: true, type: 'work', value: 'megan@contoso.example' }],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Executive' },
    });
    expect(requests[1].body).not.toHaveProperty(['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', 'manager']);
    expect(requests[6].body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Add', path: MANAGER, value: idOf(requests, 'megan') }],
    });
    expect(requests[9].body).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'],
      displayName: 'Engineering', externalId: 'd0000000-0000-4000-8000-000000000001', meta: { resourceType: 'Group' },
    });
    expect(requests[10].body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: idOf(requests, 'adele') }, { $ref: null, value: idOf(requests, 'alex') }] }],
    });
  });

  it('leaves the service with the users, the manager chain and the group members', async () => {
    const users = await stack.scim('/Users?filter=' + encodeURIComponent('userName eq "alex@contoso.example"'));
    const alex = (users.Resources as Record<string, unknown>[])[0];
    const adele = ((await stack.scim('/Users?filter=' + encodeURIComponent('userName eq "adele@contoso.example"'))).Resources as Record<string, unknown>[])[0];
    expect(alex['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toMatchObject({ manager: { value: adele.id } });
    const groups = await stack.scim('/Groups?filter=' + encodeURIComponent('displayName eq "Engineering"'));
    const group = (groups.Resources as Record<string, unknown>[])[0];
    expect((group.members as { value: string }[]).map((m) => m.value).sort()).toEqual([adele.id, alex.id].sort());
    expect((await stack.scim('/Users')).totalResults).toBe(3);
  });

  it('reports the cycle in the job status', async () => {
    const job = await stack.graph('GET', `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}`);
    expect(graphSchemaErrors('synchronizationJob', job.body)).toEqual([]);
    expect(job.body).toMatchObject({
      status: {
        lastExecution: { state: 'Succeeded', countExported: 6, countExports: 7, countEscrowed: 0 },
        lastSuccessfulExecutionWithExports: { state: 'Succeeded' },
        quarantine: null,
        progress: [{ completedUnits: 5, totalUnits: 5, units: 'Entries' }],
        synchronizedEntryCountByType: [{ key: expect.stringContaining('user'), value: 3 }, { key: expect.stringContaining('group'), value: 1 }],
      },
    });
    expect((job.body.status as { steadyStateLastAchievedTime: string }).steadyStateLastAchievedTime).not.toBe('0001-01-01T00:00:00Z');
  });
});

describe('incremental cycle', () => {
  it('sends nothing when nothing changed (watermark)', async () => {
    const report = await stack.cycle();
    expect(report).toMatchObject({ full: false, state: 'Succeeded', counts: { imported: 0, exports: 0 } });
    expect(stack.takeRequests()).toEqual([]);
  });
});

describe('provisioning logs', () => {
  it('has one record per action with Import, Scoping, Matching and Export steps, filterable by jobId and paged', async () => {
    const first = await stack.graph<{ value: Record<string, unknown>[]; '@odata.nextLink'?: string }>('GET', `/auditLogs/provisioning?$filter=${encodeURIComponent(`jobId eq '${stack.jobId}'`)}&$top=3&$orderby=${encodeURIComponent('activityDateTime desc')}`);
    expect(first.status).toBe(200);
    expect(first.body.value).toHaveLength(3);
    for (const record of first.body.value) expect(graphSchemaErrors('provisioningObjectSummary', record)).toEqual([]);
    expect(first.body['@odata.nextLink']).toBeTruthy();
    const rest = await stack.graph<{ value: Record<string, unknown>[] }>('GET', first.body['@odata.nextLink']!);
    const all = [...first.body.value, ...rest.body.value];
    // 3 user creates, 2 manager updates, 1 group create.
    expect(all.map((r) => r.provisioningAction).sort()).toEqual(['create', 'create', 'create', 'create', 'update', 'update']);
    const megan = all.find((r) => (r.sourceIdentity as { id: string }).id === 'c0000000-0000-4000-8000-000000000001')!;
    expect((megan.provisioningSteps as { provisioningStepType: string }[]).map((s) => s.provisioningStepType)).toEqual(['import', 'scoping', 'matching', 'export']);
    expect(megan).toMatchObject({ provisioningStatusInfo: { status: 'success' }, servicePrincipal: { id: stack.spId }, targetSystem: { displayName: 'customappsso' } });
    const bySp = await stack.graph<{ value: unknown[] }>('GET', `/auditLogs/provisioning?$filter=${encodeURIComponent(`servicePrincipal/id eq '${stack.spId}'`)}`);
    expect(bySp.body.value).toHaveLength(6);
    const none = await stack.graph<{ value: unknown[] }>('GET', `/auditLogs/provisioning?$filter=${encodeURIComponent("jobId eq 'other'")}`);
    expect(none.body.value).toEqual([]);
  });
});

/** The SCIM id the service assigned to a user, read from the POST response recorded for it. */
function idOf(requests: { method: string; path: string; body: unknown; response?: unknown }[], alias: string): string {
  const post = requests.find((r) => r.method === 'POST' && r.path === '/Users' && String((r.body as { userName?: string }).userName).startsWith(`${alias}@`));
  return String((post?.response as { id?: string } | undefined)?.id);
}
