// The admin API, metrics and request ids as registered by extensions.ts in the real service (startService),
// over real HTTP: a token issued through the admin API authenticates Entra's Test Connection request
// (reference entra-scim-client.md §1.1: GET /Users?filter=userName eq "<guid>" → 200, empty ListResponse).
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../../src/index.js';

const adminToken = randomBytes(24).toString('hex');
let service: RunningService;

beforeAll(async () => {
  service = await startService({ databaseUrl: 'sqlite::memory:', adminToken, logLevel: 'silent', authCacheMs: 60_000 });
});
afterAll(async () => {
  await service?.close();
});

async function admin(method: string, path: string, body?: unknown) {
  const res = await fetch(`${service.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

describe('admin API inside the service', () => {
  it('issues a token that works for SCIM, and stops working once revoked', async () => {
    expect((await admin('POST', '/tenants', { name: 'contoso' })).status).toBe(201);
    const issued = await admin('POST', '/tenants/contoso/tokens', { label: 'entra' });
    const token = issued.body!.token as string;
    const testConnection = `${service.url}/scim/contoso/Users?filter=userName+eq+%22${randomUUID()}%22`;
    const ok = await fetch(testConnection, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ totalResults: 0, Resources: [] });

    // The admin token is not a SCIM token, and the SCIM token is not an admin token.
    expect((await fetch(testConnection, { headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(401);
    expect((await fetch(`${service.url}/admin/tenants`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

    expect((await admin('DELETE', `/tenants/contoso/tokens/${issued.body!.id as string}`)).status).toBe(204);
    // At once on the replica that served the revocation (its tenant cache is dropped), even with a long cache.
    expect((await fetch(testConnection, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('records SCIM writes in the audit log, readable through the admin API', async () => {
    await admin('POST', '/tenants', { name: 'audited' });
    const token = (await admin('POST', '/tenants/audited/tokens', {})).body!.token as string;
    const created = await fetch(`${service.url}/scim/audited/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json; charset=utf-8' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'alice@contoso.com', active: true }),
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;
    const page = await admin('GET', '/tenants/audited/audit?limit=10');
    expect(page.status).toBe(200);
    expect(page.body!.entries).toEqual(expect.arrayContaining([expect.objectContaining({ method: 'POST', resourceId: id, status: 201, outcome: 'success', dryRun: false })]));
  });
});

describe('custom extensions set through the admin API', () => {
  it('are discoverable in /Schemas and accepted on users', async () => {
    await admin('POST', '/tenants', { name: 'hr' });
    const token = (await admin('POST', '/tenants/hr/tokens', {})).body!.token as string;
    const put = await admin('PUT', '/tenants/hr/schemas', { customExtensions: [{ name: 'Contoso', attributes: [{ name: 'costCenter' }] }] });
    expect(put.status).toBe(200);
    const urn = 'urn:ietf:params:scim:schemas:extension:Contoso:2.0:User';
    const auth = { authorization: `Bearer ${token}` };
    // Changed settings apply at once on this replica, even with a 60 s tenant cache.
    const schemas = (await (await fetch(`${service.url}/scim/hr/Schemas`, { headers: auth })).json()) as { Resources: Array<{ id: string }> };
    const ids = schemas.Resources.map((r) => r.id);
    expect(ids).toContain(urn);
    const created = await fetch(`${service.url}/scim/hr/Users`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'hr@contoso.com', [`${urn}:costCenter`]: 'CC-7' }),
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(await created.json())).toContain('CC-7');
  });
});

describe('policies set through the admin API', () => {
  it('apply to the next SCIM request: a missing required attribute or a second role is a 400 that says why', async () => {
    await admin('POST', '/tenants', { name: 'signpath' });
    const token = (await admin('POST', '/tenants/signpath/tokens', {})).body!.token as string;
    const put = await admin('PUT', '/tenants/signpath/policies', { requiredUserAttributes: ['displayName'], singleRoleBesidesDefault: { defaultRole: 'RegularUser' } });
    expect(put.status).toBe(200);
    const post = (body: unknown) => fetch(`${service.url}/scim/signpath/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], ...(body as object) }),
    });
    const missing = await post({ userName: 'nodisplay@contoso.com' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ status: '400', scimType: 'invalidValue', detail: expect.stringContaining('"displayName"') });
    const twoRoles = await post({ userName: 'roles@contoso.com', displayName: 'R', roles: [{ value: 'GlobalReader' }, { value: 'ProjectAdministrator' }] });
    expect(twoRoles.status).toBe(400);
    expect(((await twoRoles.json()) as { detail: string }).detail).toContain('other than the default role "RegularUser"');
    expect((await post({ userName: 'ok@contoso.com', displayName: 'Ok', roles: [{ value: 'RegularUser' }, { value: 'GlobalReader' }] })).status).toBe(201);
  });
});

describe('metrics and request ids inside the service', () => {
  it('echoes x-request-id on SCIM, probe and unknown routes, and counts them by route pattern', async () => {
    const scim = await fetch(`${service.url}/scim/nobody/Users`, { headers: { 'x-request-id': 'probe-1' } });
    expect(scim.status).toBe(401);
    expect(scim.headers.get('x-request-id')).toBe('probe-1');
    expect((await fetch(`${service.url}/healthz`)).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await fetch(`${service.url}/nowhere`)).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/scim_http_requests_total\{method="GET",route="\/healthz",status="200"\} [1-9]/);
    expect(metrics).toMatch(/scim_http_requests_total\{method="GET",route="unmatched",status="404"\} [1-9]/);
    expect(metrics).toMatch(/scim_http_requests_total\{method="GET",route="[^"]*:tenant[^"]*Users",status="401"\} [1-9]/);
    expect(metrics).not.toContain('nobody');
  });
});

describe('metrics token', () => {
  it('guards /metrics when SCIM_METRICS_TOKEN (metricsToken) is set', async () => {
    const guarded = await startService({ databaseUrl: 'sqlite::memory:', logLevel: 'silent', metricsToken: 'metrics-token-0123456789' });
    try {
      const denied = await fetch(`${guarded.url}/metrics`);
      expect(denied.status).toBe(401);
      expect(denied.headers.get('www-authenticate')).toBe('Bearer realm="scim-metrics"');
      expect(await denied.json()).toMatchObject({ status: '401', detail: expect.stringContaining('SCIM_METRICS_TOKEN') });
      const ok = await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('scim_http_requests_total');
    } finally {
      await guarded.close();
    }
  });
});

describe('admin API configuration', () => {
  it('refuses to start with a short admin token', async () => {
    await expect(startService({ databaseUrl: 'sqlite::memory:', adminToken: 'short', logLevel: 'silent' })).rejects.toThrow(/SCIM_ADMIN_TOKEN must be at least 32 characters/);
  });

  it('without an admin token the admin API answers 403 with a hint', async () => {
    const bare = await startService({ databaseUrl: 'sqlite::memory:', logLevel: 'silent' });
    try {
      const res = await fetch(`${bare.url}/admin/tenants`, { headers: { authorization: 'Bearer x' } });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { detail: string }).detail).toContain('SCIM_ADMIN_TOKEN');
    } finally {
      await bare.close();
    }
  });
});
