// dateTime filters compare chronologically (RFC 7644 §3.4.2.2, RFC 7643 §2.3.5), whatever the offset the client writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesFilter, parseFilter } from '../../src/filter/index.js';
import { userSchemaInfo } from '../../src/discovery/index.js';
import { startTarget, type Target } from './support.js';

let target: Target;
let users: Array<Record<string, unknown>> = [];
const auth = () => ({ Authorization: `Bearer ${target.token}`, 'Content-Type': 'application/scim+json' });

beforeAll(async () => {
  target = await startTarget('datetime');
  for (let i = 0; i < 6; i++) {
    const r = await target.send('POST', '/Users', { body: JSON.stringify({ userName: `dt${i}@contoso.com` }), headers: auth() });
    expect(r.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 5)); // distinct created instants
  }
  users = (await target.send('GET', '/Users?count=100', { headers: auth() })).json!.Resources as Array<Record<string, unknown>>;
});

afterAll(async () => {
  await target?.service.close();
});

function withOffset(iso: string, hours: number): string {
  const shifted = new Date(Date.parse(iso) + hours * 3600_000).toISOString().slice(0, 23);
  const sign = hours >= 0 ? '+' : '-';
  return `${shifted}${sign}${String(Math.abs(hours)).padStart(2, '0')}:00`;
}

describe('dateTime filters', () => {
  it('select by instant for values written with an offset', async () => {
    const pivot = (users[2].meta as { created: string }).created;
    for (const value of [pivot, withOffset(pivot, 2), withOffset(pivot, -7)]) {
      for (const op of ['gt', 'ge', 'lt', 'le', 'eq']) {
        const text = `meta.created ${op} "${value}"`;
        const r = await target.send('GET', `/Users?count=100&filter=${encodeURIComponent(text)}`, { headers: auth() });
        expect(r.status, text).toBe(200);
        const got = (r.json!.Resources as Array<{ id: string }>).map((u) => u.id).sort();
        const expected = users.filter((u) => matchesFilter(u, parseFilter(text), userSchemaInfo())).map((u) => u.id as string).sort();
        expect(got, text).toEqual(expected);
      }
    }
  });

  it('answers 400 invalidFilter for a dateTime operand that is not a date', async () => {
    const r = await target.send('GET', `/Users?filter=${encodeURIComponent('meta.lastModified gt "yesterday"')}`, { headers: auth() });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ scimType: 'invalidFilter' });
  });
});
