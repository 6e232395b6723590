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
