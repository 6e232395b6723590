// `npm run emulator` entry point (emulator/main.ts) as a child process: --help, usage errors, start-up line.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../../emulator/main.ts', import.meta.url));
const SEED = fileURLToPath(new URL('./fixtures/directory-seed.json', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('npm run emulator', () => {
  it('prints --help with its options and exits 0', () => {
    const res = run('--help');
    expect(res.status).toBe(0);
    for (const option of ['--port', '--host', '--seed', '--tenant-id', '--json']) expect(res.stdout).toContain(option);
  });

  it('exits 2 on a bad port or an unknown option, 1 on an unreadable seed, saying what to fix', () => {
    const port = run('--port', 'abc');
    expect(port.status).toBe(2);
    expect(port.stderr).toContain('--port must be an integer');
    expect(run('--nope').status).toBe(2);
    const seed = run('--port', '0', '--seed', '/nonexistent/seed.json');
    expect(seed.status).toBe(1);
    expect(seed.stderr).toContain("Cannot read the seed file '/nonexistent/seed.json'");
    expect(seed.stderr).not.toMatch(/\s+at\s/); // no stack trace
  });

  it('starts, prints the URL as JSON, serves Graph, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--seed', SEED, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        child.stdout.once('data', (d: Buffer) => resolve(d.toString()));
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const info = JSON.parse(first) as { url: string; graphUrl: string; tenantId: string; users: number; groups: number };
      expect(info).toMatchObject({ tenantId: '11111111-2222-3333-4444-555555555555', users: 4, groups: 2 });
      const res = await fetch(`${info.graphUrl}/users`, { headers: { authorization: 'Bearer local' } });
      expect(((await res.json()) as { value: unknown[] }).value).toHaveLength(4);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
