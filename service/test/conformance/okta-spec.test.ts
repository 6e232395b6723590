// Okta's "SCIM 2.0 SPEC Test" (Runscope export 2024-05-13; reference §3.3, copy at BerriAI/litellm
// tests/scim_tests/scim_e2e_test.json), its 12 request steps ported one test each, in order, over real HTTP.
// Headers are Okta's own. Assertions are Okta's; lines marked "ours" are stricter checks this project adds.
// Not ported: the "GET /Groups responds in < 600 ms" timing assertion (tests never assert wall-clock time;
// throughput is measured in bench/service-entra-mix.ts instead).
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notEmpty, property, startTarget, type RawResponse, type Target } from './support.js';

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

// Okta's variables (developer.okta.com "Test your SCIM API", variables table).
const random = randomBytes(4).toString('hex');
const vars = {
  InvalidUserEmail: `${randomBytes(4).toString('hex')}@atko.com`,
  UserIdThatDoesNotExist: `010101001010101010${random}`,
  randomUsername: `Runscope${random}Okta@atko.com`,
  randomUsernameCaps: `RUNSCOPE${random.toUpperCase()}OKTA@ATKO.COM`,
  randomEmail: `Runscope${random}Okta@atko.com`,
  randomGivenName: `Given${random}`,
  randomFamilyName: `Family${random}`,
};

let target: Target;
let auth: string;
const state: { ISVUserid?: string; idUserOne?: string } = {};

/** Okta's headers on GET steps (note the Content-Type on a body-less GET). */
function oktaGetHeaders(authorization = auth): Record<string, string> {
  return {
    'Accept-Charset': 'utf-8',
    'Content-Type': 'application/scim+json; charset=utf-8',
    Accept: 'application/scim+json',
    Authorization: authorization,
    'User-Agent': 'OKTA SCIM Integration',
  };
}

function oktaPost(body: unknown): Promise<RawResponse> {
  return target.send('POST', '/Users', {
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', Authorization: auth, Accept: 'application/scim+json; charset=utf-8' },
  });
}

function oktaUser(emailValue: string) {
  return {
    schemas: [USER],
    userName: vars.randomUsername,
    name: { givenName: vars.randomGivenName, familyName: vars.randomFamilyName },
    emails: [{ primary: true, value: emailValue, type: 'work' }],
    displayName: `${vars.randomGivenName} ${vars.randomFamilyName}`,
    active: true,
  };
}

beforeAll(async () => {
  target = await startTarget('okta');
  auth = `Bearer ${target.token}`;
  // Okta's precondition for step 1: at least one user with givenName, familyName, emails and active.
  const seeded = await target.send('POST', '/Users', {
    body: JSON.stringify({
      schemas: [USER],
      userName: 'existing.user@atko.com',
      name: { givenName: 'Existing', familyName: 'User' },
      emails: [{ primary: true, value: 'existing.user@atko.com', type: 'work' }],
      active: true,
    }),
    headers: { 'Content-Type': 'application/json', Authorization: auth },
  });
  expect(seeded.status).toBe(201);
});

afterAll(async () => {
  await target?.service.close();
});

