/**
 * The sample Entra directory: typed model, loader and validation.
 * Format documented in docs/sample-directory.md. Used by review previews, the emulator and `npm run local`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { appRoles } from './app-roles.js';

/** A directory extension attribute as Graph names it: `extension_<appId without hyphens>_<name>`. */
export type ExtensionAttributeName = `extension_${string}_${string}`;

export interface SampleUser {
  id: string;
  userPrincipalName: string;
  displayName?: string;
  givenName?: string;
  surname?: string;
  mail?: string;
  mailNickname?: string;
  accountEnabled: boolean;
  userType?: 'Member' | 'Guest';
  department?: string;
  jobTitle?: string;
  employeeId?: string;
  preferredLanguage?: string;
  officeLocation?: string;
  streetAddress?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  mobilePhone?: string;
  businessPhones?: string[];
  /** Object id of the manager (a user in this directory). */
  manager?: string;
  [extension: ExtensionAttributeName]: string | undefined;
}

export interface SampleGroup {
  id: string;
  displayName: string;
  mailNickname?: string;
  description?: string;
  /** Object ids of member users and groups (direct members only). */
  members: string[];
}

export interface SampleAppRoleAssignment {
  /** Object id of a user or group. */
  principalId: string;
  /** `value` of one of the app roles in provisioning/app-roles.ts. */
  appRoleValue: string;
}

export interface SampleDirectory {
  tenantId: string;
  tenantDomain: string;
  /** appId (no hyphens) of the application that owns the directory extension attributes. */
  extensionAppId: string;
  users: SampleUser[];
  groups: SampleGroup[];
  appRoleAssignments: SampleAppRoleAssignment[];
}

/** A sample directory that does not follow docs/sample-directory.md; `where` names the bad entry. */
export class SampleDirectoryError extends Error {
  override readonly name = 'SampleDirectoryError';
  constructor(
    readonly source: string,
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${source}: ${where}: ${problem}`);
  }
}

export const defaultSampleDirectoryPath = fileURLToPath(new URL('./sample-directory.json', import.meta.url));

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXTENSION = /^extension_([0-9a-f]{32})_([A-Za-z0-9_]+)$/;

const userStringFields = [
  'displayName', 'givenName', 'surname', 'mail', 'mailNickname', 'department', 'jobTitle', 'employeeId',
  'preferredLanguage', 'officeLocation', 'streetAddress', 'city', 'state', 'postalCode', 'country', 'mobilePhone',
] as const;
const userKnownFields = new Set<string>([
  'id', 'userPrincipalName', 'accountEnabled', 'userType', 'manager', 'businessPhones', ...userStringFields,
]);
const groupKnownFields = new Set(['id', 'displayName', 'mailNickname', 'description', 'members']);
const topKnownFields = new Set(['$comment', 'tenantId', 'tenantDomain', 'extensionAppId', 'users', 'groups', 'appRoleAssignments']);

/** Read and validate a sample directory file (default: provisioning/sample-directory.json). */
export function loadSampleDirectory(path: string = defaultSampleDirectoryPath): SampleDirectory {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new SampleDirectoryError(path, 'file', `cannot be read (${code})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SampleDirectoryError(path, 'file', `is not valid JSON (${(error as Error).message})`);
  }
  return parseSampleDirectory(json, path);
}

