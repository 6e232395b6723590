/**
 * provisioning/: the single source of truth for the Entra app's roles, attribute mappings,
 * environments, the Graph synchronizationSchema document and the sample directory.
 */
export { appRoles, exclusiveGlobalRoles } from './app-roles.js';
export type { AppRole, AppRoleMemberType, AppRoleValue } from './app-roles.js';
export { environments, environmentNames, getEnvironment, substituteParameters, placeholdersIn } from './environments.js';
export type { Environment, EnvironmentName, EnvironmentParameters } from './environments.js';
export {
  loadSampleDirectory,
  parseSampleDirectory,
  defaultSampleDirectoryPath,
  effectiveRoleAssignments,
  isUserAssigned,
  isGroupAssigned,
  withExtensionAppId,
  SampleDirectoryError,
} from './sample-directory.js';
export type {
  SampleDirectory,
  SampleUser,
  SampleGroup,
  SampleAppRoleAssignment,
  EffectiveRoleAssignment,
  ExtensionAttributeName,
} from './sample-directory.js';
export { userMappings, groupMappings, userObjectMapping, groupObjectMapping, scope } from './mappings.js';
export type { UserMapping, GroupMapping } from './mappings.js';
export { direct, constant, expression, none, sourceText } from './model.js';
export type { AttributeMapping, MappingSource, ObjectMappingModel, ProvisioningModel, SynchronizationRuleModel } from './model.js';
export {
  SOURCE_DIRECTORY,
  TARGET_DIRECTORY,
  ENTERPRISE_USER,
  CORE_GROUP,
  CUSTOM_USER_EXTENSION,
  directoryExtensionNames,
  sourceExtensionAttribute,
  sourceUserAttributes,
  sourceGroupAttributes,
  targetUserAttributes,
  targetGroupAttributes,
} from './schema-definitions.js';
export type {
  AttributeSpec,
  UserTargetAttribute,
  GroupTargetAttribute,
  SourceUserAttribute,
  SourceGroupAttribute,
  DirectoryExtensionName,
} from './schema-definitions.js';
export type * from './graph-types.js';
export {
  buildSynchronizationSchema,
  renderSynchronizationSchema,
  serializeSchema,
  importSynchronizationSchema,
  resolveModel,
  resolveAttributeMapping,
  mappingSourceToGraph,
  provisioningModel,
  attributeDefinition,
  SchemaImportError,
  SYNCHRONIZATION_RULE_ID,
  SYNCHRONIZATION_RULE_NAME,
} from './schema.js';
export {
  previewDirectory,
  userSourceObject,
  groupSourceObject,
  compileMappings,
  evaluateObject,
  toScimPayload,
} from './preview.js';
export type { DirectoryPreview, ObjectPreview, PreviewProblem, PreviewProblemKind, CompiledMapping } from './preview.js';
export { evaluateScopingFilter, evaluateClause, scopingOperators, ScopingFilterError } from './scoping.js';
export { renderMappingsModule } from './codegen.js';
