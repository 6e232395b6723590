/**
 * Graph synchronizationSchema document: render it from the provisioning model, serialize it
 * canonically (byte-for-byte stable, so PR diffs are readable), and import a downloaded one back
 * into the model. Shape: /work/shared/reference/graph-synchronization.md §4.2, §5, §6.
 */
import { formatExpression, fromGraphExpressionTree, parseExpression, toGraphExpressionTree, type AttributeMappingSource } from '../expressions/index.js';
import { getEnvironment, substituteParameters, type Environment, type EnvironmentParameters } from './environments.js';
import type {
  GraphAttributeDefinition,
  GraphAttributeMapping,
  GraphAttributeMappingSource,
  GraphDirectoryDefinition,
  GraphObjectDefinition,
  GraphObjectMapping,
  GraphSynchronizationRule,
  GraphSynchronizationSchema,
  KeyValue,
} from './graph-types.js';
import { groupObjectMapping, userObjectMapping } from './mappings.js';
import type { AttributeMapping, MappingSource, ObjectMappingModel, ProvisioningModel } from './model.js';
import {
  CORE_GROUP,
  ENTERPRISE_USER,
  SOURCE_DIRECTORY,
  TARGET_DIRECTORY,
  directoryExtensionNames,
  sourceExtensionAttribute,
  sourceGroupAttributes,
  sourceUserAttributes,
  targetGroupAttributes,
  targetUserAttributes,
  type AttributeSpec,
  type GroupTargetAttribute,
  type UserTargetAttribute,
} from './schema-definitions.js';

/**
 * Id and name of the one synchronization rule of SCIM-style templates (reference §1, [obs]). Upload
 * scripts should still prefer the id found in the job's current schema.
 */
export const SYNCHRONIZATION_RULE_ID = '03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8';
export const SYNCHRONIZATION_RULE_NAME = 'USERGROUP_OUTBOUND_USERGROUP';
/** Fixed directory ids so the document is deterministic; Graph identifies directories by `name` in rules. */
export const SOURCE_DIRECTORY_ID = '66e4a8cc-1b7b-435e-95f8-f06cea133828';
export const TARGET_DIRECTORY_ID = '8ffa6169-f354-4751-9b77-9c00765be92d';

