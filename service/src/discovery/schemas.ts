// The schemas the service supports (RFC 7643 §4, §8.7.1), as data. Every attribute the service stores is
// here so Entra's schema discovery (reference §1.2 "Discovery endpoints") finds it.

import type { AttributeDefinition, AttributeType, ResourceSchemaInfo, SchemaDefinition } from './types.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

type Options = Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description'>>;

/** RFC 7643 §7 defaults: single-valued, optional, case-insensitive, readWrite, returned by default, not unique. */
export function attribute(name: string, type: AttributeType, description: string, options: Options = {}): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
}

function multiValued(name: string, description: string, typeValues: readonly string[], valueOptions: Options = {}): AttributeDefinition {
  return attribute(name, 'complex', description, {
    multiValued: true,
    subAttributes: [
      attribute('value', 'string', `The ${name} value.`, valueOptions),
      attribute('display', 'string', 'A human-readable name, primarily used for display purposes.'),
      attribute('type', 'string', `A label indicating the ${name} function.`, { canonicalValues: typeValues }),
      attribute('primary', 'boolean', `Whether this is the primary ${name} value.`),
    ],
  });
}

const externalIdAttribute = attribute('externalId', 'string', 'Identifier of the resource as defined by the provisioning client.', {
  caseExact: true,
});

