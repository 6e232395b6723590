/**
 * The shipped attribute mappings: Entra's defaults for a non-gallery SCIM app
 * (/work/shared/reference/graph-synchronization.md §5) plus what SignPath needs:
 * externalId = "<ssoId>:<objectId>" as first matching attribute, roles from the app role
 * assignments, the cost centre from a directory extension and one custom SCIM extension attribute.
 *
 * `target` is checked against schema-definitions.ts at compile time; expressions are parsed in
 * test/provisioning, so a typo fails `npm test`, not a provisioning cycle 40 minutes later.
 */
import type { AttributeMapping, ObjectMappingModel } from './model.js';
import { direct, expression } from './model.js';
import {
  CORE_GROUP,
  CUSTOM_USER_EXTENSION,
  ENTERPRISE_USER,
  sourceExtensionAttribute,
  type GroupTargetAttribute,
  type SourceGroupAttribute,
  type SourceUserAttribute,
  type UserTargetAttribute,
} from './schema-definitions.js';

export type UserMapping = AttributeMapping<UserTargetAttribute, SourceUserAttribute>;
export type GroupMapping = AttributeMapping<GroupTargetAttribute, SourceGroupAttribute>;

export const userMappings: readonly UserMapping[] = [
  // SignPath matches users on externalId first; the SSO identifier prefix is per environment.
  { target: 'externalId', source: expression('Append("{{ssoId}}:", [objectId])'), matchingPrecedence: 1 },
  { target: 'userName', source: direct('userPrincipalName'), matchingPrecedence: 2 },
  { target: 'active', source: expression('Switch([IsSoftDeleted], , "False", "True", "True", "False")') },
  { target: 'displayName', source: direct('displayName') },
  { target: 'title', source: direct('jobTitle') },
  // Users without a mailbox still get an address SignPath can notify: fall back to the UPN.
  {
    target: 'emails[type eq "work"].value',
    source: expression('Switch(IsPresent([mail]), , "True", [mail], "False", [userPrincipalName])'),
  },
  { target: 'preferredLanguage', source: direct('preferredLanguage') },
  { target: 'name.givenName', source: direct('givenName') },
  { target: 'name.familyName', source: direct('surname') },
  { target: 'name.formatted', source: expression('Join(" ", [givenName], [surname])') },
  { target: 'addresses[type eq "work"].formatted', source: direct('physicalDeliveryOfficeName') },
  { target: 'addresses[type eq "work"].streetAddress', source: direct('streetAddress') },
  { target: 'addresses[type eq "work"].locality', source: direct('city') },
  { target: 'addresses[type eq "work"].region', source: direct('state') },
  { target: 'addresses[type eq "work"].postalCode', source: direct('postalCode') },
  { target: 'addresses[type eq "work"].country', source: direct('country') },
  { target: 'phoneNumbers[type eq "work"].value', source: direct('telephoneNumber') },
  { target: 'phoneNumbers[type eq "mobile"].value', source: direct('mobile') },
  { target: 'phoneNumbers[type eq "fax"].value', source: direct('facsimileTelephoneNumber') },
  { target: `${ENTERPRISE_USER}:employeeNumber`, source: direct('employeeId') },
  { target: `${ENTERPRISE_USER}:department`, source: direct('department') },
  { target: `${ENTERPRISE_USER}:manager`, source: direct('manager') },
  { target: `${ENTERPRISE_USER}:costCenter`, source: direct(sourceExtensionAttribute('costCenter')) },
  {
    target: `${CUSTOM_USER_EXTENSION}:signingTeam`,
    source: direct(sourceExtensionAttribute('signingTeam')),
    defaultValue: 'unassigned',
  },
  // All roles (direct and through groups); SignPath reads the complex roles attribute.
  { target: 'roles', source: expression('AppRoleAssignmentsComplex([appRoleAssignments])') },
];

export const groupMappings: readonly GroupMapping[] = [
  { target: 'displayName', source: direct('displayName'), matchingPrecedence: 1 },
  { target: 'externalId', source: direct('objectId') },
  { target: 'members', source: direct('members') },
];

const objectMappingMetadata = [] as const;

export const userObjectMapping: ObjectMappingModel<UserTargetAttribute, SourceUserAttribute> = {
  name: 'Provision Azure Active Directory Users',
  enabled: true,
  flowTypes: 'Add, Update, Delete',
  sourceObjectName: 'User',
  targetObjectName: ENTERPRISE_USER,
  mappings: userMappings,
  scope: null,
  metadata: objectMappingMetadata,
};

export const groupObjectMapping: ObjectMappingModel<GroupTargetAttribute, SourceGroupAttribute> = {
  name: 'Provision Azure Active Directory Groups',
  enabled: true,
  flowTypes: 'Add, Update, Delete',
  sourceObjectName: 'Group',
  targetObjectName: CORE_GROUP,
  mappings: groupMappings,
  scope: null,
  metadata: objectMappingMetadata,
};

/**
 * Provisioning scope: "Sync only assigned users and groups" (the portal's recommendation and what
 * AppRoleAssignmentsComplex requires). Graph keeps it in the job secret `SyncAll`, not in the schema.
 */
export const scope = { assignedOnly: true } as const;
