/**
 * The attributes on both sides of the mappings: Entra (source directory "Azure Active Directory") and
 * the SCIM app (target directory "customappsso"). The target attribute names become TypeScript unions,
 * so a mapping to a target that is not declared here fails the build.
 *
 * Names follow /work/shared/reference/graph-synchronization.md §1, §5, §6 and mapping-expressions.md §6.
 */
import type { GraphAttributeType, GraphMutability } from './graph-types.js';

export interface AttributeSpec {
  readonly type?: GraphAttributeType; // default String
  readonly required?: boolean;
  readonly multivalued?: boolean;
  readonly caseExact?: boolean;
  readonly mutability?: GraphMutability;
  readonly anchor?: boolean;
  /** Reference attributes: the object type they point at (manager → User, members → User/Group). */
  readonly references?: readonly string[];
}

export const SOURCE_DIRECTORY = 'Azure Active Directory';
export const TARGET_DIRECTORY = 'customappsso';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
/** The custom SCIM schema extension of the app (reference §6: cannot be reference, multi-valued or complex). */
export const CUSTOM_USER_EXTENSION = 'urn:ietf:params:scim:schemas:extension:SignPath:2.0:User';

/** Directory extension attributes (source side) the mappings use, by short name. */
export const directoryExtensionNames = ['costCenter', 'signingTeam'] as const;
export type DirectoryExtensionName = (typeof directoryExtensionNames)[number];

/** `extension_{{extensionAppId}}_<name>`: the appId is a per-environment parameter. */
export type SourceExtensionAttribute = `extension_{{extensionAppId}}_${DirectoryExtensionName}`;
export const sourceExtensionAttribute = (name: DirectoryExtensionName): SourceExtensionAttribute =>
  `extension_{{extensionAppId}}_${name}`;

export const sourceUserAttributes = {
  objectId: { anchor: true, mutability: 'ReadOnly', caseExact: true },
  accountEnabled: { type: 'Boolean' },
  appRoleAssignments: { multivalued: true },
  city: {},
  companyName: {},
  country: {},
  department: {},
  displayName: {},
  employeeId: {},
  facsimileTelephoneNumber: {},
  givenName: {},
  IsSoftDeleted: { type: 'Boolean', mutability: 'ReadOnly' },
  jobTitle: {},
  mail: {},
  mailNickname: {},
  manager: { type: 'Reference', references: ['User'] },
  mobile: {},
  physicalDeliveryOfficeName: {},
  postalCode: {},
  preferredLanguage: {},
  proxyAddresses: { multivalued: true },
  state: {},
  streetAddress: {},
  surname: {},
  telephoneNumber: {},
  userPrincipalName: {},
  userType: {},
} as const satisfies Record<string, AttributeSpec>;

export const sourceGroupAttributes = {
  objectId: { anchor: true, mutability: 'ReadOnly', caseExact: true },
  appRoleAssignments: { multivalued: true },
  description: {},
  displayName: {},
  IsSoftDeleted: { type: 'Boolean', mutability: 'ReadOnly' },
  mail: {},
  mailNickname: {},
  members: { type: 'Reference', multivalued: true, references: ['User', 'Group'] },
  proxyAddresses: { multivalued: true },
} as const satisfies Record<string, AttributeSpec>;

export type SourceUserAttribute = keyof typeof sourceUserAttributes | SourceExtensionAttribute;
export type SourceGroupAttribute = keyof typeof sourceGroupAttributes;

export const targetUserAttributes = {
  id: { anchor: true, mutability: 'ReadOnly', caseExact: true },
  userName: { required: true },
  active: { type: 'Boolean' },
  displayName: {},
  title: {},
  preferredLanguage: {},
  externalId: { caseExact: true },
  'name.givenName': {},
  'name.familyName': {},
  'name.formatted': {},
  'emails[type eq "work"].value': {},
  'addresses[type eq "work"].formatted': {},
  'addresses[type eq "work"].streetAddress': {},
  'addresses[type eq "work"].locality': {},
  'addresses[type eq "work"].region': {},
  'addresses[type eq "work"].postalCode': {},
  'addresses[type eq "work"].country': {},
  'phoneNumbers[type eq "work"].value': {},
  'phoneNumbers[type eq "mobile"].value': {},
  'phoneNumbers[type eq "fax"].value': {},
  roles: { multivalued: true },
  [`${ENTERPRISE_USER}:employeeNumber`]: {},
  [`${ENTERPRISE_USER}:department`]: {},
  [`${ENTERPRISE_USER}:costCenter`]: {},
  [`${ENTERPRISE_USER}:manager`]: { type: 'Reference', references: [ENTERPRISE_USER] },
  [`${CUSTOM_USER_EXTENSION}:signingTeam`]: {},
} as const satisfies Record<string, AttributeSpec>;

export const targetGroupAttributes = {
  id: { anchor: true, mutability: 'ReadOnly', caseExact: true },
  displayName: { required: true },
  externalId: { caseExact: true },
  members: { type: 'Reference', multivalued: true, references: [ENTERPRISE_USER, CORE_GROUP] },
} as const satisfies Record<string, AttributeSpec>;

/** Target attributes a mapping may write (the anchor `id` is assigned by the app). */
export type UserTargetAttribute = Exclude<keyof typeof targetUserAttributes, 'id'>;
export type GroupTargetAttribute = Exclude<keyof typeof targetGroupAttributes, 'id'>;
