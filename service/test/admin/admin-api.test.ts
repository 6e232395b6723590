// The admin HTTP API (issue 2 §6, §8, §9) over real HTTP against the real SQLite engine.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminAuthorizer, hashToken, registerAdminRoutes } from '../../src/admin/index.js';
import type { Storage } from '../../src/storage/contract.js';
import { openSqliteStorage } from '../../src/storage/sqlite/engine.js';

const adminToken = 'admin-token-for-tests-0123456789abcdef';
let app: FastifyInstance;
let storage: Storage;
let base: string;

async function call(method: string, path: string, options: { body?: unknown; token?: string | null } = {}) {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? adminToken : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined, text };
}

beforeAll(async () => {
  storage = openSqliteStorage(':memory:');
  app = Fastify();
  await registerAdminRoutes(app, { storage, authorize: createAdminAuthorizer(adminToken) });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await storage.close();
});

describe('admin token', () => {
  it('401 with a SCIM error body and WWW-Authenticate when missing or wrong; SCIM tenant tokens do not work', async () => {
    for (const token of [null, 'wrong', `${adminToken}x`]) {
      const res = await call('GET', '/admin/tenants', { token });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="scim-admin"');
      expect(res.headers.get('content-type')).toContain('application/scim+json');
      expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
      expect(res.text).not.toContain(adminToken);
    }
    await call('POST', '/admin/tenants', { body: { name: 'authcheck' } });
    const issued = await call('POST', '/admin/tenants/authcheck/tokens', { body: {} });
    expect((await call('GET', '/admin/tenants', { token: issued.body!.token as string })).status).toBe(401);
  });

  it('403 with a hint when no admin token is configured, and a short admin token is refused', async () => {
    const disabled = Fastify();
    await registerAdminRoutes(disabled, { storage, authorize: createAdminAuthorizer(undefined) });
    const res = await disabled.inject({ url: '/admin/tenants', headers: { authorization: 'Bearer anything' } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ status: '403', detail: expect.stringContaining('set SCIM_ADMIN_TOKEN') });
    await disabled.close();
    expect(() => createAdminAuthorizer('short')).toThrow(/at least 32 characters/);
  });
});

describe('tenants', () => {
  it('creates, lists, reads and deletes a tenant', async () => {
    const created = await call('POST', '/admin/tenants', { body: { name: 'contoso', customSchemas: ['urn:ietf:params:scim:schemas:extension:Contoso:2.0:User'] } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/admin/tenants/contoso');
    expect(created.body).toMatchObject({ name: 'contoso', activeTokens: 0, customSchemas: ['urn:ietf:params:scim:schemas:extension:Contoso:2.0:User'] });
    expect((await call('GET', '/admin/tenants')).body!.tenants).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'contoso' })]));
    expect((await call('GET', '/admin/tenants/contoso')).body).toMatchObject({ name: 'contoso' });
    expect((await call('DELETE', '/admin/tenants/contoso')).status).toBe(204);
    const gone = await call('GET', '/admin/tenants/contoso');
    expect(gone.status).toBe(404);
    expect(gone.body!.detail).toContain('tenant "contoso" does not exist');
    expect((await call('DELETE', '/admin/tenants/contoso')).status).toBe(404);
  });

  it('rejects bad names, bad bodies and duplicates with the right status and scimType', async () => {
    const bad = await call('POST', '/admin/tenants', { body: { name: 'Bad Name!' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: '400', scimType: 'invalidValue', detail: expect.stringContaining('1-63 letters, digits') });
    expect((await call('POST', '/admin/tenants', { body: [1] })).body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect((await call('POST', '/admin/tenants', { body: { name: 'dup', customSchemas: ['nope'] } })).status).toBe(400);
    expect((await call('POST', '/admin/tenants', { body: { name: 'dup' } })).status).toBe(201);
    expect((await call('POST', '/admin/tenants', { body: { name: 'dup' } })).body).toMatchObject({ status: '409', scimType: 'uniqueness' });
  });
});

