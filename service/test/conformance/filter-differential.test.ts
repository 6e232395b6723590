// Differential test: random RFC 7644 filters sent to the real service (SQL translation + residual evaluation)
// must select exactly the users the reference evaluator (service/src/filter matchesFilter, schema-aware) selects
// on the same documents. Covers the whole grammar the issue asks for (eq ne co sw ew pr gt ge lt le, and/or/not,
// grouping, value paths, URN paths) over the attributes Entra filters on and a few it does not.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFilter, matchesFilter, type CompareOperator, type Filter, type FilterValue } from '../../src/filter/index.js';
import { userSchemaInfo } from '../../src/discovery/index.js';
import { startTarget, type Target } from './support.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let target: Target;
let users: Array<Record<string, unknown>> = [];

const givenNames = ['Ada', 'alan', 'Grace', 'Linus', 'Barbara'];
const departments = ['Sales', 'sales', 'R&D', 'Ops'];

function userDoc(i: number) {
  const doc: Record<string, unknown> = {
    schemas: [USER, ENTERPRISE],
    userName: `${givenNames[i % givenNames.length]}.${i}@Contoso.com`,
    externalId: `ext-${i % 7}-${i}`,
    active: i % 3 !== 0,
    name: { givenName: givenNames[i % givenNames.length], familyName: `Family${i % 4}` },
    emails: [
      { type: 'work', value: `${givenNames[i % givenNames.length].toLowerCase()}${i}@contoso.com`, primary: true },
      ...(i % 2 === 0 ? [{ type: 'home', value: `home${i}@example.org` }] : []),
    ],
    roles: [{ primary: i % 4 === 0, value: i % 5 === 0 ? 'Admin' : 'Reader', type: 'WindowsAzureActiveDirectoryRole' }],
    [ENTERPRISE]: { department: departments[i % departments.length], employeeNumber: String(1000 + i) },
  };
  if (i % 3 === 1) doc.title = i % 2 === 0 ? 'Engineer' : 'engineering lead';
  if (i % 4 !== 2) doc.displayName = `${givenNames[i % givenNames.length]} ${i}`;
  return doc;
}

beforeAll(async () => {
  target = await startTarget('differential');
  const headers = { Authorization: `Bearer ${target.token}`, 'Content-Type': 'application/scim+json' };
  for (let i = 0; i < 24; i++) {
    const r = await target.send('POST', '/Users', { body: JSON.stringify(userDoc(i)), headers });
    expect(r.status, r.text).toBe(201);
  }
  const all = await target.send('GET', '/Users?count=1000', { headers });
  users = all.json!.Resources as Array<Record<string, unknown>>;
  expect(users).toHaveLength(24);
});

afterAll(async () => {
  await target?.service.close();
});

const stringAttributes = ['userName', 'displayName', 'title', 'externalId', 'name.givenName', 'name.familyName', 'emails.value', 'emails.type'];
const pathOf = (dotted: string) => {
  const [attribute, subAttribute] = dotted.split('.');
  return subAttribute ? { attribute, subAttribute } : { attribute };
};

/** Values drawn from the population (in varied case) so filters actually select something. */
function sampleStrings(): string[] {
  const out = new Set<string>();
  for (const u of users) {
    for (const a of stringAttributes) {
      const [top, sub] = a.split('.');
      const raw = u[top];
      const values = Array.isArray(raw) ? raw.map((e) => (e as Record<string, unknown>)[sub]) : sub ? [(raw as Record<string, unknown> | undefined)?.[sub]] : [raw];
      for (const v of values) if (typeof v === 'string') out.add(v);
    }
  }
  return [...out];
}