describe('Okta SCIM 2.0 spec test (reference §3.3)', () => {
  it('Required Test: Test Users endpoint (GET /Users?count=1&startIndex=1)', async () => {
    const r = await target.send('GET', '/Users?count=1&startIndex=1', { headers: oktaGetHeaders() });
    expect(r.status).toBe(200);
    expect(notEmpty(property(r.json, 'Resources'))).toBe(true);
    expect(property(r.json, 'schemas')).toContain(LIST);
    for (const key of ['itemsPerPage', 'startIndex', 'totalResults']) expect(typeof property(r.json, key), key).toBe('number');
    for (const path of ['id', 'name.familyName', 'name.givenName', 'userName', 'active', 'emails[0].value']) {
      expect(notEmpty(property(r.json, `Resources[0].${path}`)), path).toBe(true);
    }
    expect(property(r.json, 'itemsPerPage')).toBe(1); // ours: count=1 honoured
    state.ISVUserid = property(r.json, 'Resources[0].id') as string;
  });

  it('Required Test: Get Users/{{id}}', async () => {
    const r = await target.send('GET', `/Users/${state.ISVUserid}`, { headers: oktaGetHeaders() });
    expect(r.status).toBe(200);
    for (const path of ['id', 'name.familyName', 'name.givenName', 'userName', 'active', 'emails[0].value']) {
      expect(notEmpty(property(r.json, path)), path).toBe(true);
    }
    expect(property(r.json, 'id')).toBe(state.ISVUserid);
  });

  it('Required Test: Test invalid User by username', async () => {
    const r = await target.send('GET', `/Users?filter=userName eq "${vars.InvalidUserEmail}"`, { headers: oktaGetHeaders() });
    expect(r.status).toBe(200);
    expect(property(r.json, 'schemas')).toContain(LIST);
    expect(String(property(r.json, 'totalResults'))).toBe('0');
    expect(property(r.json, 'Resources')).toEqual([]); // ours: Resources never null (reference §1.2)
  });

  it('Required Test: Test invalid User by ID', async () => {
    const r = await target.send('GET', `/Users/${vars.UserIdThatDoesNotExist}`, { headers: oktaGetHeaders() });
    expect(r.status).toBe(404);
    expect(notEmpty(property(r.json, 'detail'))).toBe(true);
    expect(property(r.json, 'schemas')).toContain(ERROR);
  });

  it("Required Test: Make sure random user doesn't exist", async () => {
    const r = await target.send('GET', `/Users?filter=userName eq "${vars.randomEmail}"`, { headers: oktaGetHeaders() });
    expect(r.status).toBe(200);
    expect(property(r.json, 'totalResults')).toBe(0);
    expect(property(r.json, 'schemas')).toContain(LIST);
  });

  it('Required Test: Create Okta user with realistic values', async () => {
    const r = await oktaPost(oktaUser(vars.randomEmail));
    expect(r.status).toBe(201);
    expect(String(property(r.json, 'active'))).toBe('true');
    expect(notEmpty(property(r.json, 'id'))).toBe(true);
    expect(property(r.json, 'name.familyName')).toBe(vars.randomFamilyName);
    expect(property(r.json, 'name.givenName')).toBe(vars.randomGivenName);
    expect(property(r.json, 'schemas')).toContain(USER);
    expect(property(r.json, 'userName')).toBe(vars.randomUsername);
    expect(r.headers.get('content-type')).toMatch(/^application\/scim\+json/); // ours (reference §1.2)
    state.idUserOne = property(r.json, 'id') as string;
  });

  it('Required Test: Verify that user was created', async () => {
    const r = await target.send('GET', `/Users/${state.idUserOne}`, { headers: oktaGetHeaders() });
    expect(r.status).toBe(200);
    expect(property(r.json, 'userName')).toBe(vars.randomUsername);
    expect(property(r.json, 'name.familyName')).toBe(vars.randomFamilyName);
    expect(property(r.json, 'name.givenName')).toBe(vars.randomGivenName);
  });

  it('Required Test: Expect failure when recreating user with same values', async () => {
    const r = await oktaPost(oktaUser(vars.randomUsername));
    expect(r.status).toBe(409);
    expect(property(r.json, 'scimType')).toBe('uniqueness'); // ours (RFC 7644 §3.3, reference §2 item 8)
  });

  it('Required Test: Username Case Sensitivity Check', async () => {
    const r = await target.send('GET', `/Users?filter=userName eq "${vars.randomUsernameCaps}"`, { headers: oktaGetHeaders() });
    expect(r.status).toBe(200);
    // ours: userName is caseExact false, so the upper-case lookup finds the user (reference §1.2, §3.3).
    expect(property(r.json, 'totalResults')).toBe(1);
    expect(property(r.json, 'Resources[0].id')).toBe(state.idUserOne);
  });

  it('Optional Test: Verify Groups endpoint', async () => {
    const r = await target.send('GET', '/Groups', { headers: oktaGetHeaders() });
    expect(r.status).toBe(200);
    // Okta's script: no groups → totalResults 0; otherwise Resources is an array.
    const total = property(r.json, 'totalResults');
    expect(total === 0 || Array.isArray(property(r.json, 'Resources'))).toBe(true);
    expect(property(r.json, 'Resources')).toEqual([]); // ours: empty tenant → [] not null
  });

  it('Required Test: Check status 401', async () => {
    const r = await target.send('GET', `/Users?filter=userName eq "${vars.randomUsernameCaps}"`, {
      headers: oktaGetHeaders('non-token'),
    });
    expect(r.status).toBe(401);
    expect(notEmpty(property(r.json, 'detail'))).toBe(true);
    expect(property(r.json, 'status')).toBe('401');
    expect(property(r.json, 'schemas')).toContain(ERROR);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/); // ours (issue 2 §5)
  });

  it('Required Test: Check status 404', async () => {
    const r = await target.send('GET', '/Users/00919288221112222', { headers: oktaGetHeaders() });
    expect(r.status).toBe(404);
    expect(notEmpty(property(r.json, 'detail'))).toBe(true);
    expect(property(r.json, 'status')).toBe('404');
    expect(property(r.json, 'schemas')).toContain(ERROR);
  });

  it('keeps a wrong token of the right shape out too (ours)', async () => {
    const r = await target.send('GET', '/Users', { headers: oktaGetHeaders(`Bearer ${randomUUID()}`) });
    expect(r.status).toBe(401);
    expect(property(r.json, 'status')).toBe('401');
  });
});