/** id, externalId and meta: on every resource, in no schema (RFC 7643 §3.1). */
export const commonAttributes: readonly AttributeDefinition[] = [
  attribute('id', 'string', 'Unique identifier issued by the service provider.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  externalIdAttribute,
  attribute('meta', 'complex', 'Resource metadata.', {
    mutability: 'readOnly',
    subAttributes: [
      attribute('resourceType', 'string', 'Name of the resource type.', { caseExact: true, mutability: 'readOnly' }),
      attribute('created', 'dateTime', 'When the resource was added to the service provider.', { mutability: 'readOnly' }),
      attribute('lastModified', 'dateTime', 'When the resource was last updated.', { mutability: 'readOnly' }),
      attribute('location', 'reference', 'URI of the resource.', {
        caseExact: true,
        mutability: 'readOnly',
        referenceTypes: ['uri'],
      }),
      attribute('version', 'string', 'Version (ETag) of the resource.', { caseExact: true, mutability: 'readOnly' }),
    ],
  }),
];

export const userSchema: SchemaDefinition = {
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: [
    attribute('userName', 'string', 'Unique identifier for the User, used to sign in. Unique per tenant, case-insensitive.', {
      required: true,
      uniqueness: 'server',
    }),
    // A common attribute (RFC 7643 §3.1), listed in the schema too: Entra maps objectId → externalId by default and
    // Microsoft's validator requires every mapped attribute to be discoverable in /Schemas (reference §1.2).
    externalIdAttribute,
    attribute('name', 'complex', "The components of the user's name.", {
      subAttributes: [
        attribute('formatted', 'string', 'The full name, formatted for display.'),
        attribute('familyName', 'string', 'The family name (last name).'),
        attribute('givenName', 'string', 'The given name (first name).'),
        attribute('middleName', 'string', 'The middle name(s).'),
        attribute('honorificPrefix', 'string', 'The honorific prefix(es), e.g. "Ms.".'),
        attribute('honorificSuffix', 'string', 'The honorific suffix(es), e.g. "III".'),
      ],
    }),
    attribute('displayName', 'string', 'The name of the User, suitable for display.'),
    attribute('nickName', 'string', 'The casual way to address the user.'),
    attribute('profileUrl', 'reference', "A URI to the user's online profile.", { referenceTypes: ['external'] }),
    attribute('title', 'string', "The user's title, such as \"Vice President\"."),
    attribute('userType', 'string', 'The relationship between the organization and the user, e.g. "Employee".'),
    attribute('preferredLanguage', 'string', "The user's preferred written or spoken language (RFC 7231 language tag)."),
    attribute('locale', 'string', "The user's default location for localization, e.g. \"en-US\"."),
    attribute('timezone', 'string', 'The time zone in IANA format, e.g. "America/Los_Angeles".'),
    attribute('active', 'boolean', "The user's administrative status. Entra sends false on disable and soft delete."),
    multiValued('emails', 'Email addresses for the user.', ['work', 'home', 'other']),
    multiValued('phoneNumbers', 'Phone numbers for the user.', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    multiValued('ims', 'Instant messaging addresses for the user.', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
    multiValued('photos', 'URLs of photos of the user.', ['photo', 'thumbnail']),
    attribute('addresses', 'complex', 'Physical mailing addresses for this user.', {
      multiValued: true,
      subAttributes: [
        attribute('formatted', 'string', 'The full mailing address, formatted for display.'),
        attribute('streetAddress', 'string', 'The full street address component.'),
        attribute('locality', 'string', 'The city or locality component.'),
        attribute('region', 'string', 'The state or region component.'),
        attribute('postalCode', 'string', 'The zip code or postal code component.'),
        attribute('country', 'string', 'The country name component (ISO 3166-1 alpha-2).'),
        attribute('type', 'string', 'A label indicating the address function.', { canonicalValues: ['work', 'home', 'other'] }),
        attribute('primary', 'boolean', 'Whether this is the primary address.'),
      ],
    }),
    attribute('groups', 'complex', 'Groups the user belongs to, maintained by the service through Group membership.', {
      multiValued: true,
      mutability: 'readOnly',
      subAttributes: [
        attribute('value', 'string', 'The id of the Group.', { mutability: 'readOnly', caseExact: true }),
        attribute('$ref', 'reference', 'The URI of the Group.', {
          mutability: 'readOnly',
          caseExact: true,
          referenceTypes: ['Group'],
        }),
        attribute('display', 'string', "The Group's displayName.", { mutability: 'readOnly' }),
        attribute('type', 'string', 'How the membership was derived.', {
          mutability: 'readOnly',
          canonicalValues: ['direct', 'indirect'],
        }),
      ],
    }),
    multiValued('entitlements', 'Entitlements for the user.', []),
    multiValued('roles', "Roles for the user (Entra app role assignments, reference §1.3).", []),
    multiValued('x509Certificates', 'DER-encoded X.509 certificates issued to the user.', []),
  ].map((a) => (a.name === 'x509Certificates' ? withValueType(a, 'binary') : a)),
};

function withValueType(definition: AttributeDefinition, type: AttributeType): AttributeDefinition {
  return {
    ...definition,
    subAttributes: definition.subAttributes?.map((s) => (s.name === 'value' ? { ...s, type } : s)),
  };
}

export const enterpriseUserSchema: SchemaDefinition = {
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attribute('employeeNumber', 'string', 'Numeric or alphanumeric identifier assigned to a person by the organization.'),
    attribute('costCenter', 'string', 'Identifies the name of a cost center.'),
    attribute('organization', 'string', 'Identifies the name of an organization.'),
    attribute('division', 'string', 'Identifies the name of a division.'),
    attribute('department', 'string', 'Identifies the name of a department.'),
    attribute('manager', 'complex', "The user's manager. A bare id string sent by Entra is stored and returned as { value }.", {
      subAttributes: [
        attribute('value', 'string', 'The id of the manager User.', { caseExact: true }),
        attribute('$ref', 'reference', 'The URI of the manager User.', { caseExact: true, referenceTypes: ['User'] }),
        attribute('displayName', 'string', "The manager's displayName.", { mutability: 'readOnly' }),
      ],
    }),
  ],
};

export const groupSchema: SchemaDefinition = {
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    attribute('displayName', 'string', 'A human-readable name for the Group. Unique per tenant (Entra requirement).', {
      required: true,
      uniqueness: 'server',
    }),
    externalIdAttribute, // discoverable, as on User
    attribute('members', 'complex', 'A list of members of the Group.', {
      multiValued: true,
      returned: 'default',
      subAttributes: [
        attribute('value', 'string', 'The id of the member User or Group.', { mutability: 'immutable', caseExact: true }),
        attribute('$ref', 'reference', 'The URI of the member.', {
          mutability: 'immutable',
          caseExact: true,
          referenceTypes: ['User', 'Group'],
        }),
        attribute('display', 'string', "The member's display name.", { mutability: 'readOnly' }),
        attribute('type', 'string', 'The type of the member.', {
          mutability: 'immutable',
          canonicalValues: ['User', 'Group'],
        }),
      ],
    }),
  ],
};

/** Schema information for evaluating filters on Users (core + enterprise + tenant custom extensions). */
export function userSchemaInfo(customExtensions: readonly SchemaDefinition[] = []): ResourceSchemaInfo {
  return {
    resourceType: 'User',
    core: userSchema,
    extensions: [enterpriseUserSchema, ...customExtensions],
    common: commonAttributes,
  };
}

export function groupSchemaInfo(): ResourceSchemaInfo {
  return { resourceType: 'Group', core: groupSchema, extensions: [], common: commonAttributes };
}
