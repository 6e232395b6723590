// Shared set-up of the fuzz suites: the service as a real process on each engine (SQLite in memory, PostgreSQL in a
// private schema), seeded with the same users and a group, and the SCIM-error-body assertion.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { createTestSchema, type TestSchema } from '../../postgres/support/database.js';
import { startServiceProcess, type ServiceProcess } from '../../resilience/support/service-process.js';
import { scimClient, type ScimClient, type ScimResource } from '../../resilience/support/scim-client.js';

export const engines = ['sqlite', 'postgres'] as const;
export type Engine = (typeof engines)[number];

export interface FuzzService {
  process: ServiceProcess;
  client: ScimClient;
  userIds: string[];
  groupId: string;
}

const tenant = 'fuzz';

const seedUsers = [
  { userName: 'Alice@Example.com', displayName: 'Alice A', externalId: 'ext-1', active: true, title: 'Engineer', name: { givenName: 'Alice', familyName: 'A' } },
  { userName: 'bob@example.com', displayName: 'Bob "B"', externalId: 'ext-2', active: false, title: '50%_off', name: { givenName: 'Bob', familyName: 'B' } },
  { userName: 'carol@例え.jp', displayName: 'Carol', externalId: 'ext-3', active: true, name: { givenName: 'Carol', familyName: 'C' }, roles: [{ value: 'Admin', primary: true }] },
  { userName: "d'arcy@example.com", displayName: 'D\\Arcy', active: true },
  { userName: 'eve@example.com', externalId: 'EXT-1', active: true, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '42' } },
];

/** Starts both services before the file's tests and stops them after; the returned record fills in beforeAll. */
export function useFuzzServices(): Record<Engine, FuzzService> {
  const services = {} as Record<Engine, FuzzService>;
  const token = randomBytes(24).toString('hex');
  let schema: TestSchema | undefined;
  beforeAll(async () => {
    schema = await createTestSchema();
    const { url } = schema;
    const env = { SCIM_TENANT: tenant, SCIM_TOKEN: token, SCIM_RATE_LIMIT_PER_MINUTE: '1000000' };
    const [sqlite, postgres] = await Promise.all([
      startServiceProcess({ env: { ...env, DATABASE_URL: 'sqlite::memory:' } }),
      startServiceProcess({ env: { ...env, DATABASE_URL: url } }),
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
  return services;
}

export function expectScimError(res: { status: number; body: unknown; headers: Headers; text: string }): void {
  expect(res.headers.get('content-type') ?? '').toContain('application/scim+json');
  const body = res.body as { schemas?: string[]; status?: string; detail?: string };
  expect(body?.schemas, res.text).toContain('urn:ietf:params:scim:api:messages:2.0:Error');
  expect(body.status).toBe(String(res.status));
  expect(typeof body.detail === 'string' && body.detail.length > 0).toBe(true);
  expect(res.text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
}

