import { describe, expect, it } from 'vitest';
import {
  ScimFilterError,
  ScimPathError,
  formatFilter,
  formatPatchPath,
  parseAttributePath,
  parseFilter,
  parsePatchPath,
  type Filter,
} from '../../src/filter/index.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('parseFilter: RFC 7644 §3.4.2.2 grammar', () => {
  it('parses every comparison operator, case-insensitively', () => {
    for (const op of ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']) {
      for (const written of [op, op.toUpperCase(), op[0].toUpperCase() + op[1]]) {
        expect(parseFilter(`title ${written} "x"`)).toEqual({
          kind: 'compare',
          path: { attribute: 'title' },
          operator: op,
          value: 'x',
        });
      }
    }
  });

  it('parses pr, string, number, boolean and null literals', () => {
    expect(parseFilter('title PR')).toEqual({ kind: 'present', path: { attribute: 'title' } });
    expect(parseFilter('x eq 42')).toMatchObject({ value: 42 });
    expect(parseFilter('x eq -1.5e3')).toMatchObject({ value: -1500 });
    expect(parseFilter('x eq True')).toMatchObject({ value: true });
    expect(parseFilter('x eq false')).toMatchObject({ value: false });
    expect(parseFilter('x eq NULL')).toMatchObject({ value: null });
    expect(parseFilter('x eq "a \\"quoted\\" \\u00e9 value"')).toMatchObject({ value: 'a "quoted" é value' });
    // A quoted "True" stays a string; the evaluator coerces it for boolean attributes (reference §1.3).
    expect(parseFilter('x eq "True"')).toMatchObject({ value: 'True' });
  });

  it('gives "and" precedence over "or" and honours grouping', () => {
    const a = { kind: 'present', path: { attribute: 'a' } } as const;
    const b = { kind: 'present', path: { attribute: 'b' } } as const;
    const c = { kind: 'present', path: { attribute: 'c' } } as const;
    expect(parseFilter('a pr or b pr and c pr')).toEqual({ kind: 'or', left: a, right: { kind: 'and', left: b, right: c } });
    expect(parseFilter('(a pr or b pr) and c pr')).toEqual({ kind: 'and', left: { kind: 'or', left: a, right: b }, right: c });
    expect(parseFilter('a pr AND b pr Or c pr')).toEqual({ kind: 'or', left: { kind: 'and', left: a, right: b }, right: c });
    expect(parseFilter('not (a pr) and b pr')).toEqual({ kind: 'and', left: { kind: 'not', filter: a }, right: b });
    expect(parseFilter('NOT(a pr or b pr)')).toEqual({ kind: 'not', filter: { kind: 'or', left: a, right: b } });
  });

  it('parses the RFC 7644 §3.4.2.2 examples', () => {
    const examples = [
      'userName Eq "john"',
      'name.familyName co "O\'Malley"',
      'userName sw "J"',
      'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
      'title pr',
      'meta.lastModified gt "2011-05-13T04:42:34Z"',
      'title pr and userType eq "Employee"',
      'title pr or userType eq "Intern"',
      'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      'userType eq "Employee" and (emails.type eq "work")',
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    ];
    for (const example of examples) expect(() => parseFilter(example), example).not.toThrow();
  });

  it('parses value paths, including the `].value eq` form Entra sends (reference §1.2)', () => {
    expect(parseFilter('emails[type eq "work"].value eq "a@example.com"')).toEqual({
      kind: 'valuePath',
      path: { attribute: 'emails' },
      filter: { kind: 'compare', path: { attribute: 'type' }, operator: 'eq', value: 'work' },
      then: { subAttribute: 'value', operator: 'eq', value: 'a@example.com' },
    });
    expect(parseFilter('roles[primary eq "True"]')).toEqual({
      kind: 'valuePath',
      path: { attribute: 'roles' },
      filter: { kind: 'compare', path: { attribute: 'primary' }, operator: 'eq', value: 'True' },
    });
  });

  it('splits URN-qualified attribute paths into schema, attribute and sub-attribute', () => {
    expect(parseFilter(`${ENTERPRISE}:employeeNumber eq "42"`)).toEqual({
      kind: 'compare',
      path: { schema: ENTERPRISE, attribute: 'employeeNumber' },
      operator: 'eq',
      value: '42',
    });
    expect(parseFilter(`${ENTERPRISE}:manager.value eq "m1"`)).toMatchObject({
      path: { schema: ENTERPRISE, attribute: 'manager', subAttribute: 'value' },
    });
    const custom = 'urn:ietf:params:scim:schemas:extension:Acme:2.0:User';
    expect(parseFilter(`${custom}:badge pr`)).toEqual({ kind: 'present', path: { schema: custom, attribute: 'badge' } });
  });

  it("accepts Entra's documented filters and '+'-decoded spacing", () => {
    expect(parseFilter('userName eq "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081"')).toMatchObject({ operator: 'eq' });
    expect(parseFilter('externalId eq "5f8c"  and  userName eq "x"')).toMatchObject({ kind: 'and' });
    expect(parseFilter('id eq "1" and manager eq "2"')).toMatchObject({ kind: 'and' });
  });

  it("accepts the unquoted values of Microsoft's Postman collection unless strict (SOURCE.md)", () => {
    const text = 'name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)';
    expect(formatFilter(parseFilter(text))).toBe(
      'name.FamilyName eq "Employee" and (emails.Value co "example.com" or emails.Value co "example.org")',
    );
    expect(parseFilter('meta.Created gt 2015-10-10T14:38:21.8617979-07:00')).toMatchObject({
      value: '2015-10-10T14:38:21.8617979-07:00',
    });
    expect(() => parseFilter('userName sw O', { allowUnquotedValues: false })).toThrow(ScimFilterError);
  });

  it('treats a word "not" without "(" as an attribute name, as the ABNF allows', () => {
    expect(parseFilter('not pr')).toEqual({ kind: 'present', path: { attribute: 'not' } });
  });

  it('reports what was expected and where', () => {
    const cases: [string, RegExp, number][] = [
      ['', /expected a filter expression at character 1/, 0],
      ['userName', /expected whitespace and an operator .* at character 9, found end of input/, 8],
      ['userName xx "a"', /expected an operator \(eq, ne, co, sw, ew, gt, ge, lt, le, pr\) at character 10, found "xx"/, 9],
      ['userName eq', /expected whitespace and a value after "eq" at character 12/, 11],
      ['userName eq "abc', /closing quote .* at character 13/, 12],
      ['(userName pr', /expected "and", "or" or "\)" at character 13, found end of input/, 12],
      ['emails[type eq "work"', /expected "and", "or" or "]" at character 22/, 21],
      ['userName pr junk', /expected "and", "or" or the end of the filter at character 13, found "junk"/, 12],
      ['a.b.c eq 1', /at most one sub-attribute/, 3],
      ['foo:bar eq 1', /schema URNs start with "urn:"/, 0],
      ['emails[value[x pr]] pr', /cannot be nested/, 12],
      ['not (a pr', /expected "and", "or" or "\)"/, 9],
      ['x eq 1e999', /a number within range/, 5],
      ['x eq "\\q"', /valid JSON string/, 5],
    ];
    for (const [text, message, position] of cases) {
      const error = errorOf(() => parseFilter(text));
      expect(error, text).toBeInstanceOf(ScimFilterError);
      expect(error.message, text).toMatch(message);
      expect((error as ScimFilterError).position, text).toBe(position);
      expect((error as ScimFilterError).scimType).toBe('invalidFilter');
    }
  });

  it('refuses nesting deeper than its limit and over-long input with its own error', () => {
    const deep = `${'('.repeat(5000)}a pr${')'.repeat(5000)}`;
    expect(errorOf(() => parseFilter(deep))).toBeInstanceOf(ScimFilterError);
    expect(errorOf(() => parseFilter(`${'not ('.repeat(3000)}a pr${')'.repeat(3000)}`))).toBeInstanceOf(ScimFilterError);
    expect(errorOf(() => parseFilter(`a eq "${'x'.repeat(20_000)}"`)).message).toMatch(/longer than 10000 characters/);
    expect(parseFilter(`${'('.repeat(40)}a pr${')'.repeat(40)}`)).toEqual({ kind: 'present', path: { attribute: 'a' } });
  });
});

