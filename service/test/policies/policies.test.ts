// Tenant policies (issue 2 §8). Role shapes follow /work/shared/reference/entra-scim-client.md §1.3;
// SignPath's rules (one global role besides Regular User, match by externalId then displayName,
// deactivate when removed from all groups) are from https://docs.signpath.io/users/directory-synchronization.
import { describe, expect, it } from 'vitest';
import {
  checkUserPolicies, decideLinkOnCreate, deactivated, defaultTenantPolicies, parseTenantPolicies, policiesFromSettings,
  policiesToJson, PolicyConfigError, roleValues, usersToDeactivate, type PolicyJsonObject, type TenantPolicies,
} from '../../src/policies/index.js';

const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function policies(input: Record<string, unknown>): TenantPolicies {
  return parseTenantPolicies(input);
}

const fullUser: PolicyJsonObject = {
  userName: 'alice@contoso.com',
  displayName: 'Alice',
  externalId: 'a-1',
  name: { givenName: 'Alice', familyName: 'Smith' },
  emails: [{ type: 'home', value: 'alice@home.example' }, { type: 'work', value: 'alice@contoso.com', primary: true }],
  [enterprise]: { employeeNumber: '42' },
  active: true,
};

describe('defaults', () => {
  it('has every policy off, so any user passes and no link or deactivation happens', async () => {
    const p = parseTenantPolicies({});
    expect(p).toEqual(defaultTenantPolicies);
    expect(checkUserPolicies({ userName: 'x' }, p)).toBeNull();
    expect(checkUserPolicies({ roles: [{ value: 'A' }, { value: 'B' }, { value: 'C' }] }, p)).toBeNull();
    expect(await decideLinkOnCreate(fullUser, p, async () => ['existing'])).toEqual({ kind: 'create' });
    let reads = 0;
    const reader = { groupsOf: async () => { reads++; return []; }, existingIds: async () => { reads++; return new Map(); } };
    expect(await usersToDeactivate(p, ['u1'], reader)).toEqual([]);
    expect(reads).toBe(0);
  });

  it('reads stored settings leniently: missing or broken fields keep their default', () => {
    expect(policiesFromSettings(undefined)).toEqual(defaultTenantPolicies);
    expect(policiesFromSettings({})).toEqual(defaultTenantPolicies);
    const p = policiesFromSettings({ policies: { linkOnCreate: true, allowedRoleValues: 'oops', futurePolicy: 1 } });
    expect(p.linkOnCreate).toBe(true);
    expect(p.allowedRoleValues).toBeNull();
  });

  it('round-trips through the stored JSON form', () => {
    const p = policies({ requiredUserAttributes: ['userName'], allowedRoleValues: ['Admin'], singleRoleBesidesDefault: { defaultRole: 'User' }, linkOnCreate: true, deactivateWhenRemovedFromAllGroups: true });
    expect(policiesFromSettings({ policies: policiesToJson(p) })).toEqual(p);
  });
});

