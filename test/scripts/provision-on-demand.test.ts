// provision-on-demand as a child process against the emulator's provisioning engine and the real SCIM service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSynchronizationSchema } from '../../provisioning/index.js';
import { configuredApp, type ConfiguredApp, runScript, schemaWithRejectedAttribute, startHarness, type Harness } from './support/harness.js';

let h: Harness;
let app: ConfiguredApp;
beforeAll(async () => {
  h = await startHarness();
  app = await configuredApp(h);
}, 90_000);
afterAll(() => h.close());

describe('provision-on-demand', { timeout: 90_000 }, () => {
  it('provisions a user by UPN and prints Import, Scoping, Matching and Export like the portal', async () => {
    const r = await runScript('provision-on-demand', [...app.common, '--user', 'megan.bowen@contoso.com']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/User megan\.bowen@contoso\.com \([0-9a-f-]{36}\): Success \(Create\)/);
    for (const step of ['✔ Import user', '✔ Determine if user is in scope', '✔ Match user between source and target system', '✔ Perform action']) expect(r.stdout).toContain(step);
    expect(r.stdout).toContain('Exported attributes:');
    expect(r.stdout).toMatch(/userName\s+megan\.bowen@contoso\.com/);
  });

  it('is idempotent: the same user again is up to date (Skipped or Update), by display name or object id', async () => {
    const byName = await runScript('provision-on-demand', [...app.common, '--user', 'Megan Bowen', '--json']);
    expect(byName.code, byName.stderr).toBe(0);
    const first = byName.json.results[0];
    expect(['Skipped', 'Success']).toContain(first.result);
    expect(first.action).not.toBe('Create');
    const byId = await runScript('provision-on-demand', [...app.common, '--user', first.objectId, '--json']);
    expect(byId.code).toBe(0);
    expect(byId.json.results[0].objectId).toBe(first.objectId);
  });

  it('--json returns the decoded provisionOnDemand documents for a group with its members', async () => {
    const r = await runScript('provision-on-demand', [...app.common, '--group', 'SignPath Administrators', '--with-members', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const g = r.json.results[0];
    expect(Object.keys(r.json).sort()).toEqual(['jobId', 'ok', 'results', 'servicePrincipalId']);
    expect(Object.keys(g).sort()).toEqual(['action', 'displayName', 'errorCode', 'errorMessage', 'exportedAttributes', 'input', 'members', 'objectId', 'objectType', 'ok', 'raw', 'result', 'steps']);
    expect(g).toMatchObject({ objectType: 'Group', displayName: 'SignPath Administrators', ok: true });
    expect(g.members.length).toBeGreaterThan(0);
    const types = g.steps.map((s: { type: string }) => s.type);
    expect(types.slice(0, 3)).toEqual(['Import', 'Scoping', 'Matching']);
    expect(types.slice(3).every((t: string) => t === 'Export')).toBe(true);
    expect(typeof g.raw.result.result).toBe('string');
    expect(Array.isArray(g.raw.value.provisioningSteps)).toBe(true);
  });

  it('waits for the 5-calls-per-10-s limit instead of being throttled', async () => {
    const users = ['adele.vance@contoso.com', 'alex.wilber@contoso.com', 'megan.bowen@contoso.com'];
    const r = await runScript('provision-on-demand', [...app.common, ...users.flatMap((u) => ['--user', u]), '--json'], { PROVISION_ON_DEMAND_LIMIT: '2', PROVISION_ON_DEMAND_WINDOW_MS: '1500' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.results).toHaveLength(3);
    expect(r.stderr).toMatch(/waiting \d+\.\ds before the next call: Graph allows 2 provision-on-demand calls per 1\.5 s/);
  });

  it('exits 1 and shows the failed step when the SCIM service rejects the export', async () => {
    const broken = await configuredApp(h, { schema: schemaWithRejectedAttribute(buildSynchronizationSchema('local')), freshTenant: true });
    const r = await runScript('provision-on-demand', [...broken.common, '--user', 'megan.bowen@contoso.com', '--json']);
    expect(r.code).toBe(1);
    const u = r.json.results[0];
    expect(u.ok).toBe(false);
    expect(u.result).toBe('Failure');
    expect(u.errorCode).toBeTruthy();
    expect(u.steps.at(-1)).toMatchObject({ type: 'Export', status: 'Failure' });
  });

  it('counts a user skipped as out of scope (not assigned) as a failure, unlike one already up to date', async () => {
    const r = await runScript('provision-on-demand', [...app.common, '--user', 'lee.gu@contoso.com', '--json']);
    expect(r.code).toBe(1);
    expect(r.json.results[0]).toMatchObject({ result: 'Skipped', ok: false, errorCode: 'NotEffectivelyEntitled' });
  });

  it.each([
    ['an unknown user', ['--user', 'nobody@contoso.com'], 4, 'UserNotFound'],
    ['an unknown group', ['--group', 'No Such Group'], 4, 'GroupNotFound'],
    ['nothing to provision', [], 2, 'UsageError'],
  ])('fails clearly on %s', async (_what, extra, code, errorCode) => {
    const r = await runScript('provision-on-demand', [...app.common, ...extra, '--json']);
    expect(r.code).toBe(code);
    expect(r.json.error.code).toBe(errorCode);
    expect(r.json.error.fix).toBeTruthy();
  });
});
