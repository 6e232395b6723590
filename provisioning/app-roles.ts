/**
 * The application roles of the enterprise app. SignPath's role set is the shipped example
 * (https://about.signpath.io/documentation/directory-synchronization, step 2: one app role per
 * SignPath role, allowed member types "Users/Groups").
 *
 * `id` is fixed so that `pulumi up` never replaces a role (Entra refuses to delete a role that is
 * still assigned) and assignments in the sample directory can refer to roles by `value`.
 */
export type AppRoleMemberType = 'User' | 'Application';

export interface AppRole {
  /** Stable GUID of the role in the application registration. */
  readonly id: string;
  /** The value apps receive in tokens and in SCIM `roles` (what SignPath matches on). */
  readonly value: string;
  readonly displayName: string;
  readonly description: string;
  /** `['User']` means "Users/Groups" in the portal. */
  readonly allowedMemberTypes: readonly AppRoleMemberType[];
}

export const appRoles = [
  {
    id: '2f4c8b7e-1d3a-4c5e-9f60-1a2b3c4d5e01',
    value: 'GlobalAdministrator',
    displayName: 'SignPath Global Administrator',
    description: 'Full control of the SignPath organization: users, projects, certificates and settings.',
    allowedMemberTypes: ['User'],
  },
  {
    id: '2f4c8b7e-1d3a-4c5e-9f60-1a2b3c4d5e02',
    value: 'CertificateAdministrator',
    displayName: 'SignPath Certificate Administrator',
    description: 'Manages certificates and their keys.',
    allowedMemberTypes: ['User'],
  },
  {
    id: '2f4c8b7e-1d3a-4c5e-9f60-1a2b3c4d5e03',
    value: 'UserAdministrator',
    displayName: 'SignPath User Administrator',
    description: 'Manages users and groups.',
    allowedMemberTypes: ['User'],
  },
  {
    id: '2f4c8b7e-1d3a-4c5e-9f60-1a2b3c4d5e04',
    value: 'ProjectAdministrator',
    displayName: 'SignPath Project Administrator',
    description: 'Creates projects and manages their signing policies.',
    allowedMemberTypes: ['User'],
  },
  {
    id: '2f4c8b7e-1d3a-4c5e-9f60-1a2b3c4d5e05',
    value: 'GlobalReader',
    displayName: 'SignPath Global Reader',
    description: 'Reads everything in the organization, changes nothing.',
    allowedMemberTypes: ['User'],
  },
  {
    id: '2f4c8b7e-1d3a-4c5e-9f60-1a2b3c4d5e06',
    value: 'RegularUser',
    displayName: 'SignPath Regular User',
    description: 'Signs in and works with the projects they are given permissions on.',
    allowedMemberTypes: ['User'],
  },
] as const satisfies readonly AppRole[];

/** One of the shipped role values; a typo in a role rule or a sample assignment fails the build. */
export type AppRoleValue = (typeof appRoles)[number]['value'];

/** Roles SignPath counts as "global roles": a user may hold at most one of them (SignPath docs, Limitations). */
export const exclusiveGlobalRoles: readonly AppRoleValue[] = [
  'GlobalAdministrator',
  'CertificateAdministrator',
  'UserAdministrator',
  'ProjectAdministrator',
  'GlobalReader',
];
