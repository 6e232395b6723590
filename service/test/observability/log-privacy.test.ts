// The real service process (service/src/main.ts, configured by environment variables) at LOG_LEVEL=info:
// after Entra-shaped traffic with personal data, errors and bad input, its stdout holds neither the bearer
// token, the admin token, nor any userName, email or display name (issue 2 §11). At debug the same
// traffic is allowed to log them, so the check is not vacuous.
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnListening } from './support/listening-process.js';

const root = resolve(import.meta.dirname, '../../..');
const personal = ['alice.private@contoso.com', 'Alice Private', 'Privatesurname', 'bob.hidden@contoso.com'];

async function runTraffic(logLevel: string): Promise<{ output: string; exitCode: number | null }> {
  const token = `scim-token-${randomBytes(12).toString('hex')}`;
  const adminToken = randomBytes(24).toString('hex');
  const service = await spawnListening(['--import', 'tsx', join(root, 'service/src/main.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: logLevel, SCIM_TENANT: 'acme', SCIM_TOKEN: token, SCIM_ADMIN_TOKEN: adminToken },
  });
  const { url, child } = service;
  try {
    const h = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json; charset=utf-8' };
    const user = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: personal[0], displayName: personal[1], name: { familyName: personal[2] }, emails: [{ type: 'work', value: personal[0] }], active: true,
    };
    const created = (await (await fetch(`${url}/scim/acme/Users`, { method: 'POST', headers: h, body: JSON.stringify(user) })).json()) as { id: string };
    await fetch(`${url}/scim/acme/Users`, { method: 'POST', headers: h, body: JSON.stringify(user) }); // 409
    await fetch(`${url}/scim/acme/Users?filter=${encodeURIComponent(`userName eq "${personal[0]}"`)}`, { headers: h });
    await fetch(`${url}/scim/acme/Users?filter=${encodeURIComponent(`emails[type eq "work"].value eq "${personal[3]}"`)}`, { headers: h });
    await fetch(`${url}/scim/acme/Users?filter=${encodeURIComponent(`userName eq "${personal[3]}" and`)}`, { headers: h }); // 400 invalidFilter
    await fetch(`${url}/scim/acme/Users/${created.id}`, { method: 'PATCH', headers: h, body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'displayName', value: personal[1] }, { op: 'Replace', path: 'active', value: 'False' }] }) });
    await fetch(`${url}/scim/acme/Users`, { method: 'POST', headers: h, body: `{"userName": "${personal[3]}", ` }); // invalid JSON
    await fetch(`${url}/scim/acme/Users`, { headers: { authorization: `Bearer ${token}x` } }); // 401
    await fetch(`${url}/admin/tenants/acme/tokens`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: '{"label":"x"}' });
    child.kill('SIGTERM');
    const exitCode = await service.exited;
    const output = service.output();
    for (const secret of [token, adminToken]) expect(output).not.toContain(secret);
    return { output, exitCode };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('service logs', () => {
  it('at info: no tokens and no personal data, every request line has a requestId', async () => {
    const { output, exitCode } = await runTraffic('info');
    expect(exitCode).toBe(0);
    const lines = output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.msg === 'incoming request').length).toBeGreaterThanOrEqual(9);
    for (const l of lines.filter((x) => x.msg === 'incoming request' || x.msg === 'request completed')) expect(typeof l.requestId).toBe('string');
    for (const value of personal) expect(output.toLowerCase()).not.toContain(value.toLowerCase());
    expect(output).not.toContain('filter=');
  }, 60_000);

  it('at debug: the query strings (with their personal data) are logged on debug lines only', async () => {
    const { output } = await runTraffic('debug');
    const lines = output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const queries = lines.filter((l) => l.msg === 'request query');
    expect(queries.map((l) => decodeURIComponent(String(l.query)))).toContain(`filter=userName eq "${personal[0]}"`);
    expect(queries.every((l) => l.level === 20 && typeof l.requestId === 'string')).toBe(true);
    for (const l of lines.filter((x) => (x.level as number) > 20)) {
      for (const value of personal) expect(JSON.stringify(l).toLowerCase()).not.toContain(value.toLowerCase());
    }
  }, 60_000);
});
