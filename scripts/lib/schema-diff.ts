// A readable diff between the live synchronization schema and the one built from provisioning/:
// attribute mappings added, removed and changed, scoping filters, object mappings enabled/disabled,
// and target attributes added to or removed from the directories.
import { formatExpression, fromGraphExpressionTree } from '../../expressions/index.js';
import type { AttributeMapping, AttributeMappingSource, DirectoryDefinition, ObjectMapping, SynchronizationSchema } from './graph/types.js';

export type SchemaChange =
  | { kind: 'mapping-added'; object: string; target: string; source: string; details: Record<string, string> }
  | { kind: 'mapping-removed'; object: string; target: string; source: string }
  | { kind: 'mapping-changed'; object: string; target: string; fields: { field: string; before: string; after: string }[] }
  | { kind: 'object-mapping-added' | 'object-mapping-removed'; object: string }
  | { kind: 'object-mapping-changed'; object: string; fields: { field: string; before: string; after: string }[] }
  | { kind: 'scope-changed'; object: string; before: string; after: string }
  | { kind: 'target-attribute-added' | 'target-attribute-removed'; directory: string; objectName: string; attribute: string; type: string }
  | { kind: 'rule-added' | 'rule-removed'; rule: string };

/**
 * Canonical text of a mapping source: its expression, or the Graph tree written back as text by expressions/
 * (which puts omitted arguments back by parameter key, so `Switch([IsSoftDeleted], , …)` keeps its positions).
 */
export function sourceText(source: AttributeMappingSource | null | undefined): string {
  if (!source) return '(none)';
  if (source.expression) return source.expression;
  try {
    return formatExpression(fromGraphExpressionTree(source as Parameters<typeof fromGraphExpressionTree>[0]));
  } catch {
    switch (source.type) {
      case 'Attribute':
        return `[${source.name ?? ''}]`;
      case 'Constant':
        return `"${String(source.name ?? '').replace(/"/g, '\\"')}"`;
      default:
        return `${source.name ?? '?'}(${(source.parameters ?? []).map((p) => sourceText(p.value)).join(', ')})`;
    }
  }
}

const objectKey = (m: ObjectMapping): string => `${m.sourceObjectName} → ${m.targetObjectName}`;

const mappingFields = (m: AttributeMapping): Record<string, string> => ({
  source: sourceText(m.source),
  defaultValue: m.defaultValue ?? '',
  matchingPriority: String(m.matchingPriority ?? 0),
  flowType: m.flowType ?? 'Always',
  flowBehavior: m.flowBehavior ?? 'FlowWhenChanged',
});

function changedFields(before: Record<string, string>, after: Record<string, string>): { field: string; before: string; after: string }[] {
  return Object.keys({ ...before, ...after })
    .filter((k) => (before[k] ?? '') !== (after[k] ?? ''))
    .map((field) => ({ field, before: before[field] ?? '', after: after[field] ?? '' }));
}

function scopeText(m: ObjectMapping): string {
  const groups = m.scope?.groups ?? [];
  if (!groups.length) return '(all objects)';
  return groups
    .map((g) => (g.clauses ?? []).map((c) => `${c.sourceOperandName} ${c.operatorName}${c.targetOperand?.values?.length ? ` ${c.targetOperand.values.map((v) => JSON.stringify(v)).join(',')}` : ''}`).join(' AND '))
    .map((t) => `(${t})`)
    .join(' OR ');
}

function attributes(dirs: DirectoryDefinition[]): Map<string, { directory: string; objectName: string; attribute: string; type: string }> {
  const out = new Map<string, { directory: string; objectName: string; attribute: string; type: string }>();
  for (const d of dirs ?? []) for (const o of d.objects ?? []) for (const a of o.attributes ?? []) out.set(`${d.name}\u0000${o.name}\u0000${a.name}`, { directory: d.name, objectName: o.name, attribute: a.name, type: a.type ?? 'String' });
  return out;
}