describe('tokens', () => {
  it('issues a token shown once, stores only its hash, lists without secrets, revokes', async () => {
    await call('POST', '/admin/tenants', { body: { name: 'fabrikam' } });
    const issued = await call('POST', '/admin/tenants/fabrikam/tokens', { body: { label: 'entra-prod' } });
    expect(issued.status).toBe(201);
    expect(issued.headers.get('cache-control')).toBe('no-store');
    const token = issued.body!.token as string;
    expect(token).toMatch(/^scim_[A-Za-z0-9_-]{43}$/);
    expect(issued.body).toMatchObject({ tenant: 'fabrikam', label: 'entra-prod', active: true });

    // Stored hashed: the SCIM layer finds it by hash among the tenant's active tokens.
    const stored = await storage.activeTokens('fabrikam');
    expect(stored.map((t) => t.hash)).toEqual([hashToken(token)]);
    expect(JSON.stringify(stored)).not.toContain(token);

    // Several active at once (rotation without downtime).
    const second = await call('POST', '/admin/tenants/fabrikam/tokens', { body: {} });
    expect(second.body!.token).not.toBe(token);
    const listed = await call('GET', '/admin/tenants/fabrikam/tokens');
    expect(listed.body!.tokens).toHaveLength(2);
    expect(listed.text).not.toContain(token);
    expect(listed.text).not.toContain(hashToken(token));
    expect(listed.text).not.toContain('"hash"');
    expect((await call('GET', '/admin/tenants/fabrikam')).body!.activeTokens).toBe(2);

    const id = issued.body!.id as string;
    expect((await call('DELETE', `/admin/tenants/fabrikam/tokens/${id}`)).status).toBe(204);
    expect((await call('DELETE', `/admin/tenants/fabrikam/tokens/${id}`)).status).toBe(204);
    expect((await storage.activeTokens('fabrikam')).map((t) => t.hash)).toEqual([hashToken(second.body!.token as string)]);
    const after = (await call('GET', '/admin/tenants/fabrikam/tokens')).body!.tokens as Array<Record<string, unknown>>;
    expect(after.find((t) => t.id === id)).toMatchObject({ active: false, revoked: expect.any(String) });
  });

  it('404 for an unknown tenant or token id; 400 for a bad label', async () => {
    expect((await call('POST', '/admin/tenants/nope/tokens', { body: {} })).status).toBe(404);
    await call('POST', '/admin/tenants', { body: { name: 'tok404' } });
    const missing = await call('DELETE', '/admin/tenants/tok404/tokens/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body!.detail).toContain('token list --tenant tok404');
    expect((await call('POST', '/admin/tenants/tok404/tokens', { body: { label: '' } })).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
  });

  it('deleting a tenant removes its tokens (a recreated tenant starts without them)', async () => {
    await call('POST', '/admin/tenants', { body: { name: 'recycled' } });
    await call('POST', '/admin/tenants/recycled/tokens', { body: {} });
    await call('DELETE', '/admin/tenants/recycled');
    await call('POST', '/admin/tenants', { body: { name: 'recycled' } });
    expect(await storage.activeTokens('recycled')).toEqual([]);
  });
});

describe('policies', () => {
  it('are off by default; PUT replaces, PATCH merges; invalid input is a 400 that says what to fix', async () => {
    await call('POST', '/admin/tenants', { body: { name: 'signpath' } });
    expect((await call('GET', '/admin/tenants/signpath/policies')).body).toEqual({
      requiredUserAttributes: [], allowedRoleValues: null, singleRoleBesidesDefault: null, linkOnCreate: false, deactivateWhenRemovedFromAllGroups: false,
    });
    const put = await call('PUT', '/admin/tenants/signpath/policies', { body: { singleRoleBesidesDefault: { defaultRole: 'RegularUser' }, linkOnCreate: true } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ singleRoleBesidesDefault: { defaultRole: 'RegularUser' }, linkOnCreate: true });
    const patched = await call('PATCH', '/admin/tenants/signpath/policies', { body: { deactivateWhenRemovedFromAllGroups: true } });
    expect(patched.body).toMatchObject({ linkOnCreate: true, deactivateWhenRemovedFromAllGroups: true });
    const replaced = await call('PUT', '/admin/tenants/signpath/policies', { body: { requiredUserAttributes: ['userName', 'emails[type eq "work"].value'] } });
    expect(replaced.body).toMatchObject({ linkOnCreate: false, requiredUserAttributes: ['userName', 'emails[type eq "work"].value'] });
    // Stored where the SCIM layer reads it, next to the other settings.
    expect((await storage.getTenant('signpath'))!.settings.policies).toMatchObject({ requiredUserAttributes: ['userName', 'emails[type eq "work"].value'] });

    const bad = await call('PUT', '/admin/tenants/signpath/policies', { body: { linkOnCreate: 'yes' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: '400', scimType: 'invalidValue', detail: 'linkOnCreate: must be true or false (got "yes")' });
    expect((await call('GET', '/admin/tenants/signpath/policies')).body!.requiredUserAttributes).toHaveLength(2);
    expect((await call('GET', '/admin/tenants/nope/policies')).status).toBe(404);
  });

  it('keep custom schemas when policies change', async () => {
    const urn = 'urn:ietf:params:scim:schemas:extension:Keep:2.0:User';
    await call('POST', '/admin/tenants', { body: { name: 'keeper', customSchemas: [urn] } });
    await call('PUT', '/admin/tenants/keeper/policies', { body: { linkOnCreate: true } });
    expect((await storage.getTenant('keeper'))!.settings.customSchemas).toEqual([urn]);
  });
});

describe('audit log', () => {
  it('pages newest first with a cursor until nextCursor is null', async () => {
    await call('POST', '/admin/tenants', { body: { name: 'audited' } });
    await call('POST', '/admin/tenants', { body: { name: 'other' } });
    for (let i = 1; i <= 5; i++) {
      await storage.appendAudit({ time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), tenant: 'audited', tokenId: 't1', method: 'POST', resourceType: 'User', resourceId: `u${i}`, summary: `created user ${i}`, status: 201, outcome: 'success', dryRun: i === 3 });
    }
    await storage.appendAudit({ time: new Date().toISOString(), tenant: 'other', method: 'DELETE', summary: 'x', status: 204, outcome: 'success', dryRun: false });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await call('GET', `/admin/tenants/audited/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const entries = res.body!.entries as Array<Record<string, unknown>>;
      seen.push(...entries.map((e) => e.resourceId as string));
      cursor = res.body!.nextCursor as string | null;
      pages++;
    } while (cursor);
    // The oldest entry is the admin API's own record of creating the tenant.
    expect(seen).toEqual(['u5', 'u4', 'u3', 'u2', 'u1', 'audited']);
    expect(pages).toBe(3);
    const dry = (await call('GET', '/admin/tenants/audited/audit?limit=5')).body!.entries as Array<Record<string, unknown>>;
    expect(dry.find((e) => e.resourceId === 'u3')).toMatchObject({ dryRun: true, method: 'POST', status: 201, outcome: 'success', tokenId: 't1', summary: 'created user 3' });
    expect((await call('GET', '/admin/tenants/audited/audit?limit=6')).body!.nextCursor).toBeNull();
    expect((await call('GET', '/admin/tenants/audited/audit?limit=5')).body!.nextCursor).toBe(String((dry.at(-1) as { seq: number }).seq));
  });

  it('records admin changes (tenant, tokens, policies, schemas) without secrets', async () => {
    await call('POST', '/admin/tenants', { body: { name: 'adminlog' } });
    const issued = await call('POST', '/admin/tenants/adminlog/tokens', { body: { label: 'entra-prod' } });
    await call('DELETE', `/admin/tenants/adminlog/tokens/${issued.body!.id as string}`);
    await call('DELETE', `/admin/tenants/adminlog/tokens/${issued.body!.id as string}`);
    await call('PATCH', '/admin/tenants/adminlog/policies', { body: { linkOnCreate: true, deactivateWhenRemovedFromAllGroups: false } });
    await call('PUT', '/admin/tenants/adminlog/schemas', { body: { customExtensions: [{ name: 'Contoso', attributes: [{ name: 'costCenter' }] }] } });
    const page = await call('GET', '/admin/tenants/adminlog/audit');
    const entries = page.body!.entries as Array<Record<string, unknown>>;
    expect(entries.map((e) => [e.method, e.resourceType, e.summary])).toEqual([
      ['PUT', 'Schemas', 'admin: schemas set: Contoso'],
      ['PATCH', 'Policies', 'admin: policies changed: linkOnCreate'],
      ['DELETE', 'Token', 'admin: token revoked'],
      ['POST', 'Token', 'admin: token issued (label "entra-prod")'],
      ['POST', 'Tenant', 'admin: tenant created'],
    ]);
    expect(entries[2]).toMatchObject({ resourceId: issued.body!.id, status: 204, outcome: 'success', dryRun: false });
    expect(page.text).not.toContain(issued.body!.token as string);
  });

  it('rejects a bad limit or cursor', async () => {
    expect((await call('GET', '/admin/tenants/audited/audit?limit=0')).body).toMatchObject({ status: '400', detail: expect.stringContaining('limit must be an integer from 1 to 500') });
    expect((await call('GET', '/admin/tenants/audited/audit?cursor=abc')).body).toMatchObject({ status: '400', detail: expect.stringContaining('nextCursor') });
    expect((await call('GET', '/admin/tenants/nope/audit')).status).toBe(404);
  });
});

describe('cache invalidation hook', () => {
  it('reports the tenant after token revoke, policy changes and tenant delete (not after reads or issues)', async () => {
    const changed: string[] = [];
    const hooked = Fastify();
    await registerAdminRoutes(hooked, { storage, authorize: createAdminAuthorizer(adminToken), onTenantChanged: (t) => changed.push(t) });
    const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
    await hooked.inject({ method: 'POST', url: '/admin/tenants', headers, payload: { name: 'hooked' } });
    const issued = (await hooked.inject({ method: 'POST', url: '/admin/tenants/hooked/tokens', headers, payload: {} })).json() as { id: string };
    await hooked.inject({ method: 'GET', url: '/admin/tenants/hooked/policies', headers: { authorization: headers.authorization } });
    expect(changed).toEqual([]);
    const auth = { authorization: headers.authorization };
    await hooked.inject({ method: 'DELETE', url: `/admin/tenants/hooked/tokens/${issued.id}`, headers: auth });
    await hooked.inject({ method: 'PUT', url: '/admin/tenants/hooked/policies', headers, payload: { linkOnCreate: true } });
    await hooked.inject({ method: 'PATCH', url: '/admin/tenants/hooked/policies', headers, payload: { linkOnCreate: false } });
    await hooked.inject({ method: 'PUT', url: '/admin/tenants/hooked/policies', headers, payload: { linkOnCreate: 'no' } });
    await hooked.inject({ method: 'DELETE', url: '/admin/tenants/hooked', headers: auth });
    expect(changed).toEqual(['hooked', 'hooked', 'hooked', 'hooked']);
    await hooked.close();
  });
});

describe('custom extension schemas', () => {
  const contoso = { name: 'Contoso', description: 'Contoso HR attributes', attributes: [{ name: 'costCenter' }, { name: 'clearance', type: 'integer', required: true }] };

  it('creates a tenant with extensions, reads and replaces them (policies kept)', async () => {
    const created = await call('POST', '/admin/tenants', { body: { name: 'ext', customExtensions: [contoso] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ customExtensions: ['Contoso'], customSchemas: [] });
    await call('PATCH', '/admin/tenants/ext/policies', { body: { linkOnCreate: true } });
    expect((await call('GET', '/admin/tenants/ext/schemas')).body).toEqual({ customSchemas: [], customExtensions: [contoso] });
    const legacy = 'urn:ietf:params:scim:schemas:extension:Legacy:2.0:User';
    const put = await call('PUT', '/admin/tenants/ext/schemas', { body: { customSchemas: [legacy] } });
    expect(put.body).toEqual({ customSchemas: [legacy], customExtensions: [] });
    expect((await storage.getTenant('ext'))!.settings).toMatchObject({ customSchemas: [legacy], customExtensions: [], policies: { linkOnCreate: true } });
  });

  it('rejects definitions /Schemas could not serve, naming the field', async () => {
    await call('POST', '/admin/tenants', { body: { name: 'extbad' } });
    const cases: Array<[unknown, string]> = [
      [{ customExtensions: [{ name: 'enterprise', attributes: [] }] }, 'Custom extension name "enterprise" is invalid'],
      [{ customExtensions: [{ name: 'A', attributes: [{ name: 'x', type: 'complex' }] }] }, 'unsupported type "complex"'],
      [{ customExtensions: [{ name: 'A', attributes: [{ name: 'x' }, { name: 'X' }] }] }, 'defined twice'],
      [{ customExtensions: [{ name: 'A', attributes: [{ name: 'x', required: 'yes' }] }] }, 'customExtensions[0].attributes[0].required must be true or false'],
      [{ customExtensions: [{ name: 'A', attributes: [], extra: 1 }] }, 'customExtensions[0]: unknown field "extra"'],
      [{ customExtensions: {} }, 'customExtensions must be an array'],
      [{ customSchemas: ['urn:bad'] }, 'customSchemas must be an array of URNs'],
      [{ schemas: [] }, 'unknown field "schemas"'],
    ];
    for (const [body, detail] of cases) {
      const res = await call('PUT', '/admin/tenants/extbad/schemas', { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body!.detail).toContain(detail);
    }
    expect((await call('POST', '/admin/tenants', { body: { name: 'extbad2', customExtensions: [{ name: '1x', attributes: [] }] } })).status).toBe(400);
    expect((await call('GET', '/admin/tenants/extbad2')).status).toBe(404);
    expect((await call('GET', '/admin/tenants/nope/schemas')).status).toBe(404);
  });
});
