// Discovery documents (ServiceProviderConfig, ResourceTypes, Schemas) and the attribute metadata behind them.
export type {
  AttributeDefinition,
  AttributeType,
  Mutability,
  ResourceSchemaInfo,
  Returned,
  SchemaDefinition,
  Uniqueness,
} from './types.js';
export {
  ENTERPRISE_USER_SCHEMA,
  GROUP_SCHEMA,
  USER_SCHEMA,
  attribute,
  commonAttributes,
  enterpriseUserSchema,
  groupSchema,
  groupSchemaInfo,
  userSchema,
  userSchemaInfo,
} from './schemas.js';
export {
  DiscoveryConfigError,
  customExtensionSchema,
  customExtensionSchemas,
  customExtensionUrn,
  type CustomAttributeConfig,
  type CustomExtensionConfig,
} from './custom.js';
export {
  LIST_RESPONSE_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  findResourceType,
  findSchema,
  listResponse,
  resourceTypes,
  schemaDocument,
  schemaDocuments,
  serviceProviderConfig,
  supportedSchemas,
  type ListResponse,
  type ResourceTypeDocument,
  type ServiceProviderOptions,
} from './documents.js';
