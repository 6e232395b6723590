// verify-provisioning as a child process: the gate passes only when every check holds; --junit for CI.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSynchronizationSchema } from '../../provisioning/index.js';
import { configuredApp, type ConfiguredApp, runScript, schemaWithRejectedAttribute, startHarness, type Harness } from './support/harness.js';

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'verify-'));
}, 60_000);
afterAll(() => h.close());

const canaries = ['--user', 'megan.bowen@contoso.com', '--group', 'SignPath Administrators'];

describe('verify-provisioning', { timeout: 120_000 }, () => {
  it('passes every check, compares every mapped attribute, writes JUnit; a rerun passes again', async () => {
    const app = await configuredApp(h);
    const junit = join(dir, 'verify.xml');
    const r = await runScript('verify-provisioning', [...app.common, ...canaries, '--junit', junit, '--json'], { SCIM_TOKEN: app.token });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.ok).toBe(true);
    expect(Object.keys(r.json).sort()).toEqual(['checks', 'jobId', 'ok', 'servicePrincipalId']);
    expect(Object.keys(r.json.checks[0]).sort()).toEqual(['detail', 'durationMs', 'name', 'status']);
    const names = r.json.checks.map((c: { name: string }) => c.name);
    expect(names).toEqual([
      'Test Connection',
      'Provision User megan.bowen@contoso.com',
      'Attributes of User megan.bowen@contoso.com',
      'Provision Group SignPath Administrators',
      'Attributes of Group SignPath Administrators',
      'Job not in quarantine',
      expect.stringMatching(/^No failures in provisioning logs since /),
    ]);
    const attributes = r.json.checks[2].comparisons as { target: string; status: string; expected: unknown }[];
    const built = buildSynchronizationSchema('local').synchronizationRules[0].objectMappings.find((m) => m.sourceObjectName === 'User')!;
    expect(attributes.map((a) => a.target)).toEqual(built.attributeMappings.map((m) => m.targetAttributeName));
    expect(attributes.find((a) => a.target === 'externalId')).toMatchObject({ status: 'match', expected: 'local-sso:1c73398b-ab11-4586-9816-8fb0388f9897' });
    expect(attributes.filter((a) => a.status === 'match').length).toBeGreaterThan(15);
    expect(attributes.some((a) => a.status === 'mismatch')).toBe(false);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toContain('tests="7" failures="0"');
    expect(xml).not.toContain(app.token);

    const again = await runScript('verify-provisioning', [...app.common, ...canaries, '--json'], { SCIM_TOKEN: app.token });
    expect(again.code, again.stderr).toBe(0);
  });

  it('checks the manager reference: the service points at the SCIM id of the provisioned manager', async () => {
    const app = await configuredApp(h);
    // alex.wilber is adele.vance's manager in the sample directory; provisioned first, so the reference can resolve.
    const r = await runScript('verify-provisioning', [...app.common, '--user', 'alex.wilber@contoso.com', '--user', 'adele.vance@contoso.com', '--json'], { SCIM_TOKEN: app.token });
    expect(r.code, r.stderr).toBe(0);
    const adele = r.json.checks.find((c: { name: string }) => c.name === 'Attributes of User adele.vance@contoso.com');
    const manager = adele.comparisons.find((c: { target: string }) => c.target.endsWith(':manager'));
    expect(manager.status).toBe('match');
    expect(manager.expected).toMatch(/^[0-9a-f-]{36}$/);
    expect(manager.actual).toBe(manager.expected);
  });

  it('reads canaries from --canaries and with --with-members checks that the group in the service holds its provisioned members', async () => {
    const app = await configuredApp(h);
    const file = join(dir, 'canaries.json');
    await writeFile(file, JSON.stringify({ groups: ['SignPath Administrators'] }));
    const r = await runScript('verify-provisioning', [...app.common, '--canaries', file, '--with-members', '--json'], { SCIM_TOKEN: app.token });
    expect(r.code, r.stderr).toBe(0);
    const group = r.json.checks.find((c: { name: string }) => c.name === 'Attributes of Group SignPath Administrators');
    const members = group.comparisons.find((c: { target: string }) => c.target === 'members');
    expect(members.status).toBe('match');
    expect(members.expected.length).toBeGreaterThan(0);
  });

  it('fails (exit 1) on a failed Test Connection and skips the canaries', async () => {
    const app = await configuredApp(h, { token: 'not-the-token' });
    const r = await runScript('verify-provisioning', [...app.common, ...canaries], { SCIM_TOKEN: app.token });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Test Connection\s+FAIL/);
    expect(r.stdout).toMatch(/Canaries\s+SKIP\s+skipped: Test Connection failed/);
    expect(r.stdout).toContain('FAILED: 1 of');
  });

  it('fails (exit 1) when a canary cannot be provisioned, and the log check reports the error code', async () => {
    const app = await configuredApp(h, { schema: schemaWithRejectedAttribute(buildSynchronizationSchema('local')), freshTenant: true });
    const junit = join(dir, 'failed.xml');
    const r = await runScript('verify-provisioning', [...app.common, '--user', 'megan.bowen@contoso.com', '--junit', junit, '--json'], { SCIM_TOKEN: app.token });
    expect(r.code).toBe(1);
    const byName = Object.fromEntries(r.json.checks.map((c: { name: string; status: string }) => [c.name, c.status]));
    expect(byName['Provision User megan.bowen@contoso.com']).toBe('fail');
    expect(r.json.checks.at(-1).status).toBe('fail');
    expect(await readFile(junit, 'utf8')).toContain('failures="2"');
  });

  it.each([
    ['no canaries', [], {}, 'No canary users or groups'],
    ['no SCIM token', ['--user', 'megan.bowen@contoso.com'], { SCIM_TOKEN: '' }, 'needs its token'],
  ])('exits 2 with %s', async (_what, extra, env, message) => {
    const r = await runScript('verify-provisioning', ['--graph-url', h.graphUrl, '--service-principal-id', '00000000-0000-0000-0000-000000000001', ...extra, '--json'], { SCIM_TOKEN: h.token, ...env });
    expect(r.code).toBe(2);
    expect(r.json.error.message).toContain(message);
  });
});
