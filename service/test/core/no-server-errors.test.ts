// Property-based check over real HTTP (fast-check): hostile filters, PATCH bodies, POST bodies and query
// parameters never produce a 5xx; errors are SCIM bodies; a rejected PATCH changes nothing (all or nothing).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, patchOp, startHarness, type Harness, type ScimResponse } from './support.js';

let h: Harness;
let userId: string;
let groupId: string;
let bareId: string;
beforeAll(async () => {
  h = await startHarness({ rateLimitPerMinute: 0 }, 'fuzz', 'fuzz-token');
  userId = (await h.call('POST', '/Users', newUser('fuzz@example.com', { roles: [{ value: 'Admin', primary: true }], phoneNumbers: [{ type: 'mobile', value: '1' }] }))).body.id;
  // A user with nothing but a userName: removals and value paths on absent attributes (pg's fuzz finding).
  bareId = (await h.call('POST', '/Users', { userName: 'bare@example.com' })).body.id;
  groupId = (await h.call('POST', '/Groups', { displayName: 'Fuzzers', members: [{ value: userId }] })).body.id;
});
afterAll(async () => {
  await h.service.close();
});

function expectNoServerError(res: ScimResponse, what: string) {
  expect(res.status < 500, `${res.status} for ${what}: ${res.text}`).toBe(true);
  if (res.status >= 400) {
    expect(res.headers.get('content-type') ?? '').toContain('application/scim+json');
    expect(res.body?.schemas, res.text).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect(res.body.status).toBe(String(res.status));
  }
}

const attr = fc.constantFrom('phoneNumbers[type eq "mobile"].value', 'addresses[type eq "work"]', 'userName', 'USERNAME', 'emails', 'emails.value', 'name.givenName', 'active', 'roles', 'members', 'manager', 'meta.created', 'id', 'externalId', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager', 'x', '', 'emails[type eq "work"]', 'roles[primary eq "True"].value', 'a.b.c', 'groups');
const op = fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'EQ', 'and', 'or', 'not', '(', ')', '[', ']');
const literal = fc.oneof(fc.string().map((s) => JSON.stringify(s)), fc.constantFrom('true', 'False', 'null', '42', '-1.5e3', '"unterminated', 'O'));
const filterText = fc.oneof(fc.string({ maxLength: 40 }), fc.array(fc.oneof(attr, op, literal), { maxLength: 9 }).map((parts) => parts.join(' ')));
const json = fc.jsonValue({ maxDepth: 3 });
const patchValue = fc.oneof(json, fc.constantFrom('True', 'False', '', null, [], {}, [{ value: 'x' }], [{ $ref: null, value: 'nope' }], { 'name.givenName': 'G', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager': 'm' }));
const operation = fc.record({ op: fc.constantFrom('add', 'Add', 'replace', 'Replace', 'remove', 'Remove', 'merge', 42), path: fc.option(fc.oneof(attr, fc.string({ maxLength: 20 })), { nil: undefined }), value: fc.option(patchValue, { nil: undefined }) }, { requiredKeys: ['op'] });

describe('never a 5xx for client input', () => {
  it('filters on Users and Groups', async () => {
    await fc.assert(
      fc.asyncProperty(filterText, fc.constantFrom('/Users', '/Groups'), async (filter, resource) => {
        const res = await h.call('GET', `${resource}?filter=${encodeURIComponent(filter)}`);
        expectNoServerError(res, filter);
        expect([200, 400]).toContain(res.status);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    );
  });

  it('PATCH bodies on a full user, a bare user and a group; a rejected PATCH changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 4 }), fc.constantFrom('user', 'bare', 'group'), async (ops, target) => {
        const path = target === 'group' ? `/Groups/${groupId}` : target === 'bare' ? `/Users/${bareId}` : `/Users/${userId}`;
        const before = await h.call('GET', path);
        const res = await h.call('PATCH', path, patchOp(...ops));
        expectNoServerError(res, JSON.stringify(ops));
        const after = await h.call('GET', path);
        expect(after.status).toBe(200);
        if (res.status >= 400) expect(after.body).toEqual(before.body);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    );
  });

  it('POST bodies, raw text and query parameters', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(json.map((j) => JSON.stringify(j)), fc.string({ maxLength: 60 }), fc.record({ userName: fc.oneof(fc.string(), json), emails: json, active: json, name: json, roles: json }).map((b) => JSON.stringify(b))),
        fc.constantFrom('/Users', '/Groups'),
        fc.constantFrom('', '?attributes=userName,emails[type eq "work"]', '?startIndex=x', '?count=-5&startIndex=0', '?sortBy=name.familyName&sortOrder=sideways', '?filter=a&filter=b', '?excludedAttributes=urn:x:y'),
        async (body, resource, query) => {
          const res = await h.call('POST', resource + query, body);
          expectNoServerError(res, `${query} ${body}`);
          const list = await h.call('GET', resource + query);
          expectNoServerError(list, `GET ${query}`);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    );
  });
});
