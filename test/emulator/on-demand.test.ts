// provisionOnDemand (graph-synchronization.md §3.10): one subject through the pipeline, the answer a
// stringKeyStringValuePair whose key and value are JSON documents in strings, with Import, Scoping,
// Matching and Export steps; plus restart with resetScope and escrow-based quarantine thresholds.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphSchemaErrors } from './support/graph.js';
import { line, startStack, type Stack } from './support/stack.js';

const SEED = fileURLToPath(new URL('./fixtures/stories-seed.json', import.meta.url));
const RULE_ID = '03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8';
const ADELE = 'c0000000-0000-4000-8000-000000000002';
const DIEGO = 'c0000000-0000-4000-8000-000000000004';
const ENGINEERING = 'd0000000-0000-4000-8000-000000000001';
type Json = Record<string, unknown>;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ seed: SEED });
});
afterAll(async () => stack?.close());

async function onDemand(subject: Json, ruleId = RULE_ID): Promise<{ status: number; body: Json; key: Json; value: Json }> {
  const res = await stack.graph('POST', `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}/provisionOnDemand`, { parameters: [{ ruleId, subjects: [subject] }] });
  const key = typeof res.body.key === 'string' ? (JSON.parse(res.body.key) as Json) : {};
  const value = typeof res.body.value === 'string' ? (JSON.parse(res.body.value) as Json) : {};
  return { status: res.status, body: res.body, key, value };
}

