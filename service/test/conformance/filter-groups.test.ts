// Group filters over HTTP vs the reference evaluator: displayName, externalId, members[value eq "…"], members pr.
// Members are rows, not part of the stored document, so this checks the engine's join on the members table.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFilter, matchesFilter, type CompareOperator, type Filter, type FilterValue } from '../../src/filter/index.js';
import { groupSchemaInfo } from '../../src/discovery/index.js';
import { startTarget, type Target } from './support.js';

let target: Target;
let userIds: string[] = [];
let groups: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  target = await startTarget('groups');
  const headers = { Authorization: `Bearer ${target.token}`, 'Content-Type': 'application/scim+json' };
  for (let i = 0; i < 8; i++) {
    const r = await target.send('POST', '/Users', { body: JSON.stringify({ userName: `member${i}@contoso.com` }), headers });
    userIds.push(r.json!.id as string);
  }
  for (let i = 0; i < 8; i++) {
    const members = userIds.filter((_, k) => k % (i + 2) === 0).slice(0, i).map((value) => ({ value }));
    const body = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `Team ${['Red', 'blue', 'Green'][i % 3]} ${i}`, externalId: `grp-${i}`, members };
    const r = await target.send('POST', '/Groups', { body: JSON.stringify(body), headers });
    expect(r.status, r.text).toBe(201);
  }
  groups = (await target.send('GET', '/Groups?count=1000', { headers })).json!.Resources as Array<Record<string, unknown>>;
});

afterAll(async () => {
  await target?.service.close();
});

describe('group filters agree with the reference evaluator', () => {
  it('selects the same groups for filters on displayName, externalId and members', async () => {
    const info = groupSchemaInfo();
    const headers = { Authorization: `Bearer ${target.token}` };
    const leaf: fc.Arbitrary<Filter> = fc.oneof(
      fc.record({
        kind: fc.constant('compare' as const),
        path: fc.constantFrom({ attribute: 'displayName' }, { attribute: 'externalId' }),
        operator: fc.constantFrom<CompareOperator>('eq', 'ne', 'co', 'sw', 'ew'),
        value: fc.constantFrom<FilterValue>('team red 0', 'Team Blue 1', 'green', 'Team', 'grp-3', 'GRP-3', '7'),
      }),
      fc.record({
        kind: fc.constant('valuePath' as const),
        path: fc.constant({ attribute: 'members' }),
        filter: fc.record({
          kind: fc.constant('compare' as const),
          path: fc.constant({ attribute: 'value' }),
          operator: fc.constant<CompareOperator>('eq'),
          value: fc.constantFrom<FilterValue>(...userIds.slice(0, 6)),
        }),
      }),
      fc.record({ kind: fc.constant('present' as const), path: fc.constant({ attribute: 'members' }) }),
    ) as fc.Arbitrary<Filter>;
    const filters = fc.oneof(
      leaf,
      fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: leaf, right: leaf }) as fc.Arbitrary<Filter>,
      fc.record({ kind: fc.constant('not' as const), filter: leaf }) as fc.Arbitrary<Filter>,
    );
    await fc.assert(
      fc.asyncProperty(filters, async (filter) => {
        const text = formatFilter(filter);
        const r = await target.send('GET', `/Groups?count=1000&filter=${encodeURIComponent(text)}`, { headers });
        expect(r.status, `${text}: ${r.text.slice(0, 300)}`).toBe(200);
        const got = (r.json!.Resources as Array<{ id: string }>).map((g) => g.id).sort();
        const expected = groups.filter((g) => matchesFilter(g, filter, info)).map((g) => g.id as string).sort();
        expect(got, text).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });
});
