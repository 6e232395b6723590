// `npm run local -- --once`: the whole flow end to end as a user runs it (the CI smoke test of issue 5).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function runLocal(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), `${root}scripts/local.ts`, ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ENTRA_SCIM_NO_PULUMI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('npm run local -- --once', { timeout: 180_000 }, () => {
  it('provisions the sample directory through the real scripts and reports success', async () => {
    const r = await runLocal(['--once', '--database', ':memory:', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(true);
    expect(Object.keys(report).sort()).toEqual(['failures', 'graphUrl', 'ok', 'provisioned', 'scimServiceUrl', 'servicePrincipalId', 'steps', 'tenantUrl']);
    expect(report.steps.map((s: { name: string }) => s.name)).toEqual([
      'Create the enterprise application',
      'configure-provisioning',
      'upload-schema --environment local',
      expect.stringMatching(/^verify-provisioning \(canaries: /),
      'Full cycle: configure-provisioning --start',
      'Full cycle: provisioning-logs --follow --until-cycle-end',
    ]);
    expect(report.steps.every((s: { ok: boolean }) => s.ok)).toBe(true);
    expect(report.provisioned.users).toBeGreaterThan(10);
    expect(report.provisioned.groups).toBeGreaterThan(1);
    expect(report.failures).toEqual([]);
    expect(report.tenantUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/scim\/local$/);
    expect(report.graphUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('says what to fix when the emulator cannot start (bad --seed, exit 2)', async () => {
    const r = await runLocal(['--once', '--database', ':memory:', '--seed', 'no/such/seed.json', '--json']);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout);
    expect(report.error.code).toBe('EmulatorFailed');
    expect(report.error.fix).toContain('--seed');
  });
});
