// The admin CLI as a child process (Node 24 + tsx) against a temporary SQLite file (issue 2 §6, §9).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/admin/secrets.js';
import { openSqliteStorage } from '../../src/storage/sqlite/engine.js';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'service/src/cli/admin.ts');
const dir = mkdtempSync(join(tmpdir(), 'scim-admin-cli-'));
const dbPath = join(dir, 'scim.db');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scimAdmin(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', cli, ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: `sqlite:${dbPath}`, ...env },
    }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('scim-admin CLI', () => {
  it('--help documents every command and exits 0', async () => {
    const res = await scimAdmin(['--help']);
    expect(res.code).toBe(0);
    for (const c of ['tenant create', 'tenant list', 'tenant delete', 'token issue', 'token list', 'token revoke', 'policies get', 'policies set', 'audit list', '--json', 'DATABASE_URL']) {
      expect(res.stdout).toContain(c);
    }
  });

  it('wrong usage exits 2 with a hint and touches no database', async () => {
    const otherDb = join(dir, 'never.db');
    for (const args of [['tenant', 'frobnicate'], ['--bogus'], [], ['token', 'list']]) {
      const res = await scimAdmin(args, { DATABASE_URL: `sqlite:${otherDb}` });
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/^scim-admin: .+\nRun with --help for usage\.\n$/);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(otherDb)).toBe(false);
  });

  it('an empty database says which database it read', async () => {
    const emptyDb = join(dir, 'empty.db');
    const res = await scimAdmin(['tenant', 'list'], { DATABASE_URL: `sqlite:${emptyDb}` });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`No tenants in sqlite:${emptyDb}. Create one with: npm run scim-admin -- tenant create <name>\n`);
  });

  it('tenant create/list, token issue (printed once, stored hashed)/list/revoke, with --json', async () => {
    const created = await scimAdmin(['tenant', 'create', 'contoso', '--json']);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'contoso', activeTokens: 0 });

    const dup = await scimAdmin(['tenant', 'create', 'contoso']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toBe('scim-admin: tenant "contoso" already exists\n');

    const issued = await scimAdmin(['token', 'issue', '--tenant', 'contoso', '--label', 'entra-prod']);
    expect(issued.code).toBe(0);
    const token = issued.stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^scim_[A-Za-z0-9_-]{43}$/);
    expect(issued.stdout).toContain('will not be shown again');

    const issuedJson = JSON.parse((await scimAdmin(['token', 'issue', '--tenant', 'contoso', '--json'])).stdout) as { id: string; token: string };
    expect(issuedJson.token).toMatch(/^scim_/);

    const listed = await scimAdmin(['token', 'list', '--tenant', 'contoso', '--json']);
    const tokens = (JSON.parse(listed.stdout) as { tokens: Array<{ id: string; label?: string; active: boolean }> }).tokens;
    expect(tokens).toHaveLength(2);
    expect(listed.stdout).not.toContain(token);
    expect(listed.stdout).not.toContain(hashToken(token));
    const human = await scimAdmin(['token', 'list', '--tenant', 'contoso']);
    expect(human.stdout).toMatch(/^ID\s+LABEL\s+CREATED\s+STATE\n/);
    expect(human.stdout).toContain('entra-prod');
    expect(human.stdout).not.toContain(token);

    const revoked = await scimAdmin(['token', 'revoke', '--tenant', 'contoso', issuedJson.id]);
    expect(revoked.code).toBe(0);
    // The database holds hashes only, and only the first token is still active.
    const storage = openSqliteStorage(dbPath);
    try {
      const active = await storage.activeTokens('contoso');
      expect(active.map((t) => t.hash)).toEqual([hashToken(token)]);
    } finally {
      await storage.close();
    }

    const tenants = JSON.parse((await scimAdmin(['tenant', 'list', '--json'])).stdout) as { tenants: Array<{ name: string; activeTokens: number }> };
    expect(tenants.tenants).toEqual([expect.objectContaining({ name: 'contoso', activeTokens: 1 })]);

    const unknown = await scimAdmin(['token', 'revoke', '--tenant', 'contoso', 'no-such-id']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('token "no-such-id" does not exist in tenant "contoso"');
  });

  it('policies get/set (inline JSON, --file, --replace) with clear errors', async () => {
    await scimAdmin(['tenant', 'create', 'signpath']);
    const set = await scimAdmin(['policies', 'set', '--tenant', 'signpath', '{"singleRoleBesidesDefault":{"defaultRole":"RegularUser"}}', '--json']);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ singleRoleBesidesDefault: { defaultRole: 'RegularUser' }, linkOnCreate: false });
    const file = join(dir, 'policies.json');
    writeFileSync(file, JSON.stringify({ linkOnCreate: true }));
    const merged = JSON.parse((await scimAdmin(['policies', 'set', '--tenant', 'signpath', '--file', file, '--json'])).stdout) as Record<string, unknown>;
    expect(merged).toMatchObject({ singleRoleBesidesDefault: { defaultRole: 'RegularUser' }, linkOnCreate: true });
    const replaced = JSON.parse((await scimAdmin(['policies', 'set', '--tenant', 'signpath', '--file', file, '--replace', '--json'])).stdout) as Record<string, unknown>;
    expect(replaced).toMatchObject({ singleRoleBesidesDefault: null, linkOnCreate: true });
    const got = await scimAdmin(['policies', 'get', '--tenant', 'signpath']);
    expect(got.stdout).toContain('linkOnCreate:                       on');

    const invalid = await scimAdmin(['policies', 'set', '--tenant', 'signpath', '{"linkOnCreate":"yes"}']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toBe('scim-admin: linkOnCreate: must be true or false (got "yes")\n');
    const notJson = await scimAdmin(['policies', 'set', '--tenant', 'signpath', '{linkOnCreate']);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('not valid JSON');
  });

  it('audit list pages with --cursor; tenant delete needs --yes; unknown tenant exits 1', async () => {
    await scimAdmin(['tenant', 'create', 'audited']);
    const storage = openSqliteStorage(dbPath);
    try {
      for (let i = 1; i <= 3; i++) {
        await storage.appendAudit({ time: new Date().toISOString(), tenant: 'audited', method: 'PATCH', resourceType: 'User', resourceId: `u${i}`, summary: `replaced active (${i})`, status: 200, outcome: 'success', dryRun: false });
      }
    } finally {
      await storage.close();
    }
    const first = await scimAdmin(['audit', 'list', '--tenant', 'audited', '--limit', '2']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('u3');
    expect(first.stdout).toContain('u2');
    const cursor = /--cursor (\d+)/.exec(first.stdout)![1]!;
    const second = JSON.parse((await scimAdmin(['audit', 'list', '--tenant', 'audited', '--limit', '2', '--cursor', cursor, '--json'])).stdout) as { entries: Array<{ resourceId: string }>; nextCursor: string | null };
    // The oldest entry is the CLI's own record of creating the tenant.
    expect(second.entries.map((e) => e.resourceId)).toEqual(['u1', 'audited']);
    expect(second.nextCursor).toBeNull();

    const noYes = await scimAdmin(['tenant', 'delete', 'audited']);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('add --yes to confirm');
    expect((await scimAdmin(['tenant', 'delete', 'audited', '--yes'])).code).toBe(0);
    const gone = await scimAdmin(['audit', 'list', '--tenant', 'audited']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('tenant "audited" does not exist');
  });

  it('a bad DATABASE_URL is a clear error without the password', async () => {
    const res = await scimAdmin(['tenant', 'list'], { DATABASE_URL: 'mysql://admin:hunter2@db/scim' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('DATABASE_URL must start with sqlite: or postgres://');
    expect(res.stderr).not.toContain('hunter2');
  });
});

describe('scim-admin schemas', () => {
  it('sets and shows custom extension schemas; invalid definitions exit 1 naming the field', async () => {
    await scimAdmin(['tenant', 'create', 'hr']);
    const file = join(dir, 'schemas.json');
    writeFileSync(file, JSON.stringify({ customExtensions: [{ name: 'Contoso', attributes: [{ name: 'costCenter' }, { name: 'clearance', type: 'integer' }] }] }));
    const set = await scimAdmin(['schemas', 'set', '--tenant', 'hr', '--file', file]);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('urn:ietf:params:scim:schemas:extension:Contoso:2.0:User\n  costCenter (string)\n  clearance (integer)');
    const got = JSON.parse((await scimAdmin(['schemas', 'get', '--tenant', 'hr', '--json'])).stdout) as { customExtensions: Array<{ name: string }> };
    expect(got.customExtensions.map((e) => e.name)).toEqual(['Contoso']);
    const bad = await scimAdmin(['schemas', 'set', '--tenant', 'hr', '{"customExtensions":[{"name":"core","attributes":[]}]}']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Custom extension name "core" is invalid');
    const noInput = await scimAdmin(['schemas', 'set', '--tenant', 'hr']);
    expect(noInput.code).toBe(2);
    expect(noInput.stderr).toContain('schemas set needs one JSON argument or --file <path>');
  });
});
