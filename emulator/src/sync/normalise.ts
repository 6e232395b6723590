// Schema documents PUT by clients may omit fields; Graph fills its defaults (reference §6 steps 2–3).
import { attribute } from './template-schema.js';
import type { AttributeMapping, AttributeMappingSource, DirectoryDefinition, ObjectMapping, SynchronizationRule, SynchronizationSchema } from './schema-types.js';

type Loose<T> = Partial<T> & Record<string, unknown>;

function source(s: Loose<AttributeMappingSource> | null | undefined): AttributeMappingSource | null {
  if (!s) return null;
  return {
    type: (s.type as AttributeMappingSource['type']) ?? 'Attribute',
    name: s.name ?? null,
    expression: s.expression ?? null,
    parameters: (s.parameters ?? []).map((p) => ({ key: p.key, value: source(p.value as Loose<AttributeMappingSource>)! })),
  };
}

function attributeMapping(m: Loose<AttributeMapping>): AttributeMapping {
  return {
    targetAttributeName: String(m.targetAttributeName ?? ''),
    source: source(m.source as Loose<AttributeMappingSource> | null),
    defaultValue: m.defaultValue ?? null,
    matchingPriority: Number(m.matchingPriority ?? 0),
    flowBehavior: m.flowBehavior ?? 'FlowWhenChanged',
    flowType: m.flowType ?? 'Always',
    exportMissingReferences: m.exportMissingReferences ?? false,
  };
}

function objectMapping(o: Loose<ObjectMapping>): ObjectMapping {
  return {
    name: String(o.name ?? ''),
    enabled: o.enabled ?? true,
    flowTypes: o.flowTypes ?? 'Add, Update, Delete',
    sourceObjectName: String(o.sourceObjectName ?? ''),
    targetObjectName: String(o.targetObjectName ?? ''),
    attributeMappings: (o.attributeMappings ?? []).map((m) => attributeMapping(m as Loose<AttributeMapping>)),
    scope: o.scope
      ? { groups: o.scope.groups ?? [], inputFilterGroups: o.scope.inputFilterGroups ?? [], categoryFilterGroups: o.scope.categoryFilterGroups ?? [] }
      : null,
    metadata: o.metadata ?? [],
  };
}

function rule(r: Loose<SynchronizationRule>): SynchronizationRule {
  return {
    id: String(r.id ?? ''),
    name: String(r.name ?? ''),
    sourceDirectoryName: String(r.sourceDirectoryName ?? ''),
    targetDirectoryName: String(r.targetDirectoryName ?? ''),
    priority: Number(r.priority ?? 1),
    editable: r.editable ?? true,
    objectMappings: (r.objectMappings ?? []).map((o) => objectMapping(o as Loose<ObjectMapping>)),
    metadata: r.metadata ?? [],
    containerFilter: r.containerFilter ?? { includedContainers: [] },
    groupFilter: r.groupFilter ?? { includedGroups: [] },
  };
}

function directory(d: Loose<DirectoryDefinition>): DirectoryDefinition {
  return {
    id: String(d.id ?? ''),
    name: String(d.name ?? ''),
    objects: (d.objects ?? []).map((o) => ({
      name: String(o.name ?? ''),
      attributes: (o.attributes ?? []).map((a) => ({ ...attribute(a.name, {}), ...Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) })),
      metadata: o.metadata ?? [],
      supportedApis: o.supportedApis ?? [],
    })),
    discoverabilities: d.discoverabilities ?? 'None',
    discoveryDateTime: d.discoveryDateTime ?? null,
    readOnly: d.readOnly ?? false,
    version: d.version ?? null,
  };
}

export function normaliseSchema(input: Loose<SynchronizationSchema>, id: string, fallbackDirectories: DirectoryDefinition[]): SynchronizationSchema {
  return {
    id,
    version: String(input.version ?? 'Date:2026-01-01T00:00:00Z'),
    synchronizationRules: Array.isArray(input.synchronizationRules) ? input.synchronizationRules.map((r) => rule(r as Loose<SynchronizationRule>)) : [],
    directories: Array.isArray(input.directories) && input.directories.length > 0
      ? input.directories.map((d) => directory(d as Loose<DirectoryDefinition>))
      : fallbackDirectories,
  };
}
