// Graph synchronization schema types (graph-synchronization.md §4.2), as the emulator stores and serves them.

export interface AttributeMappingSource {
  type: 'Attribute' | 'Constant' | 'Function';
  name: string | null;
  expression: string | null;
  parameters: { key: string; value: AttributeMappingSource }[];
}

export interface AttributeMapping {
  targetAttributeName: string;
  source: AttributeMappingSource | null;
  defaultValue: string | null;
  matchingPriority: number;
  flowBehavior: 'FlowWhenChanged' | 'FlowAlways';
  flowType: 'Always' | 'ObjectAddOnly' | 'MultiValueAddOnly' | 'ValueAddOnly' | 'AttributeAddOnly';
  exportMissingReferences: boolean;
}

export interface FilterClause {
  sourceOperandName: string;
  operatorName: string;
  targetOperand: { values: string[] } | null;
}

export interface ScopeFilter {
  groups: { name: string | null; clauses: FilterClause[] }[];
  inputFilterGroups: { name: string | null; clauses: FilterClause[] }[];
  categoryFilterGroups: { name: string | null; clauses: FilterClause[] }[];
}

export interface ObjectMapping {
  name: string;
  enabled: boolean;
  flowTypes: string;
  sourceObjectName: string;
  targetObjectName: string;
  attributeMappings: AttributeMapping[];
  scope: ScopeFilter | null;
  metadata: { key: string; value: string }[];
}

export interface SynchronizationRule {
  id: string;
  name: string;
  sourceDirectoryName: string;
  targetDirectoryName: string;
  priority: number;
  editable: boolean;
  objectMappings: ObjectMapping[];
  metadata: { key: string; value: string }[];
  containerFilter: { includedContainers: string[] } | null;
  groupFilter: { includedGroups: string[] } | null;
}

export interface AttributeDefinition {
  name: string;
  type: 'String' | 'Integer' | 'Reference' | 'Binary' | 'Boolean' | 'DateTime';
  anchor: boolean;
  caseExact: boolean;
  defaultValue: string | null;
  flowNullValues: boolean;
  multivalued: boolean;
  mutability: 'ReadWrite' | 'ReadOnly' | 'Immutable' | 'WriteOnly';
  required: boolean;
  referencedObjects: { referencedObjectName: string; referencedProperty: string | null }[];
  apiExpressions: { key: string; value: string }[];
  metadata: { key: string; value: string }[];
}

export interface ObjectDefinition {
  name: string;
  attributes: AttributeDefinition[];
  metadata: { key: string; value: string }[];
  supportedApis: string[];
}

export interface DirectoryDefinition {
  id: string;
  name: string;
  objects: ObjectDefinition[];
  discoverabilities: string;
  discoveryDateTime: string | null;
  readOnly: boolean;
  version: string | null;
}

export interface SynchronizationSchema {
  id: string;
  version: string;
  synchronizationRules: SynchronizationRule[];
  directories: DirectoryDefinition[];
}

export const SOURCE_DIRECTORY = 'Azure Active Directory';
export const TARGET_DIRECTORY = 'customappsso';
export const SCIM_USER_OBJECT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const SCIM_GROUP_OBJECT = 'urn:ietf:params:scim:schemas:core:2.0:Group';
