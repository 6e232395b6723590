import { describe, expect, it } from 'vitest';
import type { PostmanItem, RunFailure } from 'newman';
import { readFileSync } from 'node:fs';
import { AllowListError, classifyFailures, itemPath, parseAllowList, unusedEntries } from './allow-list.js';

function item(name: string, parent?: PostmanItem): PostmanItem {
  return { name, parent: () => parent };
}
const root = item('SCIM Tests');
const folder = item('User tests with garbage', root);

function assertionFailure(source: PostmanItem, test: string): RunFailure {
  return { error: { name: 'AssertionError', message: 'expected 200 to be 204', test }, source };
}

describe('newman allow-list', () => {
  it('parses "<folder>/<request> | <assertion> | <reason>" lines, skipping comments', () => {
    expect(parseAllowList('# comment\n\nA/B | Status code is 204 | why | with a bar\n')).toEqual([
      { request: 'A/B', assertion: 'Status code is 204', reason: 'why | with a bar', line: 3 },
    ]);
    expect(() => parseAllowList('A/B | only two')).toThrow(AllowListError);
    expect(() => parseAllowList('A/B |  | no assertion')).toThrow(/line 1/);
  });

  it('has a reason on every line of the checked-in list', () => {
    const entries = parseAllowList(readFileSync(new URL('./allow-list.txt', import.meta.url), 'utf8'));
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry.reason.length, entry.request).toBeGreaterThan(20);
    // Every entry names a request that exists in the collection.
    const collection = JSON.parse(readFileSync(new URL('./PostmanCollection.json', import.meta.url), 'utf8')) as {
      item: { name: string; item?: { name: string }[] }[];
    };
    const paths = collection.item.flatMap((i) => (i.item ? i.item.map((r) => `${i.name}/${r.name}`) : [i.name]));
    for (const entry of entries) expect(paths, entry.request).toContain(entry.request);
  });

  it('builds folder/request paths from the parent chain, without the collection', () => {
    expect(itemPath(item('Paginate', folder))).toBe('User tests with garbage/Paginate');
    expect(itemPath(item('Get all users', root))).toBe('Get all users');
  });

  it('allow-lists only assertion failures whose request and test name both match', () => {
    const list = parseAllowList('User tests with garbage/Paginate | Total results | reason enough to be long here\nX/Y | Z | unused entry reason text');
    const classified = classifyFailures(
      [
        assertionFailure(item('Paginate', folder), 'Total results'),
        assertionFailure(item('Paginate', folder), 'JSON Assertion items per page'),
        { error: { name: 'Error', message: 'connect ECONNREFUSED' }, at: 'request', source: item('Paginate', folder) },
      ],
      list,
    );
    expect(classified.map((c) => [c.kind, c.allowListedBy?.line])).toEqual([
      ['assertion', 1],
      ['assertion', undefined],
      ['error', undefined],
    ]);
    expect(unusedEntries(list, classified).map((e) => e.request)).toEqual(['X/Y']);
  });
});
