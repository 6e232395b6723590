// PATCH fuzzing (it found a 500 for `add` without path and value, fixed in the SCIM layer by 11d1c9d).
// Property-based fuzzing (fast-check) of the running service over real HTTP, on both engines:
// filters, PATCH bodies and JSON payloads, valid, nearly valid and hostile. Properties: never a 5xx,
// never a crash, errors are SCIM error bodies, a rejected PATCH changes nothing (all or nothing), and
// the PostgreSQL engine returns the same filter results as SQLite on the same data (differential).
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSchema, type TestSchema } from '../postgres/support/database.js';
import { startServiceProcess, type ServiceProcess } from '../resilience/support/service-process.js';
import { scimClient, type ScimClient, type ScimResource } from '../resilience/support/scim-client.js';
import { patchBody } from './support/arbitraries.js';

const tenant = 'fuzz';
const token = randomBytes(24).toString('hex');
let schema: TestSchema;
const services: Record<'sqlite' | 'postgres', { process: ServiceProcess; client: ScimClient; userIds: string[]; groupId: string }> = {} as never;

const seedUsers = [
  { userName: 'Alice@Example.com', displayName: 'Alice A', externalId: 'ext-1', active: true, title: 'Engineer', name: { givenName: 'Alice', familyName: 'A' } },
  { userName: 'bob@example.com', displayName: 'Bob "B"', externalId: 'ext-2', active: false, title: '50%_off', name: { givenName: 'Bob', familyName: 'B' } },
  { userName: 'carol@例え.jp', displayName: 'Carol', externalId: 'ext-3', active: true, name: { givenName: 'Carol', familyName: 'C' }, roles: [{ value: 'Admin', primary: true }] },
  { userName: "d'arcy@example.com", displayName: 'D\\Arcy', active: true },
  { userName: 'eve@example.com', externalId: 'EXT-1', active: true, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '42' } },
];

beforeAll(async () => {
  schema = await createTestSchema();
  const env = { SCIM_TENANT: tenant, SCIM_TOKEN: token, SCIM_RATE_LIMIT_PER_MINUTE: '1000000' };
  const [sqlite, postgres] = await Promise.all([
    startServiceProcess({ env: { ...env, DATABASE_URL: 'sqlite::memory:' } }),
    startServiceProcess({ env: { ...env, DATABASE_URL: schema.url } }),
  ]);
  for (const [name, process] of [['sqlite', sqlite], ['postgres', postgres]] as const) {
    const client = scimClient(process.url, tenant, token);
    const userIds: string[] = [];
    for (const user of seedUsers) {
      const res = await client.request('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], emails: [{ type: 'work', value: user.userName, primary: true }], ...user });
      expect(res.status, res.text).toBe(201);
      userIds.push((res.body as ScimResource).id);
    }
    const group = await client.createGroup('Fuzz group');
    const groupId = (group.body as ScimResource).id;
    await client.addMembers(groupId, userIds.slice(0, 3));
    services[name] = { process, client, userIds, groupId };
  }
});

afterAll(async () => {
  await Promise.all(Object.values(services).map((s) => s.process.stop()));
  await schema?.drop();
});

function expectScimError(res: { status: number; body: unknown; headers: Headers; text: string }): void {
  expect(res.headers.get('content-type') ?? '').toContain('application/scim+json');
  const body = res.body as { schemas?: string[]; status?: string; detail?: string };
  expect(body?.schemas, res.text).toContain('urn:ietf:params:scim:api:messages:2.0:Error');
  expect(body.status).toBe(String(res.status));
  expect(typeof body.detail === 'string' && body.detail.length > 0).toBe(true);
  expect(res.text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
}

const engines = ['sqlite', 'postgres'] as const;


describe.each(engines)('fuzzing PATCH on the running service (%s)', (engine) => {
  it('PATCH bodies: never 5xx; a rejected PATCH leaves the resource exactly as it was', async () => {
    const { client, userIds, groupId } = services[engine];
    await fc.assert(
      fc.asyncProperty(patchBody, fc.integer({ min: 0, max: userIds.length }), async (body, target) => {
        const path = target === userIds.length ? `/Groups/${groupId}` : `/Users/${userIds[target]}`;
        const before = await client.request('GET', path);
        const res = await client.request('PATCH', path, body);
        expect(res.status < 500, `${res.status} for ${JSON.stringify(body)}: ${res.text}`).toBe(true);
        const after = await client.request('GET', path);
        expect(after.status).toBe(200);
        if (res.status >= 400) {
          expectScimError(res);
          expect(after.body).toEqual(before.body);
        }
      }),
      { numRuns: 400 },
    );
  }, 60_000); // thousands of HTTP requests; CI runs two files at once

});
