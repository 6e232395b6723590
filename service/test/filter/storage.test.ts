import { describe, expect, it } from 'vitest';
import { ScimFilterError, ScimPathError, parseStorageFilter, parseStoragePath } from '../../src/filter/index.js';
import { matchesFilter as storageMatches } from '../../src/storage/contract.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('conversion to the storage contract AST (service/src/storage/contract.ts)', () => {
  it('maps comparisons, URN paths and logic', () => {
    expect(parseStorageFilter(`userName eq "a" and not (${ENTERPRISE}:manager.value pr)`)).toEqual({
      kind: 'and',
      left: { kind: 'compare', path: { attr: 'userName' }, op: 'eq', value: 'a' },
      right: { kind: 'not', filter: { kind: 'present', path: { uri: ENTERPRISE, attr: 'manager', sub: 'value' } } },
    });
  });

  it("maps Entra's `emails[type eq \"work\"].value eq` to a compare on { attr, filter, sub }", () => {
    expect(parseStorageFilter('emails[type eq "work"].value eq "a@b.c"')).toEqual({
      kind: 'compare',
      path: { attr: 'emails', filter: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' }, sub: 'value' },
      op: 'eq',
      value: 'a@b.c',
    });
    expect(parseStorageFilter('roles[primary eq "True"]')).toEqual({
      kind: 'valuePath',
      path: { attr: 'roles' },
      filter: { kind: 'compare', path: { attr: 'primary' }, op: 'eq', value: 'True' },
    });
  });

  it('gives results the storage matcher agrees with', () => {
    const doc = { userName: 'Bob', emails: [{ type: 'work', value: 'Bob@x.org' }], roles: [{ primary: true, value: 'Admin' }] };
    expect(storageMatches(doc, parseStorageFilter('emails[type eq "work"].value eq "bob@x.org"'))).toBe(true);
    expect(storageMatches(doc, parseStorageFilter('emails[type eq "home"].value eq "bob@x.org"'))).toBe(false);
    expect(storageMatches(doc, parseStorageFilter('roles[primary eq "True"]'))).toBe(true);
  });

  it('maps PATCH paths, including a bare extension URN split at its last colon', () => {
    expect(parseStoragePath('members[value eq "u1"]')).toEqual({
      attr: 'members',
      filter: { kind: 'compare', path: { attr: 'value' }, op: 'eq', value: 'u1' },
    });
    expect(parseStoragePath('emails[type eq "work"].value')).toMatchObject({ attr: 'emails', sub: 'value' });
    expect(parseStoragePath(`${ENTERPRISE}:manager`)).toEqual({ uri: ENTERPRISE, attr: 'manager' });
    expect(parseStoragePath(ENTERPRISE)).toEqual({ uri: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0', attr: 'User' });
    expect(parseStoragePath('name.givenName')).toEqual({ attr: 'name', sub: 'givenName' });
  });

  it('keeps the error types', () => {
    expect(() => parseStorageFilter('userName eq')).toThrow(ScimFilterError);
    expect(() => parseStoragePath('members[value eq')).toThrow(ScimPathError);
  });
});