describe('provisionOnDemand', () => {
  it('creates one user and answers with the JSON-in-string document and its four steps', async () => {
    const res = await onDemand({ objectId: ADELE, objectTypeName: 'User' });
    expect(res.status).toBe(200);
    expect(graphSchemaErrors('stringKeyStringValuePair', res.body)).toEqual([]);
    expect(res.key).toEqual({ result: 'Success', details: {} });
    expect(res.value).toMatchObject({
      action: 'Create',
      reportableIdentifier: 'adele@contoso.example',
      sourceIdentity: { id: ADELE, type: 'User' },
      targetIdentity: { type: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' },
      sourceSystem: { name: 'Azure Active Directory' },
      targetSystem: { name: 'customappsso' },
      statusInfo: { status: 'Success' },
    });
    expect((res.value.provisioningSteps as Json[]).map((s) => `${String(s.type)}:${String(s.status)}`)).toEqual(['Import:Success', 'Scoping:Success', 'Matching:Success', 'Export:Success']);
    expect(res.value.modifiedProperties).toContainEqual({ displayName: 'userName', oldValue: null, newValue: 'adele@contoso.example' });
    expect(stack.takeRequests().map(line)).toEqual(['GET /Users?filter=userName eq "adele@contoso.example"', 'POST /Users']);
    const log = await stack.graph<{ value: Json[] }>('GET', `/auditLogs/provisioning?$filter=${encodeURIComponent(`sourceIdentity/id eq '${ADELE}'`)}`);
    expect(log.body.value[0]).toMatchObject({ initiatedBy: { initiatorType: 'user' }, provisioningAction: 'create' });
  });

  it('a second call is Skipped with RedundantExport', async () => {
    const res = await onDemand({ objectId: ADELE, objectTypeName: 'User' });
    expect(res.key).toMatchObject({ result: 'Skipped', details: { errorCode: 'RedundantExport' } });
    expect((res.value.provisioningSteps as Json[]).at(-1)).toMatchObject({ type: 'Export', status: 'Skipped', details: { SkipReason: 'RedundantExport' } });
  });

  it('an unassigned user is skipped at scoping and nothing is sent', async () => {
    stack.takeRequests();
    const res = await onDemand({ objectId: DIEGO, objectTypeName: 'User' });
    expect(res.key).toMatchObject({ result: 'Skipped' });
    expect((res.value.provisioningSteps as Json[]).find((s) => s.type === 'Scoping')).toMatchObject({ status: 'Skipped', details: { ScopeEvaluationResult: 'OutOfScope', 'Assigned to the application': 'False' } });
    expect(stack.takeRequests()).toEqual([]);
  });

  it('a group with linked members: the group without members, then only those members', async () => {
    stack.takeRequests();
    const res = await onDemand({ objectId: ENGINEERING, objectTypeName: 'Group', links: { members: [{ objectId: ADELE, objectTypeName: 'User' }] } });
    expect(res.key).toMatchObject({ result: 'Success' });
    const requests = stack.takeRequests();
    expect(requests.map(line)).toEqual([
      'GET /Groups?excludedAttributes=members&filter=displayName eq "Engineering"',
      'POST /Groups',
      `PATCH /Groups/${stack.job.engine.groups.get(ENGINEERING)!.targetId}`,
    ]);
    expect((requests[2].body as { Operations: { value: Json[] }[] }).Operations[0].value).toEqual([{ $ref: null, value: stack.job.engine.users.get(ADELE)!.targetId }]);
  });

  it('rejects a wrong ruleId, a missing subject, more than five members', async () => {
    const wrongRule = await onDemand({ objectId: ADELE, objectTypeName: 'User' }, 'nope');
    expect(wrongRule.status).toBe(400);
    expect(JSON.stringify(wrongRule.body)).toContain(RULE_ID);
    const empty = await stack.graph('POST', `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}/provisionOnDemand`, {});
    expect(empty.status).toBe(400);
    const members = Array.from({ length: 6 }, () => ({ objectId: ADELE, objectTypeName: 'User' }));
    expect((await onDemand({ objectId: ENGINEERING, objectTypeName: 'Group', links: { members } })).status).toBe(400);
    expect((await onDemand({ objectId: '99999999-0000-4000-8000-000000000000', objectTypeName: 'User' })).status).toBe(404);
  });
});

describe('restart and thresholds', () => {
  it('restart with resetScope Watermark re-evaluates every object (a full cycle)', async () => {
    await stack.cycle();
    expect((await stack.cycle()).counts.imported).toBe(0);
    stack.takeRequests();
    expect((await stack.graph('POST', `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}/restart`, { criteria: { resetScope: 'Watermark' } })).status).toBe(204);
    while (stack.job.running) await stack.job.running;
    const job = await stack.graph('GET', `/servicePrincipals/${stack.spId}/synchronization/jobs/${stack.jobId}`);
    expect(job.body).toMatchObject({ schedule: { state: 'Active', interval: 'PT40M' }, status: { code: 'Active', lastExecution: { state: 'Succeeded', countImported: 4 } } });
    expect(stack.takeRequests().filter((r) => r.method === 'GET')).toHaveLength(4);
  });

  it('with cycleIntervalMs, cycles repeat while the job is active and stop when it is paused (soak runs)', async () => {
    const s = await startStack({ seed: SEED, cycleIntervalMs: 40 });
    try {
      expect((await s.graph('POST', `/servicePrincipals/${s.spId}/synchronization/jobs/${s.jobId}/start`)).status).toBe(204);
      const until = async (done: () => boolean): Promise<void> => {
        for (let i = 0; i < 250 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
        expect(done()).toBe(true);
      };
      await until(() => s.job.engine.users.size === 3);
      expect((await s.graph('PATCH', `/users/${ADELE}`, { jobTitle: 'Director' })).status).toBe(204);
      await until(() => s.job.engine.requests.some((r) => r.method === 'PATCH' && JSON.stringify(r.body).includes('Director')));
      expect((await s.graph('POST', `/servicePrincipals/${s.spId}/synchronization/jobs/${s.jobId}/pause`)).status).toBe(204);
      while (s.job.running) await s.job.running;
      const sent = s.job.engine.requests.length;
      expect((await s.graph('PATCH', `/users/${ADELE}`, { jobTitle: 'VP' })).status).toBe(204);
      await new Promise((r) => setTimeout(r, 200));
      expect(s.job.engine.requests.length).toBe(sent);
    } finally {
      await s.close();
    }
  });

  it('quarantines on the escrow proportion threshold (lowered from 5,000 for the test)', async () => {
    const s = await startStack({ seed: SEED, proxy: true, engine: { thresholds: { minimumFailures: 2, failureProportion: 0.4, totalFailures: 100 } } });
    try {
      s.proxy!.faults = [{ status: 500, times: 100, match: /^POST / }];
      const report = await s.cycle();
      expect(report).toMatchObject({ state: 'EntryLevelErrors', counts: { escrowed: 4 }, quarantine: { reason: 'EncounteredEscrowProportionThreshold' } });
      const job = await s.graph('GET', `/servicePrincipals/${s.spId}/synchronization/jobs/${s.jobId}`);
      expect(job.body).toMatchObject({ status: { code: 'Quarantine', quarantine: { reason: 'EncounteredEscrowProportionThreshold' } } });
      expect(graphSchemaErrors('synchronizationJob', job.body)).toEqual([]);
      const failures = await s.graph<{ value: Json[] }>('GET', `/auditLogs/provisioning?$filter=${encodeURIComponent(`jobId eq '${s.jobId}'`)}`);
      expect(failures.body.value.map((r) => (r.provisioningStatusInfo as { errorInformation: { errorCode: string } }).errorInformation.errorCode)).toEqual(Array(4).fill('InternalServerError'));
    } finally {
      await s.close();
    }
  });
});
