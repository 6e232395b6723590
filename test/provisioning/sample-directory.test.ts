import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  appRoles,
  effectiveRoleAssignments,
  isGroupAssigned,
  isUserAssigned,
  loadSampleDirectory,
  parseSampleDirectory,
  SampleDirectoryError,
  type SampleDirectory,
} from '../../provisioning/index.js';

const directory = loadSampleDirectory();
const clone = (): SampleDirectory => structuredClone(directory);
const byUpn = (upn: string) => {
  const user = directory.users.find((u) => u.userPrincipalName === upn);
  if (!user) throw new Error(`sample user ${upn} missing`);
  return user;
};

describe('shipped sample directory', () => {
  it('has at least 20 users and 5 groups', () => {
    expect(directory.users.length).toBeGreaterThanOrEqual(20);
    expect(directory.groups.length).toBeGreaterThanOrEqual(5);
  });

  it('contains the realistic gaps the previews rely on', () => {
    expect(directory.users.some((u) => u.mail === undefined)).toBe(true);
    expect(directory.users.some((u) => u.displayName === undefined)).toBe(true);
    expect(directory.users.some((u) => !u.accountEnabled && isUserAssigned(directory, u.id))).toBe(true);
    expect(directory.users.some((u) => !isUserAssigned(directory, u.id))).toBe(true);
    expect(directory.users.some((u) => u.userType === 'Guest')).toBe(true);
    const extensionKey = `extension_${directory.extensionAppId}_costCenter` as const;
    expect(directory.users.filter((u) => u[extensionKey] !== undefined).length).toBeGreaterThan(10);
  });

  it('has a manager chain at least three levels deep', () => {
    const ids = new Map(directory.users.map((u) => [u.id, u]));
    const depth = (id: string): number => {
      const manager = ids.get(id)?.manager;
      return manager ? 1 + depth(manager) : 0;
    };
    expect(Math.max(...directory.users.map((u) => depth(u.id)))).toBeGreaterThanOrEqual(3);
  });

  it('assigns roles through groups and directly, using every shipped role', () => {
    const diego = byUpn('diego.siciliani@contoso.com');
    expect(effectiveRoleAssignments(directory, diego.id)).toEqual([
      { appRoleValue: 'RegularUser', assignedTo: expect.any(String), viaGroup: 'SignPath Developers' },
    ]);
    const johanna = byUpn('johanna.lorenz@contoso.com');
    expect(effectiveRoleAssignments(directory, johanna.id).map((a) => a.viaGroup)).toEqual([undefined]);
    const used = new Set(directory.appRoleAssignments.map((a) => a.appRoleValue));
    expect([...used].sort()).toEqual(appRoles.map((r) => r.value).sort());
  });

  it('does not expand nested groups (Entra assigns direct members only)', () => {
    const lee = byUpn('lee.gu@contoso.com');
    const build = directory.groups.find((g) => g.displayName === 'Build Engineering')!;
    expect(build.members).toContain(lee.id);
    expect(isUserAssigned(directory, lee.id)).toBe(false);
    expect(isGroupAssigned(directory, build.id)).toBe(false);
  });
});

describe('sample directory validation', () => {
  const expectError = (mutate: (d: SampleDirectory & Record<string, unknown>) => void, message: RegExp) => {
    const copy = clone() as SampleDirectory & Record<string, unknown>;
    mutate(copy);
    expect(() => parseSampleDirectory(copy, 'test.json')).toThrow(SampleDirectoryError);
    expect(() => parseSampleDirectory(copy, 'test.json')).toThrow(message);
  };

  it('names the user whose manager does not exist', () => {
    expectError((d) => {
      d.users[3]!.manager = '00000000-0000-4000-8000-000000000000';
    }, /^test\.json: users\[3\] \("diego\.siciliani@contoso\.com"\): manager "00000000-0000-4000-8000-000000000000" is not a user/);
  });

  it('rejects a manager loop', () => {
    expectError((d) => {
      d.users[0]!.manager = d.users[2]!.id;
    }, /manager chain loops/);
  });

  it('rejects an extension attribute of another app and a multi-valued one', () => {
    expectError((d) => {
      (d.users[1] as unknown as Record<string, unknown>)['extension_00000000000000000000000000000000_costCenter'] = 'x';
    }, /users\[1\] \("alex\.wilber@contoso\.com"\): extension attribute .* belongs to app 0{32}/);
    expectError((d) => {
      (d.users[1] as unknown as Record<string, unknown>)[`extension_${d.extensionAppId}_tags`] = ['a', 'b'];
    }, /multi-valued extensions cannot be provisioned/);
  });

  it('rejects unknown fields, wrong types and duplicate ids', () => {
    expectError((d) => {
      (d.users[4] as unknown as Record<string, unknown>).email = 'x@contoso.com';
    }, /users\[4\] .*unknown field "email"/);
    expectError((d) => {
      (d.users[4] as unknown as Record<string, unknown>).accountEnabled = 'yes';
    }, /accountEnabled must be true or false, got "yes"/);
    expectError((d) => {
      d.groups[1]!.id = d.users[0]!.id;
    }, /groups\[1\] \("SignPath Certificate Administrators"\): id .* is already used by users\[0\]/);
    expectError((d) => {
      d.users[5]!.userPrincipalName = d.users[6]!.userPrincipalName.toUpperCase();
    }, /userPrincipalName is already used/);
  });

  it('rejects an unknown role and a dangling group member', () => {
    expectError((d) => {
      d.appRoleAssignments[0]!.appRoleValue = 'GlobalAdmin';
    }, /appRoleAssignments\[0\]: appRoleValue "GlobalAdmin" is not an app role \(known: GlobalAdministrator/);
    expectError((d) => {
      d.groups[0]!.members.push('11111111-1111-4111-8111-111111111111');
    }, /groups\[0\] \("SignPath Administrators"\): member "11111111-1111-4111-8111-111111111111" is not a user or group/);
  });

  describe('files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sample-dir-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reports unreadable and malformed files by path', () => {
      expect(() => loadSampleDirectory(join(dir, 'missing.json'))).toThrow(/missing\.json: file: cannot be read \(ENOENT\)/);
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{"users": [');
      expect(() => loadSampleDirectory(bad)).toThrow(/bad\.json: file: is not valid JSON/);
    });

    it('loads a valid copy from another path', () => {
      const path = join(dir, 'copy.json');
      writeFileSync(path, JSON.stringify(directory));
      expect(loadSampleDirectory(path)).toEqual(directory);
    });
  });
});