/** A schema document that cannot be imported; `where` is a JSON path such as `synchronizationRules[0].objectMappings[1]`. */
export class SchemaImportError extends Error {
  override readonly name = 'SchemaImportError';
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}`);
  }
}

export function attributeDefinition(name: string, spec: AttributeSpec): GraphAttributeDefinition {
  return {
    name,
    anchor: spec.anchor ?? false,
    apiExpressions: [],
    caseExact: spec.caseExact ?? false,
    defaultValue: null,
    flowNullValues: false,
    metadata: [],
    multivalued: spec.multivalued ?? false,
    mutability: spec.mutability ?? 'ReadWrite',
    referencedObjects: (spec.references ?? []).map((referencedObjectName) => ({ referencedObjectName, referencedProperty: null })),
    required: spec.required ?? false,
    type: spec.type ?? 'String',
  };
}

function objectDefinition(name: string, attributes: Record<string, AttributeSpec>, extra: string[] = []): GraphObjectDefinition {
  return {
    name,
    attributes: [
      ...Object.entries(attributes).map(([attribute, spec]) => attributeDefinition(attribute, spec)),
      ...extra.map((attribute) => attributeDefinition(attribute, {})),
    ],
    metadata: [],
    supportedApis: [],
  };
}

function directory(id: string, name: string, objects: GraphObjectDefinition[]): GraphDirectoryDefinition {
  return {
    id,
    name,
    discoverabilities: 'AttributeNames, AttributeDataTypes, AttributeReadOnly, ReferenceAttributes',
    discoveryDateTime: null,
    objects,
    readOnly: name === SOURCE_DIRECTORY,
    version: null,
  };
}

/** The shipped model, with `{{param}}` placeholders still in it (see `resolveModel`). */
export const provisioningModel: ProvisioningModel<UserTargetAttribute, GroupTargetAttribute> = {
  version: null,
  rule: {
    id: SYNCHRONIZATION_RULE_ID,
    name: SYNCHRONIZATION_RULE_NAME,
    priority: 1,
    editable: true,
    metadata: [],
    containerFilter: null,
    groupFilter: null,
  },
  sourceDirectory: directory(SOURCE_DIRECTORY_ID, SOURCE_DIRECTORY, [
    objectDefinition('User', sourceUserAttributes, directoryExtensionNames.map(sourceExtensionAttribute)),
    objectDefinition('Group', sourceGroupAttributes),
  ]),
  targetDirectory: directory(TARGET_DIRECTORY_ID, TARGET_DIRECTORY, [
    objectDefinition(ENTERPRISE_USER, targetUserAttributes),
    objectDefinition(CORE_GROUP, targetGroupAttributes),
  ]),
  users: userObjectMapping,
  groups: groupObjectMapping,
};

/** Substitute the environment's parameters everywhere a `{{param}}` may appear. */
export function resolveModel<U extends string, G extends string>(
  model: ProvisioningModel<U, G>,
  parameters: EnvironmentParameters,
): ProvisioningModel<U, G> {
  const sub = (text: string) => substituteParameters(text, parameters);
  const resolveDirectory = (dir: GraphDirectoryDefinition): GraphDirectoryDefinition => ({
    ...dir,
    objects: dir.objects.map((object) => ({
      ...object,
      attributes: object.attributes.map((attribute) => ({ ...attribute, name: sub(attribute.name) })),
    })),
  });
  const resolveMapping = <T extends string>(objectMapping: ObjectMappingModel<T>): ObjectMappingModel<T> => ({
    ...objectMapping,
    mappings: objectMapping.mappings.map((mapping) => resolveAttributeMapping(mapping, parameters)),
  });
  return {
    ...model,
    sourceDirectory: resolveDirectory(model.sourceDirectory),
    targetDirectory: resolveDirectory(model.targetDirectory),
    users: resolveMapping(model.users),
    groups: resolveMapping(model.groups),
  };
}

export function resolveAttributeMapping<T extends string>(mapping: AttributeMapping<T>, parameters: EnvironmentParameters): AttributeMapping<T> {
  const sub = (text: string) => substituteParameters(text, parameters);
  const source: MappingSource = mapping.source;
  const resolved: MappingSource =
    source.type === 'attribute'
      ? { type: 'attribute', attribute: sub(source.attribute) }
      : source.type === 'constant'
        ? { type: 'constant', value: sub(source.value) }
        : source.type === 'expression'
          ? { type: 'expression', expression: sub(source.expression) }
          : source;
  return {
    ...mapping,
    source: resolved,
    ...(mapping.defaultValue === undefined ? {} : { defaultValue: sub(mapping.defaultValue) }),
  };
}

/** The Graph source node of a mapping (null for "None" mappings). Throws ExpressionSyntaxError for a bad expression. */
export function mappingSourceToGraph(source: MappingSource): GraphAttributeMappingSource | null {
  switch (source.type) {
    case 'none':
      return null;
    case 'attribute':
      return { expression: `[${source.attribute}]`, name: source.attribute, parameters: [], type: 'Attribute' };
    case 'constant':
      return {
        expression: `"${source.value.replace(/[\\"]/g, (c) => `\\${c}`)}"`,
        name: source.value,
        parameters: [],
        type: 'Constant',
      };
    case 'expression':
      return toGraphExpressionTree(parseExpression(source.expression)) as GraphAttributeMappingSource;
  }
}

function renderObjectMapping(objectMapping: ObjectMappingModel): GraphObjectMapping {
  return {
    attributeMappings: objectMapping.mappings.map(
      (mapping): GraphAttributeMapping => ({
        defaultValue: mapping.defaultValue ?? null,
        exportMissingReferences: false,
        flowBehavior: mapping.flowBehavior ?? 'FlowWhenChanged',
        flowType: mapping.flowType ?? 'Always',
        matchingPriority: mapping.matchingPrecedence ?? 0,
        source: mappingSourceToGraph(mapping.source),
        targetAttributeName: mapping.target,
      }),
    ),
    enabled: objectMapping.enabled,
    flowTypes: objectMapping.flowTypes,
    metadata: objectMapping.metadata.map((entry) => ({ ...entry })),
    name: objectMapping.name,
    scope: objectMapping.scope === null ? null : structuredClone(objectMapping.scope),
    sourceObjectName: objectMapping.sourceObjectName,
    targetObjectName: objectMapping.targetObjectName,
  };
}