describe('parseTenantPolicies rejects bad settings with a message that says what to fix', () => {
  const cases: Array<[unknown, RegExp]> = [
    [[], /must be a JSON object/],
    [{ requireAttributes: [] }, /requireAttributes: unknown policy; known policies: requiredUserAttributes/],
    [{ requiredUserAttributes: 'userName' }, /requiredUserAttributes: must be an array of strings/],
    [{ requiredUserAttributes: [''] }, /requiredUserAttributes\[0\]: must be a non-empty string/],
    [{ requiredUserAttributes: ['emails[type co "w"].value'] }, /requiredUserAttributes\[0\]: "emails\[type co "w"\]\.value" is not a supported attribute path/],
    [{ allowedRoleValues: [] }, /use null to allow any role value/],
    [{ singleRoleBesidesDefault: true }, /must be null \(off\) or \{"defaultRole"/],
    [{ singleRoleBesidesDefault: { defaultRole: '' } }, /defaultRole/],
    [{ linkOnCreate: 'yes' }, /linkOnCreate: must be true or false \(got "yes"\)/],
    [{ deactivateWhenRemovedFromAllGroups: 1 }, /deactivateWhenRemovedFromAllGroups: must be true or false/],
  ];
  it.each(cases)('%j', (input, message) => {
    expect(() => parseTenantPolicies(input)).toThrow(PolicyConfigError);
    expect(() => parseTenantPolicies(input)).toThrow(message);
  });

  it('applies a partial update on top of the current policies', () => {
    const current = policies({ linkOnCreate: true, allowedRoleValues: ['Admin'] });
    const next = parseTenantPolicies({ allowedRoleValues: null }, current);
    expect(next).toEqual({ ...current, allowedRoleValues: null });
    expect(current.allowedRoleValues).toEqual(['Admin']);
  });
});

describe('required attributes (Atlassian-style targets: userName, displayName, a work email)', () => {
  const p = policies({ requiredUserAttributes: ['userName', 'displayName', 'emails[type eq "work"].value', 'name.givenName', `${enterprise}:employeeNumber`] });

  it('accepts a user with every attribute, matching names case-insensitively', () => {
    expect(checkUserPolicies(fullUser, p)).toBeNull();
    expect(checkUserPolicies({ userName: 'a', DisplayName: 'A' }, policies({ requiredUserAttributes: ['displayname'] }))).toBeNull();
  });

  it('accepts an extension attribute sent flattened with its URN, as Entra does', () => {
    const user: PolicyJsonObject = { ...fullUser, [enterprise]: {} , [`${enterprise}:employeeNumber`]: '7' };
    expect(checkUserPolicies(user, p)).toBeNull();
  });

  it('names every missing attribute in a 400 invalidValue detail', () => {
    const user: PolicyJsonObject = { userName: 'bob', displayName: '  ', emails: [{ type: 'home', value: 'b@home' }], name: {}, [enterprise]: { employeeNumber: '1' } };
    const v = checkUserPolicies(user, p);
    expect(v).toMatchObject({ status: 400, scimType: 'invalidValue', policy: 'requiredUserAttributes' });
    expect(v!.detail).toContain('"displayName", "emails[type eq "work"].value", "name.givenName"');
    expect(v!.detail).toContain('attribute mappings');
  });

  it('matches the value filter case-insensitively ("Work") and needs a non-empty value', () => {
    const q = policies({ requiredUserAttributes: ['emails[type eq "work"].value'] });
    expect(checkUserPolicies({ emails: [{ type: 'Work', value: 'x@y' }] }, q)).toBeNull();
    expect(checkUserPolicies({ emails: [{ type: 'work', value: '' }] }, q)).not.toBeNull();
    expect(checkUserPolicies({ emails: [{ type: 'work' }] }, q)).not.toBeNull();
  });

  it('on update, rejects removing a required value but lets a user that already lacked it be changed (e.g. deactivated)', () => {
    const q = policies({ requiredUserAttributes: ['displayName'] });
    expect(checkUserPolicies({ userName: 'a' }, q, { previous: { userName: 'a', displayName: 'A' } })?.policy).toBe('requiredUserAttributes');
    expect(checkUserPolicies({ userName: 'a', active: false }, q, { previous: { userName: 'a', active: true } })).toBeNull();
  });
});

describe('roles', () => {
  it('reads role objects, JSON-encoded role strings from Entra PATCH (§1.3), and dedupes case-insensitively', () => {
    const user: PolicyJsonObject = {
      roles: [
        { primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' },
        { value: '{"id":"7c0e6a62-0000-0000-0000-000000000000","value":"Reader","displayName":"Reader"}' },
        { value: 'admin' },
        'Writer',
      ],
    };
    expect(roleValues(user)).toEqual(['Admin', 'Reader', 'Writer']);
    expect(roleValues({ roles: [] })).toEqual([]);
    expect(roleValues({})).toEqual([]);
  });

  it('rejects a role value outside the allowed list and names the allowed ones', () => {
    const p = policies({ allowedRoleValues: ['GlobalAdministrator', 'RegularUser'] });
    expect(checkUserPolicies({ roles: [{ value: 'regularuser' }] }, p)).toBeNull();
    const v = checkUserPolicies({ roles: [{ value: '{"id":"1","value":"Hacker","displayName":"H"}' }] }, p);
    expect(v).toMatchObject({ status: 400, scimType: 'invalidValue', policy: 'allowedRoleValues' });
    expect(v!.detail).toBe('role value "Hacker" is not allowed in this tenant; allowed role values: "GlobalAdministrator", "RegularUser" (check the app roles assigned to the user in Entra)');
  });

  it('SignPath: at most one role other than the default role', () => {
    const p = policies({ singleRoleBesidesDefault: { defaultRole: 'RegularUser' } });
    expect(checkUserPolicies({ roles: [{ value: 'RegularUser' }, { value: 'GlobalReader' }] }, p)).toBeNull();
    expect(checkUserPolicies({ roles: [{ value: 'GlobalReader' }, { value: 'globalreader' }] }, p)).toBeNull();
    const v = checkUserPolicies({ roles: [{ value: 'RegularUser' }, { value: 'GlobalReader' }, { value: 'ProjectAdministrator' }] }, p);
    expect(v).toMatchObject({ status: 400, scimType: 'invalidValue', policy: 'singleRoleBesidesDefault' });
    expect(v!.detail).toContain('2 roles other than the default role "RegularUser" ("GlobalReader", "ProjectAdministrator")');
  });
});

describe('link on create (SignPath: match by externalId first, then displayName)', () => {
  const p = policies({ linkOnCreate: true });
  const directory = [
    { id: 'u1', externalId: 'ext-1', displayName: 'Alice' },
    { id: 'u2', externalId: 'ext-2', displayName: 'Bob' },
    { id: 'u3', displayName: 'Bob' },
  ];
  const calls: string[] = [];
  const find = async (attribute: 'externalId' | 'displayName', value: string) => {
    calls.push(`${attribute}=${value}`);
    return directory.filter((u) => u[attribute] === value).map((u) => u.id);
  };

  it('links by externalId before displayName', async () => {
    calls.length = 0;
    expect(await decideLinkOnCreate({ externalId: 'ext-2', displayName: 'Alice' }, p, find)).toEqual({ kind: 'link', id: 'u2', matchedBy: 'externalId' });
    expect(calls).toEqual(['externalId=ext-2']);
  });

  it('falls back to displayName when the externalId matches nobody', async () => {
    calls.length = 0;
    expect(await decideLinkOnCreate({ externalId: 'new', displayName: 'Alice' }, p, find)).toEqual({ kind: 'link', id: 'u1', matchedBy: 'displayName' });
    expect(calls).toEqual(['externalId=new', 'displayName=Alice']);
  });

  it('creates when nothing matches, and refuses to guess between several matches', async () => {
    expect(await decideLinkOnCreate({ userName: 'c', externalId: 'none', displayName: 'Carol' }, p, find)).toEqual({ kind: 'create' });
    const ambiguous = await decideLinkOnCreate({ displayName: 'Bob' }, p, find);
    expect(ambiguous).toMatchObject({ kind: 'ambiguous', matchedBy: 'displayName' });
    expect(ambiguous.kind === 'ambiguous' && ambiguous.detail).toContain('2 existing users have this displayName');
  });
});

describe('deactivate a user removed from every group', () => {
  const p = policies({ deactivateWhenRemovedFromAllGroups: true });
  const memberships = new Map<string, string[]>([['u1', []], ['u2', ['g2']], ['g9', []]]);
  const reader = {
    groupsOf: async (id: string) => memberships.get(id) ?? [],
    existingIds: async (ids: string[]) => new Map(ids.filter((id) => memberships.has(id)).map((id) => [id, id.startsWith('g') ? 'Group' as const : 'User' as const])),
  };

  it('returns only users left in no group (not groups, not users still in a group, not unknown ids)', async () => {
    expect(await usersToDeactivate(p, ['u1', 'u2', 'g9', 'gone', 'u1'], reader)).toEqual(['u1']);
  });

  it('sets active false, and writes nothing for a user already inactive', () => {
    expect(deactivated({ userName: 'a', Active: true })).toEqual({ userName: 'a', active: false });
    expect(deactivated({ userName: 'a' })).toEqual({ userName: 'a', active: false });
    expect(deactivated({ userName: 'a', active: false })).toBeNull();
    expect(deactivated({ userName: 'a', active: 'False' })).toBeNull();
  });
});
