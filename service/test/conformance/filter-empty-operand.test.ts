// Empty string operands: every string starts with, ends with and contains "" (RFC 7644 co/sw/ew).
// (`externalId ew ""` once selected nothing; fixed in svc 4c41f41.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTarget, type Target } from './support.js';

let target: Target;
const auth = () => ({ Authorization: `Bearer ${target.token}`, 'Content-Type': 'application/scim+json' });

beforeAll(async () => {
  target = await startTarget('empty-operand');
  for (let i = 0; i < 3; i++) {
    const body = { userName: `u${i}@contoso.com`, externalId: `ext-${i}`, displayName: `User ${i}`, title: 'T' };
    expect((await target.send('POST', '/Users', { body: JSON.stringify(body), headers: auth() })).status).toBe(201);
  }
  expect((await target.send('POST', '/Users', { body: JSON.stringify({ userName: 'bare@contoso.com' }), headers: auth() })).status).toBe(201);
});

afterAll(async () => {
  await target?.service.close();
});

describe('co / sw / ew with an empty operand', () => {
  it('match every user that has the attribute', async () => {
    for (const attribute of ['userName', 'externalId', 'displayName', 'title', 'emails.value']) {
      const expected = attribute === 'userName' ? 4 : attribute === 'emails.value' ? 0 : 3;
      for (const op of ['co', 'sw', 'ew']) {
        const text = `${attribute} ${op} ""`;
        const r = await target.send('GET', `/Users?filter=${encodeURIComponent(text)}`, { headers: auth() });
        expect(r.status, text).toBe(200);
        expect(r.json!.totalResults, text).toBe(expected);
      }
    }
  });
});
