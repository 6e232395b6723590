import { describe, expect, it } from 'vitest';
import { ScimFilterError, matchesFilter, parseFilter, resolveAttribute } from '../../src/filter/index.js';
import { customExtensionSchemas, groupSchemaInfo, userSchemaInfo } from '../../src/discovery/index.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ACME = 'urn:ietf:params:scim:schemas:extension:Acme:2.0:User';

const users = userSchemaInfo(customExtensionSchemas([{ name: 'Acme', attributes: [{ name: 'badge', caseExact: true }] }]));

const bjensen = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: 'bjensen-ext',
  userName: 'Bjensen@Example.com',
  name: { familyName: "O'Malley", givenName: 'Barbara' },
  displayName: 'Babs Jensen',
  active: true,
  emails: [
    { type: 'work', value: 'Bjensen@Example.com', primary: true },
    { type: 'home', value: 'babs@jensen.org' },
  ],
  roles: [{ primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' }],
  meta: { resourceType: 'User', created: '2020-01-01T00:00:00Z', lastModified: '2024-05-13T04:42:34Z', version: 'W/"3"' },
  [ENTERPRISE]: { employeeNumber: '701984', manager: { value: 'mgr-1' } },
  [ACME]: { badge: 'B-17' },
};

const matches = (filter: string, resource: Record<string, unknown> = bjensen) => matchesFilter(resource, parseFilter(filter), users);

describe('matchesFilter', () => {
  it('compares userName and emails case-insensitively (caseExact false, reference §1.2)', () => {
    expect(matches('userName eq "bjensen@example.com"')).toBe(true);
    expect(matches('USERNAME EQ "BJENSEN@EXAMPLE.COM"')).toBe(true);
    expect(matches('emails[type eq "work"].value eq "bjensen@example.com"')).toBe(true);
    expect(matches('emails[type eq "home"].value eq "bjensen@example.com"')).toBe(false);
    expect(matches('emails.value eq "BABS@JENSEN.ORG"')).toBe(true);
  });

  it('compares attributes the schema does not know case-insensitively (RFC 7643 §2.2 default)', () => {
    expect(matches('costume eq "PIRATE"', { ...bjensen, costume: 'pirate' })).toBe(true);
  });

  it('compares caseExact attributes exactly: id, externalId, custom caseExact attributes', () => {
    expect(matches('externalId eq "bjensen-ext"')).toBe(true);
    expect(matches('externalId eq "BJENSEN-EXT"')).toBe(false);
    expect(matches('id eq "2819C223-7F76-453A-919D-413861904646"')).toBe(false);
    expect(matches(`${ACME}:badge eq "B-17"`)).toBe(true);
    expect(matches(`${ACME}:badge eq "b-17"`)).toBe(false);
  });

  it('coerces "True"/"False" strings for booleans, also inside value filters (reference §1.3)', () => {
    expect(matches('roles[primary eq "True"]')).toBe(true);
    expect(matches('roles[primary eq "true"].value eq "Admin"')).toBe(true);
    expect(matches('roles[primary eq "False"]')).toBe(false);
    expect(matches('active eq "True"')).toBe(true);
    expect(matches('active eq true')).toBe(true);
    expect(matches('active eq false')).toBe(false);
    expect(matches('active eq true', { ...bjensen, active: 'True' })).toBe(true);
    expect(matches('active eq "yes"')).toBe(false);
  });

  it('implements co, sw, ew, ne, pr and ordering', () => {
    expect(matches('name.familyName co "mall"')).toBe(true);
    expect(matches('userName sw "bjen"')).toBe(true);
    expect(matches('userName ew "EXAMPLE.COM"')).toBe(true);
    expect(matches('userName ne "someone"')).toBe(true);
    expect(matches('userName ne "bjensen@example.com"')).toBe(false);
    expect(matches('title pr')).toBe(false);
    expect(matches('name pr')).toBe(true);
    expect(matches('emails.type pr')).toBe(true);
    expect(matches('displayName gt "Babs"')).toBe(true);
    expect(matches('displayName lt "Babs"')).toBe(false);
    expect(matches('displayName ge "babs jensen"')).toBe(true);
    expect(matches('displayName le "babs jensen"')).toBe(true);
  });

  it('orders dateTime attributes as instants, including the collection\'s 7-digit fractions', () => {
    expect(matches('meta.created gt "2019-12-31T23:00:00-02:00"')).toBe(false);
    expect(matches('meta.created lt "2019-12-31T23:00:00-02:00"')).toBe(true);
    expect(matches('meta.Created gt 2015-10-10T14:38:21.8617979-07:00')).toBe(true);
    expect(matches('meta.lastModified ge "2024-05-13T04:42:34Z"')).toBe(true);
    expect(matches('meta.lastModified eq "2024-05-13T06:42:34+02:00"')).toBe(true);
    expect(() => matches('meta.created gt "yesterday"')).toThrow(/"yesterday" is not a dateTime/);
  });

  it('compares a multi-valued complex attribute without sub-attribute through its value', () => {
    expect(matches('emails co "jensen.org"')).toBe(true);
    expect(matches('emails[type eq "work" and value co "@example.com"]')).toBe(true);
    expect(matches('emails[type eq "home" and value co "@example.com"]')).toBe(false);
  });

  it('finds extension attributes by URN, and by bare name when one extension owns it', () => {
    expect(matches(`${ENTERPRISE}:employeeNumber eq "701984"`)).toBe(true);
    expect(matches(`${ENTERPRISE.toUpperCase()}:EMPLOYEENUMBER eq "701984"`)).toBe(true);
    expect(matches('employeeNumber eq "701984"')).toBe(true);
    expect(matches(`${ENTERPRISE}:manager.value eq "mgr-1"`)).toBe(true);
    expect(matches('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bjen"')).toBe(true);
    expect(matches(`${ENTERPRISE}:employeeNumber eq "701984"`, { userName: 'x' })).toBe(false);
  });

  it('evaluates and/or/not with precedence', () => {
    expect(matches('userName eq "nobody" or active eq true and displayName pr')).toBe(true);
    expect(matches('(userName eq "nobody" or active eq true) and title pr')).toBe(false);
    expect(matches('not (title pr)')).toBe(true);
    expect(matches('not (active eq true)')).toBe(false);
  });

  it('treats eq null as absence', () => {
    expect(matches('title eq null')).toBe(true);
    expect(matches('userName eq null')).toBe(false);
    expect(matches('userName ne null')).toBe(true);
  });

  it('answers ScimFilterError for comparisons the schema forbids', () => {
    expect(() => matches('active gt true')).toThrow(ScimFilterError);
    expect(() => matches('name eq "Barbara"')).toThrow(/complex attribute/);
    expect(() => matches('title gt null')).toThrow(ScimFilterError);
  });

  it('matches Group displayName case-insensitively and members by value', () => {
    const group = { id: 'g1', displayName: 'Sales', members: [{ value: 'u1' }, { value: 'u2' }] };
    expect(matchesFilter(group, parseFilter('displayName eq "sales"'), groupSchemaInfo())).toBe(true);
    expect(matchesFilter(group, parseFilter('members[value eq "u2"]'), groupSchemaInfo())).toBe(true);
    expect(matchesFilter(group, parseFilter('members[value eq "U2"]'), groupSchemaInfo())).toBe(false);
  });
});

describe('resolveAttribute', () => {
  it('resolves names case-insensitively to their metadata', () => {
    expect(resolveAttribute(users, { attribute: 'USERNAME' })).toMatchObject({ name: 'userName', caseExact: false, uniqueness: 'server' });
    expect(resolveAttribute(users, { attribute: 'emails', subAttribute: 'VALUE' })).toMatchObject({ name: 'value', type: 'string' });
    expect(resolveAttribute(users, { schema: ENTERPRISE, attribute: 'manager' })).toMatchObject({ type: 'complex' });
    expect(resolveAttribute(users, { attribute: 'meta', subAttribute: 'created' })).toMatchObject({ type: 'dateTime' });
    expect(resolveAttribute(users, { attribute: 'nonsense' })).toBeUndefined();
  });
});
