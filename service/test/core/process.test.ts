// The service as a real OS process (`main.ts`, configured only by environment variables): bootstrap tenant
// and token from SCIM_TENANT + SCIM_TOKEN_FILE, data persisted in the SQLite file across restarts,
// SIGTERM → graceful exit 0, bad configuration → exit 2 with a message that says what to fix.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startServiceProcess } from '../resilience/support/service-process.js';
import { newUser, request } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'scim-process-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('service process (main.ts)', () => {
  it('bootstraps from SCIM_TOKEN_FILE, keeps data in the SQLite file across a SIGTERM restart', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'file-token-0123456789\n');
    const env = { SCIM_TENANT: 'proc', SCIM_TOKEN_FILE: tokenFile, DATABASE_URL: `sqlite:${join(dir, 'db', 'scim.db')}`, SCIM_WEBHOOKS_ENABLED: 'false' };
    const first = await startServiceProcess({ env });
    let id: string;
    try {
      const created = await request(`${first.url}/scim/proc/Users`, 'POST', newUser('persist@example.com'), { authorization: 'Bearer file-token-0123456789' });
      expect(created.status).toBe(201);
      id = created.body.id;
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(first.output()).not.toContain('file-token-0123456789');
    const second = await startServiceProcess({ env });
    try {
      const read = await request(`${second.url}/scim/proc/Users/${id}`, 'GET', undefined, { authorization: 'Bearer file-token-0123456789' });
      expect(read.status).toBe(200);
      expect(read.body.userName).toBe('persist@example.com');
    } finally {
      expect(await second.stop()).toBe(0);
    }
    expect(second.output()).not.toContain('persist@example.com');
  });

  it('exits 2 with a clear message on bad configuration', () => {
    const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--import', 'tsx', main], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, encoding: 'utf8', timeout: 20_000 });
    const badPort = run({ PORT: 'eighty' });
    expect(badPort.status).toBe(2);
    expect(badPort.stderr).toContain('PORT must be an integer');
    const noTenant = run({ SCIM_TOKEN: 'x', SCIM_TENANT: '' });
    expect(noTenant.status).toBe(2);
    expect(noTenant.stderr).toContain('SCIM_TENANT');
    const badUrl = run({ DATABASE_URL: 'mysql://db', PORT: '0' });
    expect(badUrl.status).toBe(2);
    expect(badUrl.stderr).toContain('DATABASE_URL must start with sqlite: or postgres://');
  });
});
