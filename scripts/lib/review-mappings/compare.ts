// What changed between two revisions: the attribute mappings, and the SCIM payload of every sample object.
import { createTwoFilesPatch } from 'diff';
import { previewDirectory, sourceText, withExtensionAppId, type AttributeMapping, type DirectoryPreview, type ObjectPreview } from '../../../provisioning/index.js';
import type { Snapshot } from './snapshot.js';

export interface MappingChange {
  object: 'User' | 'Group';
  target: string;
  change: 'added' | 'removed' | 'changed';
  /** Source text before/after, e.g. `[mail]`, `Join(" ", [givenName], [surname])`; null when absent. */
  before: string | null;
  after: string | null;
  /** Other settings before/after, e.g. `matching 1, default "x"` (empty when all are defaults). */
  beforeSettings: string;
  afterSettings: string;
  /** The fields that changed (changed only): source, matchingPrecedence, flowType, flowBehavior, defaultValue. */
  fields: string[];
}

export function mappingSettings(mapping: AttributeMapping): string {
  return [
    mapping.matchingPrecedence ? `matching ${mapping.matchingPrecedence}` : '',
    mapping.flowType && mapping.flowType !== 'Always' ? `apply ${mapping.flowType}` : '',
    mapping.flowBehavior && mapping.flowBehavior !== 'FlowWhenChanged' ? mapping.flowBehavior : '',
    mapping.defaultValue !== undefined ? `default ${JSON.stringify(mapping.defaultValue)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

const text = (m: AttributeMapping) => sourceText(m.source) ?? '(none)';

const fieldsOf = (m: AttributeMapping): Record<string, string> => ({
  source: sourceText(m.source) ?? '(none)',
  matchingPrecedence: String(m.matchingPrecedence ?? 0),
  flowType: m.flowType ?? 'Always',
  flowBehavior: m.flowBehavior ?? 'FlowWhenChanged',
  defaultValue: m.defaultValue ?? '',
});

export function mappingChanges(base: Snapshot, head: Snapshot): MappingChange[] {
  const changes: MappingChange[] = [];
  for (const object of ['User', 'Group'] as const) {
    const pick = (s: Snapshot) => (s.model ? (object === 'User' ? s.model.users.mappings : s.model.groups.mappings) : []);
    const before = new Map(pick(base).map((m) => [m.target, m]));
    const after = new Map(pick(head).map((m) => [m.target, m]));
    for (const [target, mapping] of after) {
      const old = before.get(target);
      if (!old) {
        changes.push({ object, target, change: 'added', before: null, after: text(mapping), beforeSettings: '', afterSettings: mappingSettings(mapping), fields: [] });
        continue;
      }
      const a = fieldsOf(old);
      const b = fieldsOf(mapping);
      const fields = Object.keys(a).filter((k) => a[k] !== b[k]);
      if (fields.length > 0) {
        changes.push({
          object,
          target,
          change: 'changed',
          before: text(old),
          after: text(mapping),
          beforeSettings: mappingSettings(old),
          afterSettings: mappingSettings(mapping),
          fields,
        });
      }
    }
    for (const [target, mapping] of before) {
      if (!after.has(target)) changes.push({ object, target, change: 'removed', before: text(mapping), after: null, beforeSettings: mappingSettings(mapping), afterSettings: '', fields: [] });
    }
  }
  return changes;
}

export interface ObjectChange {
  objectType: 'User' | 'Group';
  id: string;
  label: string;
  status: 'unchanged' | 'changed' | 'added' | 'removed';
  before: ObjectPreview | null;
  after: ObjectPreview | null;
  /** Unified diff of the payload text (empty when unchanged). */
  diff: string;
}

export function previewSnapshot(snapshot: Snapshot): DirectoryPreview | null {
  if (!snapshot.model || !snapshot.sample) return null;
  // The sample is tenant-neutral: give its extension attributes the environment's extension app id.
  const appId = snapshot.parameters?.extensionAppId;
  const sample = typeof appId === 'string' && /^[0-9a-f]{32}$/.test(appId) ? withExtensionAppId(snapshot.sample, appId) : snapshot.sample;
  return previewDirectory(snapshot.model, sample, snapshot.appRoles);
}

function payloadText(preview: ObjectPreview | null): string {
  if (!preview) return '(not in the sample directory)\n';
  if (!preview.inScope) return `(not provisioned: ${preview.outOfScopeReason ?? 'out of scope'})\n`;
  if (!preview.payload) return `(not provisioned: ${preview.problems.map((p) => p.message).join('; ') || 'escrowed'})\n`;
  return `${JSON.stringify(preview.payload, null, 2)}\n`;
}

export function objectChanges(base: DirectoryPreview | null, head: DirectoryPreview | null): ObjectChange[] {
  const changes: ObjectChange[] = [];
  for (const objectType of ['User', 'Group'] as const) {
    const list = (p: DirectoryPreview | null) => (p ? (objectType === 'User' ? p.users : p.groups) : []);
    const before = new Map(list(base).map((o) => [o.id.toLowerCase(), o]));
    const after = new Map(list(head).map((o) => [o.id.toLowerCase(), o]));
    const ids = [...new Set([...after.keys(), ...before.keys()])];
    for (const id of ids) {
      const old = before.get(id) ?? null;
      const now = after.get(id) ?? null;
      const oldText = payloadText(old);
      const newText = payloadText(now);
      const provisionedBefore = Boolean(old?.payload);
      const provisionedAfter = Boolean(now?.payload);
      const status: ObjectChange['status'] =
        oldText === newText || (!provisionedBefore && !provisionedAfter) ? 'unchanged' : !provisionedBefore && provisionedAfter ? 'added' : provisionedBefore && !provisionedAfter ? 'removed' : 'changed';
      const label = (now ?? old)!.label;
      const diff =
        status === 'unchanged'
          ? ''
          : createTwoFilesPatch(`base/${label}`, `head/${label}`, oldText, newText, undefined, undefined, { context: 3 })
              .split('\n')
              .filter((line) => !line.startsWith('Index:') && !line.startsWith('====='))
              .join('\n')
              .trimEnd();
      changes.push({ objectType, id: (now ?? old)!.id, label, status, before: old, after: now, diff });
    }
  }
  return changes;
}

export interface TargetAttributeChange {
  /** Target object, e.g. the enterprise User URN. */
  objectName: string;
  attribute: string;
  change: 'added' | 'removed' | 'changed';
  before: string | null;
  after: string | null;
}

const describeAttribute = (a: { type: string; required: boolean; multivalued: boolean; anchor: boolean }) =>
  [a.type, a.required ? 'required' : '', a.multivalued ? 'multi-valued' : '', a.anchor ? 'anchor' : ''].filter(Boolean).join(', ');

/** Attributes declared in the app's (target) directory that were added, removed or retyped. */
export function targetAttributeChanges(base: Snapshot, head: Snapshot): TargetAttributeChange[] {
  const index = (s: Snapshot) =>
    new Map(
      (s.model?.targetDirectory.objects ?? []).flatMap((o) => o.attributes.map((a) => [`${o.name}\u0000${a.name}`, { objectName: o.name, attribute: a.name, text: describeAttribute(a) }] as const)),
    );
  const before = index(base);
  const after = index(head);
  const changes: TargetAttributeChange[] = [];
  for (const [key, now] of after) {
    const old = before.get(key);
    if (!old) changes.push({ objectName: now.objectName, attribute: now.attribute, change: 'added', before: null, after: now.text });
    else if (old.text !== now.text) changes.push({ objectName: now.objectName, attribute: now.attribute, change: 'changed', before: old.text, after: now.text });
  }
  for (const [key, old] of before) {
    if (!after.has(key)) changes.push({ objectName: old.objectName, attribute: old.attribute, change: 'removed', before: old.text, after: null });
  }
  return changes;
}
