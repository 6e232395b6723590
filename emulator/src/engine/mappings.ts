// A job schema compiled for the engine: each attribute mapping parsed once, classified by what its
// target is (plain value, manager reference, group members, roles), matching mappings in precedence order.
import { compile, sourceText, type CompiledExpression, type SourceObject } from '../expressions-bridge.js';
import {
  SOURCE_DIRECTORY, TARGET_DIRECTORY,
  type AttributeDefinition, type AttributeMapping, type ObjectMapping, type SynchronizationSchema,
} from '../sync/schema-types.js';
import { parseTargetPath, type TargetPath } from './scim-paths.js';
import type { SourceRecord, SourceValue } from './source-objects.js';

export type MappingKind = 'value' | 'reference' | 'members' | 'rolesPrimary' | 'rolesComplex';

export interface CompiledMapping {
  mapping: AttributeMapping;
  target: string;
  path: TargetPath;
  kind: MappingKind;
  targetType: AttributeDefinition['type'];
  attributeName: string | null;
  constant: string | null;
  expression: CompiledExpression | null;
  /** The mapping that drives `active` from IsSoftDeleted: what a disable exports. */
  drivesActive: boolean;
}

export interface CompiledObjectMapping {
  mapping: ObjectMapping;
  attributes: CompiledMapping[];
  matching: CompiledMapping[];
  flows: { add: boolean; update: boolean; delete: boolean };
}

export interface CompiledSchema {
  ruleId: string;
  users: CompiledObjectMapping | null;
  groups: CompiledObjectMapping | null;
}

export type MappingOutcome =
  | { kind: 'value'; value: SourceValue }
  | { kind: 'ignoreFlow' }
  | { kind: 'escrow'; reason: string };

function targetDefinition(schema: SynchronizationSchema, objectName: string, attribute: string): AttributeDefinition | undefined {
  const dir = schema.directories.find((d) => d.name === TARGET_DIRECTORY);
  return dir?.objects.find((o) => o.name === objectName)?.attributes.find((a) => a.name === attribute);
}

function sourceDefinition(schema: SynchronizationSchema, objectName: string, attribute: string): AttributeDefinition | undefined {
  const dir = schema.directories.find((d) => d.name === SOURCE_DIRECTORY);
  return dir?.objects.find((o) => o.name === objectName)?.attributes.find((a) => a.name === attribute);
}

function compileObjectMapping(schema: SynchronizationSchema, om: ObjectMapping): CompiledObjectMapping {
  const attributes = om.attributeMappings.map((m): CompiledMapping => {
    const path = parseTargetPath(m.targetAttributeName);
    const def = targetDefinition(schema, om.targetObjectName, m.targetAttributeName);
    const src = m.source;
    const srcDef = src?.type === 'Attribute' && src.name ? sourceDefinition(schema, om.sourceObjectName, src.name) : undefined;
    const isReference = def?.type === 'Reference' || srcDef?.type === 'Reference';
    const multivalued = def?.multivalued ?? srcDef?.multivalued ?? false;
    let kind: MappingKind = 'value';
    if (isReference) kind = multivalued ? 'members' : 'reference';
    else if (path.attribute.toLowerCase() === 'roles' && !path.schema) kind = path.selector ? 'rolesPrimary' : 'rolesComplex';
    const text = src ? sourceText(src) : null;
    return {
      mapping: m,
      target: m.targetAttributeName,
      path,
      kind,
      targetType: def?.type ?? 'String',
      attributeName: src?.type === 'Attribute' ? (src.name ?? null) : null,
      constant: src?.type === 'Constant' ? (src.name ?? '') : null,
      expression: src?.type === 'Function' && text ? compile(text) : null,
      drivesActive: path.attribute === 'active' && !path.schema && !!text && /\[IsSoftDeleted\]/i.test(text),
    };
  });
  const flows = om.flowTypes.split(',').map((s) => s.trim().toLowerCase());
  return {
    mapping: om,
    attributes,
    matching: attributes.filter((a) => a.mapping.matchingPriority > 0).sort((a, b) => a.mapping.matchingPriority - b.mapping.matchingPriority),
    flows: { add: flows.includes('add'), update: flows.includes('update'), delete: flows.includes('delete') },
  };
}

export function compileSchema(schema: SynchronizationSchema): CompiledSchema {
  const rule = schema.synchronizationRules[0];
  const find = (name: string): CompiledObjectMapping | null => {
    const om = rule?.objectMappings.find((o) => o.sourceObjectName === name && o.enabled);
    return om ? compileObjectMapping(schema, om) : null;
  };
  return { ruleId: rule?.id ?? '', users: find('User'), groups: find('Group') };
}

export function evaluateMapping(m: CompiledMapping, source: SourceRecord): MappingOutcome {
  if (m.attributeName !== null) return { kind: 'value', value: source[m.attributeName] ?? null };
  if (m.constant !== null) return { kind: 'value', value: m.constant };
  if (!m.expression) return { kind: 'value', value: null };
  const result = m.expression.evaluate(source as SourceObject);
  if (result.kind === 'value') return { kind: 'value', value: result.value ?? null };
  if (result.kind === 'ignoreFlow') return { kind: 'ignoreFlow' };
  return { kind: 'escrow', reason: result.reason };
}
