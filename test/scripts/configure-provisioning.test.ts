// configure-provisioning as a child process against the emulator and the real SCIM service.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listJobs } from '../../scripts/lib/graph/synchronization.js';
import { newApp, runScript, startHarness, type Harness } from './support/harness.js';

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'configure-'));
});
afterAll(() => h.close());

describe('configure-provisioning', { timeout: 90_000 }, () => {
  it('prints --help with its options and exit codes', async () => {
    const r = await runScript('configure-provisioning', ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--tenant-url <url>');
    expect(r.stdout).toContain('--token-file <path>');
    expect(r.stdout).toContain('Exit codes:');
  });

  it('creates exactly one scim job, saves the credentials, passes Test Connection; a rerun reuses the job', async () => {
    const spId = await newApp(h);
    const tokenFile = join(dir, 'token.txt');
    await writeFile(tokenFile, `${h.token}\n`);
    const args = ['--graph-url', h.graphUrl, '--service-principal-id', spId, '--tenant-url', h.tenantUrl, '--token-file', tokenFile, '--json'];
    const first = await runScript('configure-provisioning', args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json).toMatchObject({ ok: true, servicePrincipalId: spId, jobCreated: true, credentials: 'saved', tokenSource: 'file', testConnection: { ok: true }, started: false });
    expect(first.json.jobId).toMatch(/^scim\./);
    // The documented --json shape (docs/scripts.md) stays stable.
    expect(Object.keys(first.json).sort()).toEqual(['credentials', 'jobCreated', 'jobId', 'jobStatus', 'ok', 'servicePrincipalId', 'started', 'testConnection', 'tokenSource']);
    expect(first.stdout + first.stderr).not.toContain(h.token);

    const again = await runScript('configure-provisioning', args);
    expect(again.code).toBe(0);
    expect(again.json).toMatchObject({ jobCreated: false, jobId: first.json.jobId });
    // Without a tenant URL the saved credentials are kept and tested again; --start starts the job.
    const start = await runScript('configure-provisioning', ['--graph-url', h.graphUrl, '--service-principal-id', spId, '--start', '--json']);
    expect(start.code, start.stderr).toBe(0);
    expect(start.json).toMatchObject({ credentials: 'unchanged', started: true, testConnection: { ok: true } });
    expect(await listJobs(h.api, spId)).toHaveLength(1);
  });

  it('reports a failed Test Connection with exit 1 and never prints the wrong token', async () => {
    const spId = await newApp(h);
    const r = await runScript('configure-provisioning', ['--graph-url', h.graphUrl, '--service-principal-id', spId, '--tenant-url', h.tenantUrl, '--json'], { SCIM_TOKEN: 'wrong-token-value-123' });
    expect(r.code).toBe(1);
    expect(r.json.ok).toBe(false);
    expect(r.json.testConnection.ok).toBe(false);
    expect(r.json.testConnection.code).toBe('SystemForCrossDomainIdentityManagementInvalidCredentials');
    expect(r.json.tokenSource).toBe('env');
    expect(r.stdout + r.stderr).not.toContain('wrong-token-value-123');

    const human = await runScript('configure-provisioning', ['--graph-url', h.graphUrl, '--service-principal-id', spId], {});
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('Test Connection: FAILED');
    expect(human.stdout).toContain('fix:');
  });

  it.each([
    ['no service principal', [], 2, 'Missing --service-principal-id'],
    ['an unknown service principal', ['--service-principal-id', '00000000-0000-0000-0000-00000000beef'], 4, 'not found'],
    ['a non-https tenant URL', ['--service-principal-id', 'NEW', '--tenant-url', 'http://scim.example.com/scim'], 2, 'is not https'],
    ['an unknown flag', ['--tenant'], 2, "Unknown option '--tenant'"],
  ])('fails clearly on %s', async (_what, extra, code, message) => {
    const args = ['--graph-url', h.graphUrl, ...(await Promise.all(extra.map(async (a) => (a === 'NEW' ? newApp(h) : a)))), '--json'];
    const r = await runScript('configure-provisioning', args, { SCIM_TOKEN: h.token });
    expect(r.code, r.stderr).toBe(code);
    expect(r.json.ok).toBe(false);
    expect(r.json.error.message).toContain(message);
    expect(r.json.error.fix).toBeTruthy();
    expect(r.stderr).toContain('error: ');
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('takes missing inputs from `pulumi stack output --json` when the pulumi CLI is on PATH', async () => {
    const spId = await newApp(h);
    const bin = await mkdtemp(join(tmpdir(), 'fake-pulumi-'));
    const argsFile = join(bin, 'args.txt');
    // A stand-in pulumi CLI (a real executable on PATH) that prints the stack outputs the scripts read.
    await writeFile(join(bin, 'pulumi'), `#!/bin/sh\necho "$@" > '${argsFile}'\necho '${JSON.stringify({ servicePrincipalObjectId: spId, tenantUrl: h.tenantUrl, scimTokenSecretUri: '[secret]' })}'\n`, { mode: 0o755 });
    const r = await runScript('configure-provisioning', ['--graph-url', h.graphUrl, '--stack', 'dev', '--json'], { SCIM_TOKEN: h.token, ENTRA_SCIM_NO_PULUMI: '', PATH: `${bin}:${process.env.PATH ?? ''}` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ servicePrincipalId: spId, credentials: 'saved', tokenSource: 'env', testConnection: { ok: true } });
    expect((await readFile(argsFile, 'utf8')).trim()).toBe('stack output --json --stack dev');
  });

  it('without GRAPH_ACCESS_TOKEN and off loopback, asks for an Azure login when DefaultAzureCredential finds none (exit 3)', async () => {
    const r = await runScript('configure-provisioning', ['--graph-url', 'https://graph.invalid', '--service-principal-id', 'abc', '--json']);
    expect(r.code).toBe(3);
    expect(r.json.error.code).toBe('GraphCredentialUnavailable');
    expect(r.json.error.fix).toContain('az login');
  });

  it('says when Graph cannot be reached (exit 5)', async () => {
    const r = await runScript('configure-provisioning', ['--graph-url', 'http://127.0.0.1:9', '--service-principal-id', 'abc', '--json'], { GRAPH_MAX_RETRIES: '0' });
    expect(r.code).toBe(5);
    expect(r.json.error.code).toBe('GraphUnreachable');
  });
});