/** Render a (resolved) model as a Graph synchronizationSchema document. */
export function renderSynchronizationSchema(model: ProvisioningModel): GraphSynchronizationSchema {
  const rule: GraphSynchronizationRule = {
    id: model.rule.id,
    name: model.rule.name,
    containerFilter: model.rule.containerFilter === null ? null : structuredClone(model.rule.containerFilter),
    editable: model.rule.editable,
    groupFilter: model.rule.groupFilter === null ? null : structuredClone(model.rule.groupFilter),
    metadata: model.rule.metadata.map((entry) => ({ ...entry })),
    objectMappings: [renderObjectMapping(model.users), renderObjectMapping(model.groups)],
    priority: model.rule.priority,
    sourceDirectoryName: model.sourceDirectory.name,
    targetDirectoryName: model.targetDirectory.name,
  };
  return {
    ...(model.schemaId === undefined ? {} : { id: model.schemaId }),
    directories: [structuredClone(model.sourceDirectory), structuredClone(model.targetDirectory)],
    synchronizationRules: [rule],
    version: model.version,
  };
}

/** The Graph schema document for an environment, from the shipped mappings. */
export function buildSynchronizationSchema(environment: Environment | string = 'local'): GraphSynchronizationSchema {
  const env = typeof environment === 'string' ? getEnvironment(environment) : environment;
  return renderSynchronizationSchema(resolveModel(provisioningModel, env.parameters));
}

/** Keys that lead their object (what a reviewer looks for first); the rest follow alphabetically. */
const LEADING_KEYS = ['id', 'name', 'targetAttributeName', 'key'];

function canonicalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalize);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => {
    const ia = LEADING_KEYS.indexOf(a);
    const ib = LEADING_KEYS.indexOf(b);
    if (ia !== -1 || ib !== -1) return (ia === -1 ? LEADING_KEYS.length : ia) - (ib === -1 ? LEADING_KEYS.length : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return Object.fromEntries(entries.map(([k, v]) => [k, canonicalize(v)]));
}

/** Canonical JSON text: fixed key order, two-space indent, trailing newline. Same input → same bytes. */
export function serializeSchema(schema: GraphSynchronizationSchema | unknown): string {
  return `${JSON.stringify(canonicalize(schema), null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Import

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function field<T>(object: Json, key: string, where: string, check: (v: unknown) => v is T, expected: string, fallback?: T): T {
  const value = object[key];
  if (value === undefined && fallback !== undefined) return fallback;
  if (!check(value)) throw new SchemaImportError(`${where}.${key}`, `expected ${expected}, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isStringOrNull = (v: unknown): v is string | null => typeof v === 'string' || v === null;
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
const isObjectOrNull = (v: unknown): v is Json | null => v === null || isObject(v);

function keyValues(object: Json, key: string, where: string): KeyValue[] {
  return field(object, key, where, isArray, 'an array', []).map((entry, index) => {
    const at = `${where}.${key}[${index}]`;
    if (!isObject(entry)) throw new SchemaImportError(at, 'expected {key, value}');
    return { key: field(entry, 'key', at, isString, 'a string'), value: field(entry, 'value', at, isStringOrNull, 'a string or null', null) };
  });
}

function importAttributeDefinition(raw: unknown, where: string): GraphAttributeDefinition {
  if (!isObject(raw)) throw new SchemaImportError(where, 'expected an attributeDefinition object');
  return {
    name: field(raw, 'name', where, isString, 'a string'),
    anchor: field(raw, 'anchor', where, isBoolean, 'true or false', false),
    apiExpressions: keyValues(raw, 'apiExpressions', where),
    caseExact: field(raw, 'caseExact', where, isBoolean, 'true or false', false),
    defaultValue: field(raw, 'defaultValue', where, isStringOrNull, 'a string or null', null),
    flowNullValues: field(raw, 'flowNullValues', where, isBoolean, 'true or false', false),
    metadata: keyValues(raw, 'metadata', where),
    multivalued: field(raw, 'multivalued', where, isBoolean, 'true or false', false),
    mutability: field(raw, 'mutability', where, (v): v is GraphAttributeDefinition['mutability'] =>
      v === 'ReadWrite' || v === 'ReadOnly' || v === 'Immutable' || v === 'WriteOnly', 'ReadWrite, ReadOnly, Immutable or WriteOnly', 'ReadWrite'),
    referencedObjects: field(raw, 'referencedObjects', where, isArray, 'an array', []).map((ref, index) => {
      const at = `${where}.referencedObjects[${index}]`;
      if (!isObject(ref)) throw new SchemaImportError(at, 'expected {referencedObjectName, referencedProperty}');
      return {
        referencedObjectName: field(ref, 'referencedObjectName', at, isStringOrNull, 'a string or null', null),
        referencedProperty: field(ref, 'referencedProperty', at, isStringOrNull, 'a string or null', null),
      };
    }),
    required: field(raw, 'required', where, isBoolean, 'true or false', false),
    type: field(raw, 'type', where, (v): v is GraphAttributeDefinition['type'] =>
      ['String', 'Integer', 'Reference', 'Binary', 'Boolean', 'DateTime'].includes(v as string), 'an attributeType', 'String'),
  };
}

function importDirectory(raw: unknown, where: string): GraphDirectoryDefinition {
  if (!isObject(raw)) throw new SchemaImportError(where, 'expected a directoryDefinition object');
  return {
    id: field(raw, 'id', where, isString, 'a string'),
    name: field(raw, 'name', where, isString, 'a string'),
    discoverabilities: field(raw, 'discoverabilities', where, isString, 'a string', 'None'),
    discoveryDateTime: field(raw, 'discoveryDateTime', where, isStringOrNull, 'a date-time or null', null),
    objects: field(raw, 'objects', where, isArray, 'an array', []).map((object, index) => {
      const at = `${where}.objects[${index}]`;
      if (!isObject(object)) throw new SchemaImportError(at, 'expected an objectDefinition object');
      return {
        name: field(object, 'name', at, isString, 'a string'),
        attributes: field(object, 'attributes', at, isArray, 'an array', []).map((a, i) => importAttributeDefinition(a, `${at}.attributes[${i}]`)),
        metadata: keyValues(object, 'metadata', at),
        supportedApis: field(object, 'supportedApis', at, (v): v is string[] => isArray(v) && v.every(isString), 'an array of strings', []),
      };
    }),
    readOnly: field(raw, 'readOnly', where, isBoolean, 'true or false', false),
    version: field(raw, 'version', where, isStringOrNull, 'a string or null', null),
  };
}

function importSource(raw: unknown, where: string): MappingSource {
  if (raw === null || raw === undefined) return { type: 'none' };
  if (!isObject(raw)) throw new SchemaImportError(where, 'expected an attributeMappingSource object or null');
  const type = field(raw, 'type', where, isString, 'Attribute, Constant or Function', 'Attribute');
  if (type === 'Attribute') return { type: 'attribute', attribute: field(raw, 'name', where, isString, 'the attribute name') };
  if (type === 'Constant') return { type: 'constant', value: field(raw, 'name', where, isString, 'the constant value') };
  if (type === 'Function') {
    const text = raw.expression;
    if (typeof text === 'string' && text.trim() !== '') return { type: 'expression', expression: text };
    // Hand-written documents may carry only the tree: rebuild the text, omitted arguments put back by key.
    try {
      return { type: 'expression', expression: formatExpression(fromGraphExpressionTree(raw as unknown as AttributeMappingSource)) };
    } catch (error) {
      throw new SchemaImportError(`${where}`, `a Function source without expression text whose tree cannot be read: ${(error as Error).message}`);
    }
  }
  throw new SchemaImportError(`${where}.type`, `expected Attribute, Constant or Function, got ${JSON.stringify(type)}`);
}

function importObjectMapping(raw: unknown, where: string): ObjectMappingModel {
  if (!isObject(raw)) throw new SchemaImportError(where, 'expected an objectMapping object');
  const mappings = field(raw, 'attributeMappings', where, isArray, 'an array', []).map((entry, index): AttributeMapping => {
    const at = `${where}.attributeMappings[${index}]`;
    if (!isObject(entry)) throw new SchemaImportError(at, 'expected an attributeMapping object');
    const matching = field(entry, 'matchingPriority', at, isNumber, 'an integer', 0);
    const defaultValue = field(entry, 'defaultValue', at, isStringOrNull, 'a string or null', null);
    const flowBehavior = field(entry, 'flowBehavior', at, (v): v is 'FlowWhenChanged' | 'FlowAlways' =>
      v === 'FlowWhenChanged' || v === 'FlowAlways', 'FlowWhenChanged or FlowAlways', 'FlowWhenChanged');
    const flowType = field(entry, 'flowType', at, (v): v is NonNullable<AttributeMapping['flowType']> =>
      ['Always', 'ObjectAddOnly', 'MultiValueAddOnly', 'ValueAddOnly', 'AttributeAddOnly'].includes(v as string),
      'Always, ObjectAddOnly, MultiValueAddOnly, ValueAddOnly or AttributeAddOnly', 'Always');
    return {
      target: field(entry, 'targetAttributeName', at, isString, 'a string'),
      source: importSource(entry.source, `${at}.source`),
      ...(matching === 0 ? {} : { matchingPrecedence: matching }),
      ...(flowBehavior === 'FlowWhenChanged' ? {} : { flowBehavior }),
      ...(flowType === 'Always' ? {} : { flowType }),
      ...(defaultValue === null ? {} : { defaultValue }),
    };
  });
  return {
    name: field(raw, 'name', where, isString, 'a string'),
    enabled: field(raw, 'enabled', where, isBoolean, 'true or false', true),
    flowTypes: field(raw, 'flowTypes', where, isString, 'a string such as "Add, Update, Delete"', 'Add, Update, Delete'),
    sourceObjectName: field(raw, 'sourceObjectName', where, isString, 'a string'),
    targetObjectName: field(raw, 'targetObjectName', where, isString, 'a string'),
    mappings,
    scope: field(raw, 'scope', where, isObjectOrNull, 'a filter object or null', null) as ObjectMappingModel['scope'],
    metadata: keyValues(raw, 'metadata', where),
  };
}

/**
 * Turn a synchronizationSchema downloaded from a tenant (`GET …/jobs/{id}/schema`, as text or parsed) into the
 * model, so teams can start from what they have. Supports the SCIM template's shape: one rule from
 * "Azure Active Directory" to the app's directory, with a User and a Group object mapping.
 */
export function importSynchronizationSchema(json: string | unknown): ProvisioningModel {
  let document: unknown = json;
  if (typeof json === 'string') {
    try {
      document = JSON.parse(json);
    } catch (error) {
      throw new SchemaImportError('document', `is not valid JSON (${(error as Error).message})`);
    }
  }
  if (!isObject(document)) throw new SchemaImportError('document', 'expected a synchronizationSchema object');
  const rules = field(document, 'synchronizationRules', 'document', isArray, 'an array');
  if (rules.length !== 1) {
    throw new SchemaImportError('synchronizationRules', `expected exactly one rule (the SCIM template has one), found ${rules.length}`);
  }
  const rawRule = rules[0];
  if (!isObject(rawRule)) throw new SchemaImportError('synchronizationRules[0]', 'expected a synchronizationRule object');
  const where = 'synchronizationRules[0]';
  const directories = field(document, 'directories', 'document', isArray, 'an array').map((d, i) => importDirectory(d, `directories[${i}]`));
  const sourceName = field(rawRule, 'sourceDirectoryName', where, isString, 'a string');
  const targetName = field(rawRule, 'targetDirectoryName', where, isString, 'a string');
  const findDirectory = (name: string, role: string) => {
    const found = directories.find((d) => d.name === name);
    if (!found) throw new SchemaImportError('directories', `no directory named "${name}" (the rule's ${role} directory)`);
    return found;
  };
  if (directories.length !== 2) {
    throw new SchemaImportError('directories', `expected the source and the target directory, found ${directories.length}`);
  }
  const objectMappings = field(rawRule, 'objectMappings', where, isArray, 'an array').map((m, i) => importObjectMapping(m, `${where}.objectMappings[${i}]`));
  const bySource = (name: string) => {
    const found = objectMappings.filter((m) => m.sourceObjectName === name);
    if (found.length !== 1) {
      throw new SchemaImportError(`${where}.objectMappings`, `expected one object mapping with sourceObjectName "${name}", found ${found.length}`);
    }
    return found[0]!;
  };
  if (objectMappings.length !== 2) {
    throw new SchemaImportError(`${where}.objectMappings`, `expected the User and the Group object mapping, found ${objectMappings.length}`);
  }
  const schemaId = document.id;
  return {
    ...(typeof schemaId === 'string' ? { schemaId } : {}),
    version: field(document, 'version', 'document', isStringOrNull, 'a string or null', null),
    rule: {
      id: field(rawRule, 'id', where, isString, 'a string'),
      name: field(rawRule, 'name', where, isString, 'a string'),
      priority: field(rawRule, 'priority', where, isNumber, 'an integer', 1),
      editable: field(rawRule, 'editable', where, isBoolean, 'true or false', true),
      metadata: keyValues(rawRule, 'metadata', where),
      containerFilter: field(rawRule, 'containerFilter', where, isObjectOrNull, 'an object or null', null) as ProvisioningModel['rule']['containerFilter'],
      groupFilter: field(rawRule, 'groupFilter', where, isObjectOrNull, 'an object or null', null) as ProvisioningModel['rule']['groupFilter'],
    },
    sourceDirectory: findDirectory(sourceName, 'source'),
    targetDirectory: findDirectory(targetName, 'target'),
    users: bySource('User'),
    groups: bySource('Group'),
  };
}
