// The `scim` synchronization template of a non-gallery app: directories and the default mappings
// the portal creates (graph-synchronization.md §1 ids/names, §5 mapping table, §6 attribute defaults).
import { sourceFromText } from '../expressions-bridge.js';
import {
  SCIM_GROUP_OBJECT, SCIM_USER_OBJECT, SOURCE_DIRECTORY, TARGET_DIRECTORY,
  type AttributeDefinition, type AttributeMapping, type DirectoryDefinition, type ObjectDefinition, type SynchronizationSchema,
} from './schema-types.js';

export const SCIM_TEMPLATE_ID = 'scim';
/** The rule id seen for SCIM-style templates (reference §1; "appears to be a global value"). */
export const SCIM_RULE_ID = '03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8';
const SOURCE_DIRECTORY_ID = '66e4a8cc-1b7b-435e-95f8-f06cea133828';
const TARGET_DIRECTORY_ID = '8ffa6169-f354-4751-9b77-9c00765be92d';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

type AttrType = AttributeDefinition['type'];
interface AttrSpec { type?: AttrType; multivalued?: boolean; anchor?: boolean; references?: string; mutability?: AttributeDefinition['mutability']; required?: boolean }

/** Fills the defaults Graph shows for omitted attributeDefinition fields (reference §6 step 2). */
export function attribute(name: string, spec: AttrSpec = {}): AttributeDefinition {
  return {
    name,
    type: spec.type ?? 'String',
    anchor: spec.anchor ?? false,
    caseExact: false,
    defaultValue: null,
    flowNullValues: false,
    multivalued: spec.multivalued ?? false,
    mutability: spec.mutability ?? 'ReadWrite',
    required: spec.required ?? false,
    referencedObjects: spec.references ? [{ referencedObjectName: spec.references, referencedProperty: null }] : [],
    apiExpressions: [],
    metadata: [],
  };
}

function object(name: string, attrs: [string, AttrSpec?][], metadata: { key: string; value: string }[] = []): ObjectDefinition {
  return { name, attributes: attrs.map(([n, s]) => attribute(n, s)), metadata, supportedApis: [] };
}

const sourceUser = object('User', [
  ['accountEnabled', { type: 'Boolean' }], ['appRoleAssignments', { multivalued: true }], ['city'], ['companyName'], ['country'],
  ['department'], ['displayName'], ['employeeId'], ['employeeType'], ['facsimileTelephoneNumber'], ['givenName'],
  ['IsSoftDeleted', { type: 'Boolean' }], ['jobTitle'], ['mail'], ['mailNickname'], ['manager', { type: 'Reference', references: 'User' }],
  ['mobile'], ['objectId', { anchor: true }], ['otherMails', { multivalued: true }], ['physicalDeliveryOfficeName'], ['postalCode'],
  ['preferredLanguage'], ['proxyAddresses', { multivalued: true }], ['state'], ['streetAddress'], ['surname'], ['telephoneNumber'],
  ['usageLocation'], ['userPrincipalName'], ['userType'],
], [{ key: 'PropertyNameAccountEnabled', value: 'accountEnabled' }, { key: 'PropertyNameSoftDeleted', value: 'IsSoftDeleted' }, { key: 'IsSoftDeletionSupported', value: 'true' }]);

const sourceGroup = object('Group', [
  ['description'], ['displayName'], ['IsSoftDeleted', { type: 'Boolean' }], ['mail'], ['mailEnabled', { type: 'Boolean' }], ['mailNickname'],
  ['members', { type: 'Reference', multivalued: true, references: 'User' }], ['objectId', { anchor: true }], ['proxyAddresses', { multivalued: true }],
  ['securityEnabled', { type: 'Boolean' }],
]);

const targetUser = object(SCIM_USER_OBJECT, [
  ['id', { anchor: true, mutability: 'ReadOnly' }], ['userName', { required: true }], ['active', { type: 'Boolean' }], ['displayName'], ['title'],
  ['emails[type eq "work"].value'], ['emails[type eq "other"].value'], ['preferredLanguage'], ['name.givenName'], ['name.familyName'], ['name.formatted'],
  ['addresses[type eq "work"].formatted'], ['addresses[type eq "work"].streetAddress'], ['addresses[type eq "work"].locality'],
  ['addresses[type eq "work"].region'], ['addresses[type eq "work"].postalCode'], ['addresses[type eq "work"].country'],
  ['addresses[type eq "other"].formatted'], ['phoneNumbers[type eq "work"].value'], ['phoneNumbers[type eq "mobile"].value'],
  ['phoneNumbers[type eq "fax"].value'], ['externalId'], ['nickName'], ['userType'], ['locale'], ['timezone'],
  ['roles', { multivalued: true }], ['roles[primary eq "True"].value'], ['roles[primary eq "True"].display'], ['roles[primary eq "True"].type'],
  [`${ENTERPRISE}:employeeNumber`], [`${ENTERPRISE}:department`], [`${ENTERPRISE}:costCenter`], [`${ENTERPRISE}:division`],
  [`${ENTERPRISE}:organization`], [`${ENTERPRISE}:manager`, { type: 'Reference', references: SCIM_USER_OBJECT }],
], [{ key: 'PropertyNameAccountEnabled', value: 'active' }]);

