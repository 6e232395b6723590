/**
 * Microsoft Graph v1.0 synchronizationSchema types, field names as in the CSDL
 * (/work/shared/reference/graph-synchronization.md §4.2). Enum values are strings; flag enums are
 * comma-separated strings ("Add, Update, Delete").
 */
export type GraphAttributeType = 'String' | 'Integer' | 'Reference' | 'Binary' | 'Boolean' | 'DateTime';
export type GraphMutability = 'ReadWrite' | 'ReadOnly' | 'Immutable' | 'WriteOnly';
export type AttributeFlowBehavior = 'FlowWhenChanged' | 'FlowAlways';
export type AttributeFlowType = 'Always' | 'ObjectAddOnly' | 'MultiValueAddOnly' | 'ValueAddOnly' | 'AttributeAddOnly';

export interface KeyValue {
  key: string;
  value: string | null;
}

export interface GraphReferencedObject {
  referencedObjectName: string | null;
  referencedProperty: string | null;
}

export interface GraphAttributeDefinition {
  name: string;
  anchor: boolean;
  apiExpressions: KeyValue[];
  caseExact: boolean;
  defaultValue: string | null;
  flowNullValues: boolean;
  metadata: KeyValue[];
  multivalued: boolean;
  mutability: GraphMutability;
  referencedObjects: GraphReferencedObject[];
  required: boolean;
  type: GraphAttributeType;
}

export interface GraphObjectDefinition {
  name: string;
  attributes: GraphAttributeDefinition[];
  metadata: KeyValue[];
  supportedApis: string[];
}

export interface GraphDirectoryDefinition {
  id: string;
  name: string;
  discoverabilities: string;
  discoveryDateTime: string | null;
  objects: GraphObjectDefinition[];
  readOnly: boolean;
  version: string | null;
}

export interface GraphAttributeMappingSource {
  expression: string | null;
  name: string | null;
  parameters: { key: string; value: GraphAttributeMappingSource }[];
  type: 'Attribute' | 'Constant' | 'Function';
}

export interface GraphAttributeMapping {
  defaultValue: string | null;
  exportMissingReferences: boolean;
  flowBehavior: AttributeFlowBehavior;
  flowType: AttributeFlowType;
  matchingPriority: number;
  source: GraphAttributeMappingSource | null;
  targetAttributeName: string;
}

export interface GraphFilterClause {
  operatorName: string;
  sourceOperandName: string;
  targetOperand: { values: string[] } | null;
}

export interface GraphFilterGroup {
  clauses: GraphFilterClause[];
  name: string;
}

export interface GraphFilter {
  categoryFilterGroups: GraphFilterGroup[];
  groups: GraphFilterGroup[];
  inputFilterGroups: GraphFilterGroup[];
}

export interface GraphObjectMapping {
  attributeMappings: GraphAttributeMapping[];
  enabled: boolean;
  flowTypes: string;
  metadata: KeyValue[];
  name: string;
  scope: GraphFilter | null;
  sourceObjectName: string;
  targetObjectName: string;
}

export interface GraphSynchronizationRule {
  id: string;
  name: string;
  containerFilter: { includedContainers: string[] } | null;
  editable: boolean;
  groupFilter: { includedGroups: string[] } | null;
  metadata: KeyValue[];
  objectMappings: GraphObjectMapping[];
  priority: number;
  sourceDirectoryName: string;
  targetDirectoryName: string;
}

export interface GraphSynchronizationSchema {
  id?: string;
  directories: GraphDirectoryDefinition[];
  synchronizationRules: GraphSynchronizationRule[];
  version: string | null;
}
