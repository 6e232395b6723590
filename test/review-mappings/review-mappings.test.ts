// review-mappings end to end: a real git repository in a temporary folder, the script run as a child
// process (tsx, as `npm run review-mappings` does), Markdown and --json output and exit codes checked.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const script = join(projectRoot, 'scripts', 'review-mappings.ts');
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

let repo: string;

async function git(...args: string[]) {
  const { stdout } = await execFileAsync('git', args, { cwd: repo });
  return stdout.trim();
}

async function review(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [tsxCli, script, ...args], {
      cwd: repo,
      env: { ...process.env, CI: '1', NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function edit(path: string, from: string, to: string) {
  const file = join(repo, path);
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`test setup: ${from} not found in ${path}`);
  writeFileSync(file, text.replace(from, to));
}

async function commitAll(message: string) {
  await git('add', '-A');
  await git('commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD');
}

beforeAll(async () => {
  repo = mkdtempSync(join(tmpdir(), 'review-mappings-test-'));
  await git('init', '-q', '-b', 'main');
  await git('config', 'user.email', 'test@example.com');
  await git('config', 'user.name', 'Test');
  await git('config', 'commit.gpgsign', 'false');
  writeFileSync(join(repo, 'README.md'), '# app\n');
  await commitAll('initial commit without provisioning/');
  for (const folder of ['provisioning', 'expressions']) cpSync(join(projectRoot, folder), join(repo, folder), { recursive: true });
  await commitAll('add provisioning');
});

afterAll(() => {
  if (repo) rmSync(repo, { recursive: true, force: true });
});

describe('review-mappings', { timeout: 90_000 }, () => {
  it('reports no changes and exits 0 on a clean working tree', async () => {
    const result = await review();
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack traces
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('## Attribute mapping review');
    expect(result.stdout).toContain('No attribute mapping changed.');
    expect(result.stdout).toContain('No findings.');
    expect(result.stdout).toMatch(/Unchanged: 25 users, 8 groups\./);
  });

  it('shows changed and removed mappings as a table and the SCIM payload diffs of affected users', async () => {
    edit('provisioning/mappings.ts', "{ target: 'displayName', source: direct('displayName') },", "{ target: 'displayName', source: expression('Coalesce([displayName], [userPrincipalName])') },");
    edit('provisioning/mappings.ts', "  { target: 'title', source: direct('jobTitle') },\n", '');
    try {
      const result = await review();
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('| User | `displayName` | changed (source) | `[displayName]` | `Coalesce([displayName], [userPrincipalName])` |');
      expect(result.stdout).toContain('| User | `title` | removed | `[jobTitle]` | — |');
      // Emily Braun has no displayName in the sample: the new mapping sends her UPN.
      const emily = result.stdout.split('<details>').find((block) => block.includes('<code>emily.braun@contoso.com</code>'));
      expect(emily).toBeDefined();
      expect(emily).toContain('+  "displayName": "emily.braun@contoso.com",');
      expect(emily).toContain('-  "title": "Software Engineer",');
      // Groups are unaffected.
      expect(result.stdout).not.toMatch(/<summary>Group/);
    } finally {
      await git('checkout', '--', '.');
    }
  });

  it('--json: an expression that does not parse is an error finding with its position, exit 1', async () => {
    edit('provisioning/mappings.ts', `expression('Join(" ", [givenName], [surname])')`, `expression('Join(" ", [givenName] [surname])')`);
    try {
      const result = await review('--json');
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout);
      expect(report.ok).toBe(false);
      expect(report.findings).toContainEqual(
        expect.objectContaining({ severity: 'error', code: 'expression-does-not-parse', object: 'User', target: 'name.formatted', message: expect.stringMatching(/line 1, column 23/) }),
      );
      expect(report.mappingChanges).toEqual([
        expect.objectContaining({ object: 'User', target: 'name.formatted', change: 'changed', after: 'Join(" ", [givenName] [surname])' }),
      ]);
      expect(report.markdown).toContain('expression-does-not-parse');
    } finally {
      await git('checkout', '--', '.');
    }
  });

  it('a head whose provisioning/ does not load is an error finding, not a crash', async () => {
    edit('provisioning/index.ts', "export { appRoles, exclusiveGlobalRoles } from './app-roles.js';", "export { appRoles, exclusiveGlobalRoles } from './app-roles.js'\nexport {{ broken");
    try {
      const result = await review('--json');
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout);
      expect(report.findings).toEqual([expect.objectContaining({ code: 'revision-load-failed', message: expect.stringContaining('provisioning/index.ts cannot be loaded') })]);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await git('checkout', '--', '.');
    }
  });

  it('compares two commits with --base/--head and lints the sample against role rules and required targets', async () => {
    const base = await git('rev-parse', 'HEAD');
    // Miriam (GlobalAdministrator via SignPath Administrators) also joins the certificate admins group.
    const sample = JSON.parse(readFileSync(join(repo, 'provisioning/sample-directory.json'), 'utf8'));
    const miriam = sample.users.find((u: { userPrincipalName: string }) => u.userPrincipalName === 'miriam.graham@contoso.com');
    sample.groups.find((g: { displayName: string }) => g.displayName === 'SignPath Certificate Administrators').members.push(miriam.id);
    writeFileSync(join(repo, 'provisioning/sample-directory.json'), `${JSON.stringify(sample, null, 2)}\n`);
    // userName (required by the app) now comes from mail, which several sample users lack.
    edit('provisioning/mappings.ts', "{ target: 'userName', source: direct('userPrincipalName'), matchingPrecedence: 2 },", "{ target: 'userName', source: direct('mail'), matchingPrecedence: 2 },");
    const head = await commitAll('risky change');
    try {
      const result = await review('--base', base.slice(0, 10), '--head', head, '--json');
      expect(result.code).toBe(1);
      const report = JSON.parse(result.stdout);
      expect(report.base.revision).toBe(base);
      expect(report.head.revision).toBe(head);
      const codes = report.findings.map((f: { code: string }) => f.code);
      expect(codes).toContain('role-rule-violated');
      expect(report.findings.find((f: { code: string }) => f.code === 'role-rule-violated').message).toMatch(
        /miriam\.graham@contoso\.com holds 2 exclusive global roles: GlobalAdministrator \(via SignPath Administrators\), CertificateAdministrator \(via SignPath Certificate Administrators\)/,
      );
      const required = report.findings.find((f: { code: string }) => f.code === 'required-target-empty');
      expect(required).toMatchObject({ severity: 'error', target: 'userName' });
      expect(required.message).toMatch(/for 3 sample users: lee\.gu|nestor\.wilke@contoso\.com/);
      const groupChange = report.objects.find((o: { label: string }) => o.label === 'SignPath Certificate Administrators');
      expect(groupChange.status).toBe('changed');
      expect(groupChange.diff).toContain('+    {\n+      "value": "<id in app of miriam.graham@contoso.com>"');
    } finally {
      await git('reset', '-q', '--hard', base);
    }
  });

  it('treats a base without provisioning/ as empty: every mapping is added', async () => {
    const first = await git('rev-list', '--max-parents=0', 'HEAD');
    const result = await review('--base', first);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('no provisioning/ there');
    expect(result.stdout).toContain('| User | `externalId` | added | — | `Append("local-sso:", [objectId])` (matching 1) |');
    expect(result.stdout).toMatch(/<summary>User <code>megan\.bowen@contoso\.com<\/code>: added<\/summary>/);
  });

  it('--sample previews both revisions against another directory file, and rejects an invalid one', async () => {
    const sample = JSON.parse(readFileSync(join(repo, 'provisioning/sample-directory.json'), 'utf8'));
    sample.users = sample.users.slice(0, 3);
    sample.users[1].manager = sample.users[0].id;
    sample.users[2].manager = sample.users[0].id;
    sample.groups = [];
    sample.appRoleAssignments = sample.users.map((u: { id: string }) => ({ principalId: u.id, appRoleValue: 'RegularUser' }));
    const file = join(repo, '..', `${repo.split('/').pop()}-sample.json`);
    writeFileSync(file, JSON.stringify(sample));
    edit('provisioning/mappings.ts', "{ target: 'title', source: direct('jobTitle') },", "{ target: 'title', source: expression('ToUpper([jobTitle])') },");
    try {
      const result = await review('--sample', file, '--json');
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.objects.map((o: { label: string; status: string }) => [o.label, o.status])).toEqual([
        ['megan.bowen@contoso.com', 'changed'],
        ['alex.wilber@contoso.com', 'changed'],
        ['adele.vance@contoso.com', 'changed'],
      ]);

      sample.users[0].accountEnabled = 'yes';
      writeFileSync(file, JSON.stringify(sample));
      const invalid = await review('--sample', file);
      expect(invalid.code).toBe(2);
      expect(invalid.stderr).toContain('users[0] ("megan.bowen@contoso.com"): accountEnabled must be true or false, got "yes"');
    } finally {
      rmSync(file, { force: true });
      await git('checkout', '--', '.');
    }
  });

  it('explains bad input without a stack trace: unknown revision, unknown environment, --help', async () => {
    const unknown = await review('--base', 'no-such-branch');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown revision "no-such-branch"');
    expect(unknown.stderr).not.toMatch(/\n\s+at /);

    const environment = await review('--environment', 'staging', '--json');
    expect(environment.code).toBe(1);
    expect(JSON.parse(environment.stdout).findings[0]).toMatchObject({
      code: 'revision-load-failed',
      message: expect.stringContaining('unknown environment "staging" (known: local, dev, prod)'),
    });

    const help = await review('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm run review-mappings');
    expect(help.stdout).toContain('--base <rev>');
  });
});