describe('parsePatchPath: RFC 7644 §3.5.2 path grammar', () => {
  it("parses the paths Entra sends (reference §1.2 'PATCH paths used')", () => {
    expect(parsePatchPath('userName')).toEqual({ kind: 'attribute', path: { attribute: 'userName' } });
    expect(parsePatchPath('name.givenName')).toEqual({ kind: 'attribute', path: { attribute: 'name', subAttribute: 'givenName' } });
    expect(parsePatchPath('emails[type eq "work"].value')).toEqual({
      kind: 'valuePath',
      path: { attribute: 'emails' },
      filter: { kind: 'compare', path: { attribute: 'type' }, operator: 'eq', value: 'work' },
      subAttribute: 'value',
    });
    expect(parsePatchPath('addresses[type eq "work"].postalCode')).toMatchObject({ subAttribute: 'postalCode' });
    expect(parsePatchPath('members[value eq "2819c223-7f76-453a-919d-413861904646"]')).toMatchObject({
      kind: 'valuePath',
      path: { attribute: 'members' },
    });
    expect(parsePatchPath(`${ENTERPRISE}:employeeNumber`)).toEqual({
      kind: 'attribute',
      path: { schema: ENTERPRISE, attribute: 'employeeNumber' },
    });
    expect(parsePatchPath(`${ENTERPRISE}:manager`)).toMatchObject({ path: { schema: ENTERPRISE, attribute: 'manager' } });
    expect(parsePatchPath(ENTERPRISE)).toEqual({ kind: 'schema', schema: ENTERPRISE });
    expect(parsePatchPath('roles[primary eq "True"].value')).toMatchObject({ subAttribute: 'value' });
  });

  it('round-trips through formatPatchPath', () => {
    for (const text of ['userName', 'name.givenName', 'emails[type eq "work"].value', `${ENTERPRISE}:manager`, ENTERPRISE, 'members[value eq "x" or value eq "y"]']) {
      expect(formatPatchPath(parsePatchPath(text))).toBe(text);
    }
  });

  it('raises ScimPathError (invalidPath), also for a bad filter inside brackets', () => {
    for (const [text, message] of [
      ['', /expected an attribute name at character 1/],
      ['members[value eq "x"', /expected "and", "or" or "]"/],
      ['members[value zz "x"]', /expected an operator/],
      ['name.givenName[type eq "x"]', /cannot follow a sub-attribute/],
      ['emails[type eq "work"].', /sub-attribute name after "\]\."/],
      ['userName extra', /the end of the path/],
      ['a.b.c', /at most one sub-attribute/],
    ] as const) {
      const error = errorOf(() => parsePatchPath(text));
      expect(error, text).toBeInstanceOf(ScimPathError);
      expect(error.message, text).toMatch(message);
      expect((error as ScimPathError).scimType).toBe('invalidPath');
    }
  });
});

describe('parseAttributePath (attributes, excludedAttributes, sortBy)', () => {
  it('parses plain, dotted and URN paths and rejects others', () => {
    expect(parseAttributePath('members')).toEqual({ attribute: 'members' });
    expect(parseAttributePath('name.familyName')).toEqual({ attribute: 'name', subAttribute: 'familyName' });
    expect(parseAttributePath(`${ENTERPRISE}:manager`)).toEqual({ schema: ENTERPRISE, attribute: 'manager' });
    expect(() => parseAttributePath('emails[type eq "work"]')).toThrow(ScimFilterError);
  });
});

describe('formatFilter', () => {
  it('prints canonical text with the parentheses precedence needs', () => {
    const parsed: Filter = parseFilter('a pr and (b pr or c pr)');
    expect(formatFilter(parsed)).toBe('a pr and (b pr or c pr)');
    expect(formatFilter(parseFilter('(a pr and b pr) or c pr'))).toBe('a pr and b pr or c pr');
    expect(formatFilter(parseFilter('a pr and (b pr and c pr)'))).toBe('a pr and (b pr and c pr)');
    expect(formatFilter(parseFilter('USERNAME EQ "x"'))).toBe('USERNAME eq "x"');
  });
});
