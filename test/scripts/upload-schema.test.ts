// upload-schema as a child process against the emulator (whose schema PUT validates with expressions/).
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSynchronizationSchema } from '../../provisioning/index.js';
import { getSchema } from '../../scripts/lib/graph/synchronization.js';
import { newApp, runScript, startHarness, type Harness } from './support/harness.js';

let h: Harness;
let dir: string;
let spId: string;
let common: string[];

beforeAll(async () => {
  h = await startHarness();
  dir = await mkdtemp(join(tmpdir(), 'upload-schema-'));
  spId = await newApp(h);
  const configured = await runScript('configure-provisioning', ['--graph-url', h.graphUrl, '--service-principal-id', spId, '--tenant-url', h.tenantUrl, '--json'], { SCIM_TOKEN: h.token });
  if (configured.code !== 0) throw new Error(`configure-provisioning failed: ${configured.stderr}`);
  common = ['--graph-url', h.graphUrl, '--service-principal-id', spId, '--backup-dir', dir];
}, 60_000);
afterAll(() => h.close());

describe('upload-schema', { timeout: 90_000 }, () => {
  it('--dry-run prints the diff and changes nothing', async () => {
    const before = await getSchema(h.api, spId, (await h.api.list<{ id: string }>(`/servicePrincipals/${spId}/synchronization/jobs`, { what: 'x' }))[0].id);
    const r = await runScript('upload-schema', [...common, '--environment', 'local', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/User → urn:ietf:params:scim:schemas:extension:enterprise:2\.0:User/);
    expect(r.stdout).toContain('~ externalId');
    expect(r.stdout).toContain('source: [mailNickname]  →  Append("local-sso:", [objectId])');
    expect(r.stdout).toContain('+ roles ← AppRoleAssignmentsComplex([appRoleAssignments])');
    expect(r.stdout).toMatch(/\+ source attribute Azure Active Directory \/ User: extension_\w+_costCenter \(String\)/);
    expect(r.stdout).toContain('Dry run: nothing uploaded.');
    const jobId = (await h.api.list<{ id: string }>(`/servicePrincipals/${spId}/synchronization/jobs`, { what: 'x' }))[0].id;
    expect(await getSchema(h.api, spId, jobId)).toEqual(before);
    expect(await readdir(dir)).toEqual([]);
  });

  it('uploads with a backup of the live schema; a rerun has nothing to upload', async () => {
    const r = await runScript('upload-schema', [...common, '--environment', 'local', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, environment: 'local', uploaded: true, needsFullCycle: true, expressionProblems: [] });
    expect(r.json.changes.length).toBeGreaterThan(0);
    expect(Object.keys(r.json).sort()).toEqual(['backupFile', 'changes', 'dryRun', 'environment', 'expressionProblems', 'jobId', 'needsFullCycle', 'ok', 'restarted', 'servicePrincipalId', 'uploaded']);
    const backup = JSON.parse(await readFile(r.json.backupFile, 'utf8'));
    expect(backup.synchronizationRules.length).toBeGreaterThan(0);

    const live = await getSchema(h.api, spId, r.json.jobId);
    const targets = live.synchronizationRules[0].objectMappings.find((m) => m.sourceObjectName === 'User')!.attributeMappings.map((a) => a.targetAttributeName);
    const built = buildSynchronizationSchema('local').synchronizationRules[0].objectMappings.find((m) => m.sourceObjectName === 'User')!.attributeMappings.map((a) => a.targetAttributeName);
    expect(targets.sort()).toEqual(built.sort());

    const again = await runScript('upload-schema', [...common, '--environment', 'local', '--json']);
    expect(again.code).toBe(0);
    expect(again.json).toMatchObject({ changes: [], uploaded: false, backupFile: null });
  });

  it('rolls back to a backup with --schema-file and restarts the job with --restart', async () => {
    const backups = (await readdir(dir)).filter((f) => f.startsWith('scim.'));
    expect(backups).toHaveLength(1);
    const r = await runScript('upload-schema', [...common, '--schema-file', join(dir, backups[0]), '--restart', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ uploaded: true, needsFullCycle: true, restarted: true });
    const job = await h.api.get<{ status: { code: string } }>(`/servicePrincipals/${spId}/synchronization/jobs/${r.json.jobId}`, { what: 'x' });
    expect(job.status.code).not.toBe('NotConfigured');
    const live = await getSchema(h.api, spId, r.json.jobId);
    const userMapping = live.synchronizationRules[0].objectMappings.find((m) => m.sourceObjectName === 'User')!;
    expect(userMapping.attributeMappings.find((a) => a.targetAttributeName === 'externalId')?.source?.name).toBe('mailNickname');
  });

  it('refuses to upload a schema whose expression does not parse (exit 1), naming the mapping', async () => {
    const broken = buildSynchronizationSchema('local');
    const mapping = broken.synchronizationRules[0].objectMappings[0].attributeMappings.find((a) => a.source?.type === 'Function')!;
    mapping.source = { ...mapping.source!, expression: 'Join(" ", [givenName]' };
    const file = join(dir, 'broken.json');
    await writeFile(file, JSON.stringify(broken));
    const r = await runScript('upload-schema', [...common, '--schema-file', file, '--json']);
    expect(r.code).toBe(1);
    expect(r.json.uploaded).toBe(false);
    expect(r.json.expressionProblems[0]).toMatchObject({ target: mapping.targetAttributeName, where: 'local' });
  });

  it('rejects an unknown environment with the list of known ones (exit 2)', async () => {
    const r = await runScript('upload-schema', [...common, '--environment', 'staging', '--json']);
    expect(r.code).toBe(2);
    expect(r.json.error.message).toContain("Unknown environment 'staging'");
    expect(r.json.error.fix).toContain('local');
  });
});
