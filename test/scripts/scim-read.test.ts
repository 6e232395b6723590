// Mapping target paths resolved against SCIM resources (the paths Entra's default mappings use,
// reference graph-synchronization.md §5), and the JUnit report verify-provisioning writes.
import { describe, expect, it } from 'vitest';
import { junitXml } from '../../scripts/lib/junit.js';
import { valueAtPath } from '../../scripts/lib/scim-read.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const user = {
  id: 'u1',
  userName: 'adele@contoso.com',
  active: true,
  name: { givenName: 'Adele', familyName: 'Vance' },
  emails: [{ type: 'work', value: 'adele@contoso.com', primary: true }, { type: 'other', value: 'a@x.test' }],
  roles: [{ primary: 'True', value: 'Signer' }],
  [ENTERPRISE]: { department: 'Retail', manager: { value: 'u2' } },
  'urn:ietf:params:scim:schemas:extension:signpath:2.0:User': { signingTeam: 'Blue' },
};

describe('valueAtPath', () => {
  it.each([
    ['userName', 'adele@contoso.com'],
    ['active', true],
    ['name.givenName', 'Adele'],
    ['emails[type eq "work"].value', 'adele@contoso.com'],
    ['emails[type eq "other"].value', 'a@x.test'],
    ['roles[primary eq "True"].value', 'Signer'],
    [`${ENTERPRISE}:department`, 'Retail'],
    [`${ENTERPRISE}:manager`, { value: 'u2' }],
    ['urn:ietf:params:scim:schemas:extension:signpath:2.0:User:signingTeam', 'Blue'],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName', 'adele@contoso.com'],
  ])('%s', (path, expected) => {
    expect(valueAtPath(user, path)).toEqual(expected);
  });

  it('is undefined for absent attributes and unmatched filters', () => {
    expect(valueAtPath(user, 'title')).toBeUndefined();
    expect(valueAtPath(user, 'phoneNumbers[type eq "work"].value')).toBeUndefined();
    expect(valueAtPath(user, 'emails[type eq "home"].value')).toBeUndefined();
  });
});

describe('junitXml', () => {
  it('writes one testcase per check with failures and skips, escaped', () => {
    const xml = junitXml('verify-provisioning', [
      { name: 'Test Connection', classname: 'v', status: 'pass', durationMs: 1500 },
      { name: 'Attributes of <User> "A"', classname: 'v', status: 'fail', message: 'title: expected "x" & "y"' },
      { name: 'Canaries', classname: 'v', status: 'skip', message: 'skipped' },
    ], new Date(0));
    expect(xml).toContain('tests="3" failures="1" errors="0" skipped="1"');
    expect(xml).toContain('<testcase name="Test Connection" classname="v" time="1.500"/>');
    expect(xml).toContain('name="Attributes of &lt;User&gt; &quot;A&quot;"');
    expect(xml).toContain('<failure message="title: expected &quot;x&quot; &amp; &quot;y&quot;">');
    expect(xml).toContain('<skipped message="skipped"/>');
  });
});