/** Validate an already parsed sample directory; throws SampleDirectoryError naming the first bad entry. */
export function parseSampleDirectory(json: unknown, source = 'sample directory'): SampleDirectory {
  const fail = (where: string, problem: string): never => {
    throw new SampleDirectoryError(source, where, problem);
  };
  if (!isRecord(json)) return fail('document', 'must be a JSON object with users, groups and appRoleAssignments');
  for (const key of Object.keys(json)) {
    if (!topKnownFields.has(key)) fail('document', `unknown field "${key}"`);
  }
  const tenantId = requireString(json, 'tenantId', 'document', fail);
  if (!GUID.test(tenantId)) fail('document', `tenantId "${tenantId}" is not a GUID`);
  const tenantDomain = requireString(json, 'tenantDomain', 'document', fail);
  const extensionAppId = requireString(json, 'extensionAppId', 'document', fail);
  if (!/^[0-9a-f]{32}$/.test(extensionAppId)) {
    fail('document', `extensionAppId "${extensionAppId}" must be an appId without hyphens (32 lower-case hex digits)`);
  }
  const users = requireArray(json, 'users', fail);
  const groups = requireArray(json, 'groups', fail);
  const assignments = requireArray(json, 'appRoleAssignments', fail);

  const ids = new Map<string, string>();
  const claimId = (id: string, where: string) => {
    if (!GUID.test(id)) fail(where, `id "${id}" is not a GUID`);
    const key = id.toLowerCase();
    const other = ids.get(key);
    if (other) fail(where, `id "${id}" is already used by ${other}`);
    ids.set(key, where);
  };

  const parsedUsers: SampleUser[] = users.map((raw, index) => {
    let where = `users[${index}]`;
    if (!isRecord(raw)) return fail(where, 'must be an object');
    const upn = typeof raw.userPrincipalName === 'string' ? raw.userPrincipalName : undefined;
    if (upn) where = `${where} ("${upn}")`;
    const id = requireString(raw, 'id', where, fail);
    claimId(id, where);
    const userPrincipalName = requireString(raw, 'userPrincipalName', where, fail);
    if (!/^[^@\s]+@[^@\s]+$/.test(userPrincipalName)) fail(where, `userPrincipalName "${userPrincipalName}" is not of the form name@domain`);
    if (typeof raw.accountEnabled !== 'boolean') fail(where, `accountEnabled must be true or false, got ${describe(raw.accountEnabled)}`);
    const user: SampleUser = { id, userPrincipalName, accountEnabled: raw.accountEnabled as boolean };
    for (const [key, value] of Object.entries(raw)) {
      if (key === 'id' || key === 'userPrincipalName' || key === 'accountEnabled') continue;
      const extension = EXTENSION.exec(key);
      if (extension) {
        if (extension[1] !== extensionAppId) {
          fail(where, `extension attribute "${key}" belongs to app ${extension[1]}, but the directory's extensionAppId is ${extensionAppId}`);
        }
        if (typeof value !== 'string') fail(where, `extension attribute "${key}" must be a string (multi-valued extensions cannot be provisioned), got ${describe(value)}`);
        user[key as ExtensionAttributeName] = value as string;
        continue;
      }
      if (key.startsWith('extension_')) fail(where, `"${key}" is not a directory extension name of the form extension_<32 hex appId>_<name>`);
      if (!userKnownFields.has(key)) fail(where, `unknown field "${key}" (known: ${[...userKnownFields].join(', ')}, extension_<appId>_<name>)`);
      if (key === 'userType') {
        if (value !== 'Member' && value !== 'Guest') fail(where, `userType must be "Member" or "Guest", got ${describe(value)}`);
        user.userType = value as 'Member' | 'Guest';
      } else if (key === 'businessPhones') {
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) fail(where, 'businessPhones must be an array of strings');
        user.businessPhones = [...(value as string[])];
      } else {
        if (typeof value !== 'string') fail(where, `${key} must be a string, got ${describe(value)} (leave the field out when there is no value)`);
        (user as unknown as Record<string, string>)[key] = value as string;
      }
    }
    return user;
  });

  const upns = new Map<string, string>();
  parsedUsers.forEach((user, index) => {
    const key = user.userPrincipalName.toLowerCase();
    const other = upns.get(key);
    if (other) fail(`users[${index}] ("${user.userPrincipalName}")`, `userPrincipalName is already used by ${other}`);
    upns.set(key, `users[${index}]`);
  });

  const parsedGroups: SampleGroup[] = groups.map((raw, index) => {
    let where = `groups[${index}]`;
    if (!isRecord(raw)) return fail(where, 'must be an object');
    if (typeof raw.displayName === 'string') where = `${where} ("${raw.displayName}")`;
    for (const key of Object.keys(raw)) if (!groupKnownFields.has(key)) fail(where, `unknown field "${key}" (known: ${[...groupKnownFields].join(', ')})`);
    const id = requireString(raw, 'id', where, fail);
    claimId(id, where);
    const group: SampleGroup = { id, displayName: requireString(raw, 'displayName', where, fail), members: [] };
    if (raw.mailNickname !== undefined) group.mailNickname = requireString(raw, 'mailNickname', where, fail);
    if (raw.description !== undefined) group.description = requireString(raw, 'description', where, fail);
    if (!Array.isArray(raw.members) || !raw.members.every((m) => typeof m === 'string')) fail(where, 'members must be an array of object ids');
    group.members = [...(raw.members as string[])];
    return group;
  });

  const userIds = new Set(parsedUsers.map((u) => u.id.toLowerCase()));
  const groupIds = new Set(parsedGroups.map((g) => g.id.toLowerCase()));
  parsedUsers.forEach((user, index) => {
    if (user.manager === undefined) return;
    const where = `users[${index}] ("${user.userPrincipalName}")`;
    if (!userIds.has(user.manager.toLowerCase())) fail(where, `manager "${user.manager}" is not a user in the directory`);
    if (user.manager.toLowerCase() === user.id.toLowerCase()) fail(where, 'is their own manager');
  });
  const byId = new Map(parsedUsers.map((u) => [u.id.toLowerCase(), u]));
  for (const [index, user] of parsedUsers.entries()) {
    const seen = new Set<string>();
    for (let current: SampleUser | undefined = user; current?.manager; current = byId.get(current.manager.toLowerCase())) {
      if (seen.has(current.id.toLowerCase())) fail(`users[${index}] ("${user.userPrincipalName}")`, 'the manager chain loops back on itself');
      seen.add(current.id.toLowerCase());
    }
  }
  parsedGroups.forEach((group, index) => {
    const where = `groups[${index}] ("${group.displayName}")`;
    const seen = new Set<string>();
    for (const member of group.members) {
      const key = member.toLowerCase();
      if (!userIds.has(key) && !groupIds.has(key)) fail(where, `member "${member}" is not a user or group in the directory`);
      if (key === group.id.toLowerCase()) fail(where, 'is a member of itself');
      if (seen.has(key)) fail(where, `member "${member}" is listed twice`);
      seen.add(key);
    }
  });

  const roleValues = new Set<string>(appRoles.map((r) => r.value));
  const seenAssignments = new Set<string>();
  const parsedAssignments: SampleAppRoleAssignment[] = assignments.map((raw, index) => {
    const where = `appRoleAssignments[${index}]`;
    if (!isRecord(raw)) return fail(where, 'must be an object');
    for (const key of Object.keys(raw)) if (key !== 'principalId' && key !== 'appRoleValue') fail(where, `unknown field "${key}" (known: principalId, appRoleValue)`);
    const principalId = requireString(raw, 'principalId', where, fail);
    const appRoleValue = requireString(raw, 'appRoleValue', where, fail);
    if (!userIds.has(principalId.toLowerCase()) && !groupIds.has(principalId.toLowerCase())) {
      fail(where, `principalId "${principalId}" is not a user or group in the directory`);
    }
    if (!roleValues.has(appRoleValue)) fail(where, `appRoleValue "${appRoleValue}" is not an app role (known: ${[...roleValues].join(', ')})`);
    const key = `${principalId.toLowerCase()}|${appRoleValue}`;
    if (seenAssignments.has(key)) fail(where, `duplicate assignment of ${appRoleValue} to ${principalId}`);
    seenAssignments.add(key);
    return { principalId, appRoleValue };
  });

  return { tenantId, tenantDomain, extensionAppId, users: parsedUsers, groups: parsedGroups, appRoleAssignments: parsedAssignments };
}