function filterArbitrary(strings: string[]): fc.Arbitrary<Filter> {
  const text = fc.oneof(
    fc.constantFrom(...strings),
    fc.constantFrom(...strings).map((s) => s.toUpperCase()),
    fc.constantFrom(...strings).chain((s) => fc.nat({ max: Math.max(0, s.length - 1) }).map((n) => s.slice(n, n + 3))),
    fc.constantFrom('contoso', 'Engineer', 'ext-3', 'nobody', ''),
  );
  const stringCompare = fc.record({
    kind: fc.constant('compare' as const),
    path: fc.constantFrom(...stringAttributes).map(pathOf),
    operator: fc.constantFrom<CompareOperator>('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'),
    value: text as fc.Arbitrary<FilterValue>,
  });
  const booleanCompare = fc.record({
    kind: fc.constant('compare' as const),
    path: fc.constant({ attribute: 'active' }),
    operator: fc.constantFrom<CompareOperator>('eq', 'ne'),
    value: fc.constantFrom<FilterValue>(true, false, 'True', 'False'),
  });
  const extension = fc.record({
    kind: fc.constant('compare' as const),
    path: fc.constantFrom({ schema: ENTERPRISE, attribute: 'department' }, { schema: ENTERPRISE, attribute: 'employeeNumber' }),
    operator: fc.constantFrom<CompareOperator>('eq', 'ne', 'sw', 'co'),
    value: fc.constantFrom<FilterValue>('sales', 'Sales', 'R&D', '100', '1007', 'ops'),
  });
  const present = fc.record({
    kind: fc.constant('present' as const),
    path: fc.constantFrom('title', 'displayName', 'emails', 'name.givenName', 'roles').map(pathOf),
  });
  const valuePath = fc.record({
    kind: fc.constant('valuePath' as const),
    path: fc.constantFrom({ attribute: 'emails' }),
    filter: fc.record({
      kind: fc.constant('compare' as const),
      path: fc.constant({ attribute: 'type' }),
      operator: fc.constant<CompareOperator>('eq'),
      value: fc.constantFrom<FilterValue>('work', 'home', 'WORK'),
    }),
    then: fc.record({ subAttribute: fc.constant('value'), operator: fc.constantFrom<CompareOperator>('eq', 'co', 'sw'), value: text as fc.Arbitrary<FilterValue> }),
  });
  const roles = fc.record({
    kind: fc.constant('valuePath' as const),
    path: fc.constant({ attribute: 'roles' }),
    filter: fc.record({
      kind: fc.constant('compare' as const),
      path: fc.constant({ attribute: 'primary' }),
      operator: fc.constant<CompareOperator>('eq'),
      value: fc.constantFrom<FilterValue>('True', 'False', true),
    }),
  });
  // meta.created / lastModified compare as instants: the same instants are also written with a +02:00 offset.
  const instants = users.flatMap((u) => {
    const meta = u.meta as { created: string; lastModified: string };
    return [meta.created, meta.lastModified];
  });
  const shifted = (iso: string) => `${new Date(Date.parse(iso) + 2 * 3600_000).toISOString().slice(0, 23)}+02:00`;
  const dates = fc.record({
    kind: fc.constant('compare' as const),
    path: fc.constantFrom({ attribute: 'meta', subAttribute: 'created' }, { attribute: 'meta', subAttribute: 'lastModified' }),
    operator: fc.constantFrom<CompareOperator>('gt', 'ge', 'lt', 'le', 'eq'),
    value: fc.oneof(
      fc.constantFrom(...instants),
      fc.constantFrom(...instants).map(shifted),
      fc.constant('2015-10-10T14:38:21.8617979-07:00'),
    ) as fc.Arbitrary<FilterValue>,
  });
  const leaf = fc.oneof(
    { weight: 1, arbitrary: dates },
    { weight: 5, arbitrary: stringCompare },
    { weight: 2, arbitrary: booleanCompare },
    { weight: 2, arbitrary: extension },
    { weight: 1, arbitrary: present },
    { weight: 2, arbitrary: valuePath },
    { weight: 1, arbitrary: roles },
  ) as fc.Arbitrary<Filter>;
  const { filter } = fc.letrec<{ filter: Filter }>((tie) => ({
    filter: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('filter'), right: tie('filter') }) as fc.Arbitrary<Filter>,
      fc.record({ kind: fc.constant('not' as const), filter: tie('filter') }) as fc.Arbitrary<Filter>,
    ),
  }));
  return filter;
}

describe('filters over HTTP agree with the reference evaluator', () => {
  it('selects the same users for random filters (fast-check, 150 filters)', async () => {
    const info = userSchemaInfo();
    const headers = { Authorization: `Bearer ${target.token}` };
    await fc.assert(
      fc.asyncProperty(filterArbitrary(sampleStrings()), async (filter) => {
        const text = formatFilter(filter);
        const r = await target.send('GET', `/Users?count=1000&filter=${encodeURIComponent(text)}`, { headers });
        expect(r.status, `${text}: ${r.text.slice(0, 300)}`).toBe(200);
        const got = (r.json!.Resources as Array<{ id: string }>).map((u) => u.id).sort();
        const expected = users.filter((u) => matchesFilter(u, filter, info)).map((u) => u.id as string).sort();
        expect(got, text).toEqual(expected);
        expect(r.json!.totalResults, text).toBe(expected.length);
      }),
      { numRuns: 150 },
    );
  });
});