export function diffSchemas(live: SynchronizationSchema, desired: SynchronizationSchema): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const liveRules = new Map((live.synchronizationRules ?? []).map((r) => [r.id, r]));
  const desiredRules = new Map((desired.synchronizationRules ?? []).map((r) => [r.id, r]));
  for (const id of liveRules.keys()) if (!desiredRules.has(id)) changes.push({ kind: 'rule-removed', rule: liveRules.get(id)!.name ?? id });
  for (const [id, rule] of desiredRules) {
    const before = liveRules.get(id);
    if (!before) {
      changes.push({ kind: 'rule-added', rule: rule.name ?? id });
      continue;
    }
    const liveObjects = new Map(before.objectMappings.map((m) => [objectKey(m), m]));
    const desiredObjects = new Map(rule.objectMappings.map((m) => [objectKey(m), m]));
    for (const key of liveObjects.keys()) if (!desiredObjects.has(key)) changes.push({ kind: 'object-mapping-removed', object: key });
    for (const [key, m] of desiredObjects) {
      const old = liveObjects.get(key);
      if (!old) {
        changes.push({ kind: 'object-mapping-added', object: key });
        continue;
      }
      const objectFields = changedFields({ enabled: String(old.enabled ?? true), flowTypes: old.flowTypes ?? '' }, { enabled: String(m.enabled ?? true), flowTypes: m.flowTypes ?? '' });
      if (objectFields.length) changes.push({ kind: 'object-mapping-changed', object: key, fields: objectFields });
      const beforeScope = scopeText(old);
      const afterScope = scopeText(m);
      if (beforeScope !== afterScope) changes.push({ kind: 'scope-changed', object: key, before: beforeScope, after: afterScope });
      const oldMappings = new Map(old.attributeMappings.map((a) => [a.targetAttributeName, a]));
      const newMappings = new Map(m.attributeMappings.map((a) => [a.targetAttributeName, a]));
      for (const [target, a] of oldMappings) if (!newMappings.has(target)) changes.push({ kind: 'mapping-removed', object: key, target, source: sourceText(a.source) });
      for (const [target, a] of newMappings) {
        const prev = oldMappings.get(target);
        if (!prev) {
          const fields = mappingFields(a);
          const { source, ...rest } = fields;
          const details = Object.fromEntries(Object.entries(rest).filter(([k, v]) => v !== mappingFields({ targetAttributeName: '' })[k]));
          changes.push({ kind: 'mapping-added', object: key, target, source, details });
          continue;
        }
        const fields = changedFields(mappingFields(prev), mappingFields(a));
        if (fields.length) changes.push({ kind: 'mapping-changed', object: key, target, fields });
      }
    }
  }
  const before = attributes(live.directories);
  const after = attributes(desired.directories);
  for (const [k, a] of after) if (!before.has(k)) changes.push({ kind: 'target-attribute-added', ...a });
  for (const [k, a] of before) if (!after.has(k)) changes.push({ kind: 'target-attribute-removed', ...a });
  return changes;
}

/** Whether the change re-evaluates every object (mappings or scope); such changes want a restart. */
export function needsFullCycle(changes: SchemaChange[]): boolean {
  return changes.some((c) => c.kind !== 'target-attribute-added' && c.kind !== 'target-attribute-removed');
}

export function formatChanges(changes: SchemaChange[]): string[] {
  if (!changes.length) return ['No changes: the live schema already matches provisioning/.'];
  const lines: string[] = [];
  const byObject = new Map<string, SchemaChange[]>();
  const other: SchemaChange[] = [];
  for (const c of changes) {
    if ('object' in c) {
      const list = byObject.get(c.object) ?? [];
      list.push(c);
      byObject.set(c.object, list);
    } else other.push(c);
  }
  for (const [object, list] of byObject) {
    lines.push(`${object}`);
    for (const c of list) {
      switch (c.kind) {
        case 'mapping-added':
          lines.push(`  + ${c.target} ← ${c.source}${Object.keys(c.details).length ? `  (${Object.entries(c.details).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`);
          break;
        case 'mapping-removed':
          lines.push(`  - ${c.target} ← ${c.source}`);
          break;
        case 'mapping-changed':
          lines.push(`  ~ ${c.target}`);
          for (const f of c.fields) lines.push(`      ${f.field}: ${f.before || '(empty)'}  →  ${f.after || '(empty)'}`);
          break;
        case 'scope-changed':
          lines.push(`  ~ scoping filter: ${c.before}  →  ${c.after}`);
          break;
        case 'object-mapping-added':
          lines.push('  + object mapping added');
          break;
        case 'object-mapping-removed':
          lines.push('  - object mapping removed');
          break;
        case 'object-mapping-changed':
          for (const f of c.fields) lines.push(`  ~ ${f.field}: ${f.before}  →  ${f.after}`);
          break;
      }
    }
  }
  for (const c of other) {
    const side = (d: string): string => (d === 'Azure Active Directory' ? 'source' : 'target');
    if (c.kind === 'target-attribute-added') lines.push(`+ ${side(c.directory)} attribute ${c.directory} / ${c.objectName}: ${c.attribute} (${c.type})`);
    else if (c.kind === 'target-attribute-removed') lines.push(`- ${side(c.directory)} attribute ${c.directory} / ${c.objectName}: ${c.attribute} (${c.type})`);
    else if (c.kind === 'rule-added') lines.push(`+ synchronization rule ${c.rule}`);
    else if (c.kind === 'rule-removed') lines.push(`- synchronization rule ${c.rule}`);
  }
  const counts = {
    added: changes.filter((c) => c.kind === 'mapping-added').length,
    removed: changes.filter((c) => c.kind === 'mapping-removed').length,
    changed: changes.filter((c) => c.kind === 'mapping-changed').length,
  };
  lines.push('', `${counts.added} mapping(s) added, ${counts.removed} removed, ${counts.changed} changed; ${changes.length} change(s) in all.`);
  return lines;
}