/**
 * The same directory with its directory extension attributes renamed to another owning app
 * (`extension_<sample appId>_x` → `extension_<appId>_x`): the sample is tenant-neutral, while each
 * environment's mappings name the extension app of its own tenant.
 */
export function withExtensionAppId(directory: SampleDirectory, extensionAppId: string): SampleDirectory {
  if (directory.extensionAppId === extensionAppId) return directory;
  const from = `extension_${directory.extensionAppId}_`;
  return {
    ...directory,
    extensionAppId,
    users: directory.users.map((user) => {
      const renamed: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(user)) renamed[key.startsWith(from) ? `extension_${extensionAppId}_${key.slice(from.length)}` : key] = value;
      return renamed as unknown as SampleUser;
    }),
  };
}

/** How a principal holds a role: directly, or through a group it is a direct member of. */
export interface EffectiveRoleAssignment {
  appRoleValue: string;
  /** The principal the role is assigned to (the user itself or a group). */
  assignedTo: string;
  viaGroup?: string;
}

/**
 * Roles of a user as Entra's provisioning engine sees them: assignments to the user plus assignments to
 * groups the user is a DIRECT member of (Entra does not expand nested groups for app assignment).
 */
export function effectiveRoleAssignments(directory: SampleDirectory, userId: string): EffectiveRoleAssignment[] {
  const id = userId.toLowerCase();
  const groupsOfUser = new Map(
    directory.groups.filter((g) => g.members.some((m) => m.toLowerCase() === id)).map((g) => [g.id.toLowerCase(), g]),
  );
  const result: EffectiveRoleAssignment[] = [];
  for (const assignment of directory.appRoleAssignments) {
    const principal = assignment.principalId.toLowerCase();
    if (principal === id) result.push({ appRoleValue: assignment.appRoleValue, assignedTo: assignment.principalId });
    const group = groupsOfUser.get(principal);
    if (group) result.push({ appRoleValue: assignment.appRoleValue, assignedTo: group.id, viaGroup: group.displayName });
  }
  return result;
}

/** "Sync only assigned users and groups": a user is in scope when it has at least one (effective) assignment. */
export function isUserAssigned(directory: SampleDirectory, userId: string): boolean {
  return effectiveRoleAssignments(directory, userId).length > 0;
}

/** A group is in scope when it is assigned to the app itself. */
export function isGroupAssigned(directory: SampleDirectory, groupId: string): boolean {
  const id = groupId.toLowerCase();
  return directory.appRoleAssignments.some((a) => a.principalId.toLowerCase() === id);
}

type Fail = (where: string, problem: string) => never;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(record: Record<string, unknown>, key: string, where: string, fail: Fail): string {
  const value = record[key];
  if (typeof value !== 'string' || value === '') return fail(where, `${key} must be a non-empty string, got ${describe(value)}`);
  return value;
}

function requireArray(record: Record<string, unknown>, key: string, fail: Fail): unknown[] {
  const value = record[key];
  if (!Array.isArray(value)) return fail('document', `${key} must be an array, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'object' ? 'an object' : String(value);
}