const targetGroup = object(SCIM_GROUP_OBJECT, [
  ['id', { anchor: true, mutability: 'ReadOnly' }], ['displayName', { required: true }], ['externalId'],
  ['members', { type: 'Reference', multivalued: true, references: SCIM_USER_OBJECT }],
]);

export function templateDirectories(): DirectoryDefinition[] {
  return [
    { id: SOURCE_DIRECTORY_ID, name: SOURCE_DIRECTORY, objects: [structuredClone(sourceUser), structuredClone(sourceGroup)], discoverabilities: 'None', discoveryDateTime: null, readOnly: true, version: null },
    { id: TARGET_DIRECTORY_ID, name: TARGET_DIRECTORY, objects: [structuredClone(targetUser), structuredClone(targetGroup)], discoverabilities: 'AttributeNames, AttributeDataTypes, AttributeReadOnly, ReferenceAttributes', discoveryDateTime: null, readOnly: false, version: null },
  ];
}

function mapping(source: string, target: string, matchingPriority = 0): AttributeMapping {
  return {
    targetAttributeName: target,
    source: sourceFromText(source),
    defaultValue: null,
    matchingPriority,
    flowBehavior: 'FlowWhenChanged',
    flowType: 'Always',
    exportMissingReferences: false,
  };
}

/** The 22 user and 3 group mappings of reference §5, in the portal's order. */
export function templateSchema(id: string): SynchronizationSchema {
  const users: AttributeMapping[] = [
    mapping('[userPrincipalName]', 'userName', 1),
    mapping('Switch([IsSoftDeleted], , "False", "True", "True", "False")', 'active'),
    mapping('[displayName]', 'displayName'),
    mapping('[jobTitle]', 'title'),
    mapping('[mail]', 'emails[type eq "work"].value'),
    mapping('[preferredLanguage]', 'preferredLanguage'),
    mapping('[givenName]', 'name.givenName'),
    mapping('[surname]', 'name.familyName'),
    mapping('Join(" ", [givenName], [surname])', 'name.formatted'),
    mapping('[physicalDeliveryOfficeName]', 'addresses[type eq "work"].formatted'),
    mapping('[streetAddress]', 'addresses[type eq "work"].streetAddress'),
    mapping('[city]', 'addresses[type eq "work"].locality'),
    mapping('[state]', 'addresses[type eq "work"].region'),
    mapping('[postalCode]', 'addresses[type eq "work"].postalCode'),
    mapping('[country]', 'addresses[type eq "work"].country'),
    mapping('[telephoneNumber]', 'phoneNumbers[type eq "work"].value'),
    mapping('[mobile]', 'phoneNumbers[type eq "mobile"].value'),
    mapping('[facsimileTelephoneNumber]', 'phoneNumbers[type eq "fax"].value'),
    mapping('[mailNickname]', 'externalId'),
    mapping('[employeeId]', `${ENTERPRISE}:employeeNumber`),
    mapping('[department]', `${ENTERPRISE}:department`),
    mapping('[manager]', `${ENTERPRISE}:manager`),
  ];
  const groups: AttributeMapping[] = [
    mapping('[displayName]', 'displayName', 1),
    mapping('[objectId]', 'externalId'),
    mapping('[members]', 'members'),
  ];
  const objectMetadata = [
    { key: 'Disposition', value: '"Normal"' }, { key: 'EscrowBehavior', value: '"Default"' }, { key: 'IsCustomerDefined', value: 'false' },
    { key: 'DisableMonitoringForChanges', value: 'false' }, { key: 'ExcludeFromReporting', value: 'false' }, { key: 'Unsynchronized', value: 'false' },
  ];
  return {
    id,
    version: 'Date:2026-01-01T00:00:00Z',
    directories: templateDirectories(),
    synchronizationRules: [{
      id: SCIM_RULE_ID,
      name: 'USERGROUP_OUTBOUND_USERGROUP',
      sourceDirectoryName: SOURCE_DIRECTORY,
      targetDirectoryName: TARGET_DIRECTORY,
      priority: 1,
      editable: true,
      containerFilter: { includedContainers: [] },
      groupFilter: { includedGroups: [] },
      metadata: [{ key: 'supportsProvisionOnDemand', value: 'true' }],
      objectMappings: [
        { name: 'Provision Azure Active Directory Users', enabled: true, flowTypes: 'Add, Update, Delete', sourceObjectName: 'User', targetObjectName: SCIM_USER_OBJECT, attributeMappings: users, scope: null, metadata: structuredClone(objectMetadata) },
        { name: 'Provision Azure Active Directory Groups', enabled: true, flowTypes: 'Add, Update, Delete', sourceObjectName: 'Group', targetObjectName: SCIM_GROUP_OBJECT, attributeMappings: groups, scope: null, metadata: structuredClone(objectMetadata) },
      ],
    }],
  };
}
