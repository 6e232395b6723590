// The admin CLI and the admin API on the PostgreSQL engine (127.0.0.1:5432, db `test`, a private schema
// dropped afterwards), including the change-event admin routes extensions.ts registers when the engine
// keeps an outbox, guarded by the same admin token.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../../src/index.js';
import { createTestSchema, type TestSchema } from '../postgres/support/database.js';

const root = resolve(import.meta.dirname, '../../..');
const cli = join(root, 'service/src/cli/admin.ts');
const adminToken = randomBytes(24).toString('hex');
let schema: TestSchema;
let service: RunningService | undefined;

beforeAll(async () => {
  schema = await createTestSchema(undefined, 'scim_ops_admin');
});
afterAll(async () => {
  await service?.close();
  await schema.drop();
});

function scimAdmin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, env: { ...process.env, DATABASE_URL: schema.url } }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('admin on PostgreSQL', () => {
  it('the CLI creates a tenant and issues a token that the service (another process) accepts', async () => {
    const created = await scimAdmin(['tenant', 'create', 'pgco', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const issued = JSON.parse((await scimAdmin(['token', 'issue', '--tenant', 'pgco', '--json'])).stdout) as { token: string };

    service = await startService({ databaseUrl: schema.url, adminToken, logLevel: 'silent' });
    const res = await fetch(`${service.url}/scim/pgco/Users?filter=userName+eq+%22nobody%22`, { headers: { authorization: `Bearer ${issued.token}` } });
    expect(res.status).toBe(200);

    const tenants = await fetch(`${service.url}/admin/tenants`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(((await tenants.json()) as { tenants: Array<{ name: string; activeTokens: number }> }).tenants).toEqual([expect.objectContaining({ name: 'pgco', activeTokens: 1 })]);
  });

  it('serves the change-event admin routes behind the same admin token', async () => {
    const url = service!.url;
    const ok = await fetch(`${url}/admin/tenants/pgco/webhooks`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ webhooks: [] });
    const denied = await fetch(`${url}/admin/tenants/pgco/events`, { headers: { authorization: 'Bearer wrong' } });
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    // Client mistakes on the event routes are SCIM error bodies too, like every other route.
    const badCursor = await fetch(`${url}/admin/tenants/pgco/events?after=not-a-cursor`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(badCursor.status).toBe(400);
    expect(await badCursor.json()).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '400', scimType: 'invalidValue' });
    const missing = await fetch(`${url}/admin/tenants/pgco/webhooks/00000000-0000-0000-0000-000000000000`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
  });

  it('reads the audit log through the CLI (admin entries recorded by the CLI)', async () => {
    const page = JSON.parse((await scimAdmin(['audit', 'list', '--tenant', 'pgco', '--json'])).stdout) as { entries: Array<{ summary: string }> };
    expect(page.entries.map((e) => e.summary)).toEqual(expect.arrayContaining(['admin: tenant created', 'admin: token issued']));
  });
});
