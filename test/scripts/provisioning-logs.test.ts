// provisioning-logs as a child process: windows and filters, failures grouped by error code with cause and fix,
// --follow until a started cycle ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSynchronizationSchema } from '../../provisioning/index.js';
import { startJob } from '../../scripts/lib/graph/synchronization.js';
import { configuredApp, type ConfiguredApp, runScript, schemaWithRejectedAttribute, startHarness, type Harness } from './support/harness.js';

let h: Harness;
let good: ConfiguredApp;
let broken: ConfiguredApp;
beforeAll(async () => {
  h = await startHarness();
  good = await configuredApp(h);
  broken = await configuredApp(h, { schema: schemaWithRejectedAttribute(buildSynchronizationSchema('local')), freshTenant: true });
  const a = await runScript('provision-on-demand', [...good.common, '--user', 'megan.bowen@contoso.com', '--user', 'alex.wilber@contoso.com']);
  const b = await runScript('provision-on-demand', [...broken.common, '--user', 'megan.bowen@contoso.com', '--user', 'adele.vance@contoso.com']);
  if (a.code !== 0 || b.code !== 1) throw new Error(`setup: provision-on-demand exited ${a.code}/${b.code}: ${a.stderr}${b.stderr}`);
}, 120_000);
afterAll(() => h.close());

describe('provisioning-logs', { timeout: 90_000 }, () => {
  it('lists the job\'s records and exits 0 when none failed', async () => {
    const r = await runScript('provisioning-logs', [...good.common, '--since', '1h']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Time \(UTC\)\s+Action\s+Status\s+Identity\s+Error code/);
    expect(r.stdout).toContain('megan.bowen@contoso.com');
    expect(r.stdout).toMatch(/2 records since .*: 2 success, 0 failure/);
    const json = await runScript('provisioning-logs', [...good.common, '--user', 'alex.wilber@contoso.com', '--json']);
    expect(json.json.records).toHaveLength(1);
    expect(Object.keys(json.json).sort()).toEqual(['counts', 'failures', 'job', 'jobId', 'ok', 'records', 'window']);
    expect(json.json.records[0].sourceIdentity.displayName).toBe('alex.wilber@contoso.com');
    expect(json.json).toMatchObject({ ok: true, jobId: good.jobId, failures: [], counts: { success: 1, failure: 0 } });
  });

  it('groups failures by error code with the documented cause and fix, and exits 1', async () => {
    const r = await runScript('provisioning-logs', [...broken.common, '--status', 'failure', '--json']);
    expect(r.code).toBe(1);
    expect(r.json.ok).toBe(false);
    expect(r.json.counts.failure).toBe(2);
    const [group] = r.json.failures;
    expect(group.count).toBe(2);
    expect(group.errorCode).toBeTruthy();
    expect(group.cause.length).toBeGreaterThan(10);
    expect(group.fix.length).toBeGreaterThan(10);
    expect(group.examples.map((e: { identity: string }) => e.identity).sort()).toEqual(['adele.vance@contoso.com', 'megan.bowen@contoso.com']);
    const human = await runScript('provisioning-logs', [...broken.common]);
    expect(human.stdout).toContain('Failures by error code:');
    expect(human.stdout).toMatch(/cause: .+\n\s+fix: .+/);
  });

  it('--follow --until-cycle-end watches a started cycle to its end', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const start = await runScript('configure-provisioning', [...good.common, '--start', '--json']);
    expect(start.code, start.stderr).toBe(0);
    const r = await runScript('provisioning-logs', [...good.common, '--follow', '--until-cycle-end', '--since', since, '--interval', '0.3', '--timeout', '60', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.job.lastExecution.state).toBe('Succeeded');
    expect(r.json.records.length).toBeGreaterThan(2);
  });

  it('exits 1 and explains the quarantine of a job whose token the SCIM service refuses', async () => {
    const quarantined = await configuredApp(h, { token: 'not-the-token' });
    await startJob(h.api, quarantined.spId, quarantined.jobId);
    const r = await runScript('provisioning-logs', [...quarantined.common, '--follow', '--until-cycle-end', '--since', '1m', '--interval', '0.3', '--timeout', '60', '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json.job.status).toBe('Quarantine');
    expect(r.json.job.quarantine.reason).toBeTruthy();
    const human = await runScript('provisioning-logs', [...quarantined.common]);
    expect(human.stdout).toMatch(/QUARANTINE/);
    expect(human.stdout).toContain('quarantine fix:');
  });

  it('--follow gives up after --timeout with exit 1 when no cycle ends', async () => {
    const idle = await configuredApp(h);
    const r = await runScript('provisioning-logs', [...idle.common, '--follow', '--until-cycle-end', '--since', '1m', '--interval', '0.2', '--timeout', '1', '--json']);
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('FollowTimeout');
  });

  it.each([
    [['--since', 'yesterday'], "'yesterday' is neither a duration nor a date"],
    [['--status', 'broken'], '--status broken is not one of'],
    [['--top', '0'], 'is not a positive whole number'],
    [['--follow', '--timeout', 'soon'], '--timeout soon is not a positive number'],
  ])('rejects %j with exit 2', async (extra, message) => {
    const r = await runScript('provisioning-logs', [...good.common, ...extra, '--json']);
    expect(r.code).toBe(2);
    expect(r.json.error.message).toContain(message);
  });
});
