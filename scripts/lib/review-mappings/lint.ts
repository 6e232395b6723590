// Findings about the head revision: what would fail or surprise in Entra, found before a provisioning cycle.
import { parseExpression, referencedAttributes } from '../../../expressions/index.js';
import { compileMappings, effectiveRoleAssignments, sourceText, type DirectoryPreview, type ObjectMappingModel } from '../../../provisioning/index.js';
import type { Snapshot } from './snapshot.js';

export type Severity = 'error' | 'warning';

export interface Finding {
  severity: Severity;
  code:
    | 'revision-load-failed'
    | 'expression-does-not-parse'
    | 'target-not-in-schema'
    | 'source-attribute-unknown'
    | 'duplicate-target'
    | 'no-matching-attribute'
    | 'duplicate-matching-precedence'
    | 'required-target-unmapped'
    | 'required-target-empty'
    | 'matching-attribute-empty'
    | 'escrow'
    | 'evaluation-error'
    | 'role-rule-violated';
  object?: 'User' | 'Group';
  target?: string;
  message: string;
}

const list = (items: string[], max = 5) => (items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`);

function lintObjectMapping(snapshot: Snapshot, object: 'User' | 'Group', mapping: ObjectMappingModel, findings: Finding[]) {
  const model = snapshot.model!;
  const targetObject = model.targetDirectory.objects.find((o) => o.name === mapping.targetObjectName);
  const sourceObject = model.sourceDirectory.objects.find((o) => o.name === mapping.sourceObjectName);
  const targetNames = new Set(targetObject?.attributes.map((a) => a.name) ?? []);
  // Source attribute names are case-insensitive in Entra's engine.
  const sourceNames = new Set(sourceObject?.attributes.map((a) => a.name.toLowerCase()) ?? []);
  const seen = new Set<string>();
  for (const compiled of compileMappings(mapping, model.targetDirectory)) {
    const { target } = compiled.mapping;
    if (seen.has(target)) findings.push({ severity: 'error', code: 'duplicate-target', object, target, message: `\`${target}\` is mapped more than once; Entra keeps one mapping per target attribute.` });
    seen.add(target);
    if (!targetNames.has(target)) {
      findings.push({
        severity: 'error',
        code: 'target-not-in-schema',
        object,
        target,
        message: `\`${target}\` is not an attribute of ${mapping.targetObjectName} in the ${model.targetDirectory.name} directory; add it to the target schema or fix the name.`,
      });
    }
    if (compiled.error !== undefined) {
      findings.push({ severity: 'error', code: 'expression-does-not-parse', object, target, message: `\`${sourceText(compiled.mapping.source)}\`: ${compiled.error}` });
      continue;
    }
    const text = sourceText(compiled.mapping.source);
    if (text === null) continue;
    const unknown = [...new Set(referencedAttributes(parseExpression(text)))].filter((name) => !sourceNames.has(name.toLowerCase()));
    for (const name of unknown) {
      findings.push({
        severity: 'warning',
        code: 'source-attribute-unknown',
        object,
        target,
        message: `\`[${name}]\` is not an attribute of ${mapping.sourceObjectName} in the source directory; it will always be empty.`,
      });
    }
  }
  if (!mapping.enabled) return;
  const matching = mapping.mappings.filter((m) => (m.matchingPrecedence ?? 0) > 0);
  if (matching.length === 0) {
    findings.push({
      severity: 'error',
      code: 'no-matching-attribute',
      object,
      message: `No ${object.toLowerCase()} mapping is a matching attribute; Entra cannot find existing ${object.toLowerCase()}s in the app. Set matchingPrecedence: 1 on one mapping.`,
    });
  }
  const precedences = matching.map((m) => m.matchingPrecedence!);
  const duplicates = precedences.filter((p, i) => precedences.indexOf(p) !== i);
  for (const p of new Set(duplicates)) {
    findings.push({ severity: 'warning', code: 'duplicate-matching-precedence', object, message: `More than one mapping has matching precedence ${p}.` });
  }
  for (const attribute of targetObject?.attributes ?? []) {
    if (attribute.required && !mapping.mappings.some((m) => m.target === attribute.name)) {
      findings.push({ severity: 'error', code: 'required-target-unmapped', object, target: attribute.name, message: `\`${attribute.name}\` is required by the app but nothing maps to it.` });
    }
  }
}

function lintPreview(snapshot: Snapshot, preview: DirectoryPreview, findings: Finding[]) {
  const compileErrors = new Set<string>();
  for (const [object, mapping] of [['User', snapshot.model!.users], ['Group', snapshot.model!.groups]] as const) {
    for (const c of compileMappings(mapping, snapshot.model!.targetDirectory)) if (c.error !== undefined) compileErrors.add(`${object}|${c.mapping.target}`);
  }
  const grouped = new Map<string, { finding: Omit<Finding, 'message'>; what: string; objects: string[] }>();
  const add = (finding: Omit<Finding, 'message'>, what: string, label: string) => {
    const key = `${finding.code}|${finding.object}|${finding.target ?? ''}|${what}`;
    const entry = grouped.get(key) ?? { finding, what, objects: [] };
    entry.objects.push(label);
    grouped.set(key, entry);
  };
  for (const item of [...preview.users, ...preview.groups]) {
    if (!item.inScope) continue;
    for (const problem of item.problems) {
      const base = { object: item.objectType, ...(problem.target ? { target: problem.target } : {}) };
      if (problem.kind === 'required-empty') add({ severity: 'error', code: 'required-target-empty', ...base }, `\`${problem.target}\` is required by the app but empty`, item.label);
      else if (problem.kind === 'matching-empty') add({ severity: 'error', code: 'matching-attribute-empty', ...base }, problem.message, item.label);
      else if (problem.kind === 'escrow') add({ severity: 'error', code: 'escrow', ...base }, `Entra would escrow the object: ${problem.message}`, item.label);
      else if (!compileErrors.has(`${item.objectType}|${problem.target}`)) add({ severity: 'error', code: 'evaluation-error', ...base }, problem.message, item.label);
    }
  }
  for (const { finding, what, objects } of grouped.values()) {
    findings.push({ ...finding, message: `${what} for ${objects.length} sample ${finding.object === 'Group' ? 'group' : 'user'}${objects.length === 1 ? '' : 's'}: ${list(objects)}` } as Finding);
  }
}

/** SignPath: a user may hold only one global role besides Regular User; more makes provisioning fail. */
function lintRoles(snapshot: Snapshot, findings: Finding[]) {
  const sample = snapshot.sample!;
  const exclusive = new Set(snapshot.exclusiveGlobalRoles);
  if (exclusive.size === 0) return;
  for (const user of sample.users) {
    const roles = [...new Set(effectiveRoleAssignments(sample, user.id).map((a) => a.appRoleValue))].filter((r) => exclusive.has(r));
    if (roles.length > 1) {
      const via = effectiveRoleAssignments(sample, user.id)
        .filter((a) => exclusive.has(a.appRoleValue))
        .map((a) => `${a.appRoleValue} (${a.viaGroup ? `via ${a.viaGroup}` : 'direct'})`);
      findings.push({
        severity: 'error',
        code: 'role-rule-violated',
        object: 'User',
        message: `${user.userPrincipalName} holds ${roles.length} exclusive global roles: ${via.join(', ')}; the app accepts one. Remove an assignment or a group membership.`,
      });
    }
  }
}

export function lint(snapshot: Snapshot, preview: DirectoryPreview | null): Finding[] {
  const findings: Finding[] = snapshot.errors.map((message) => ({ severity: 'error' as const, code: 'revision-load-failed' as const, message }));
  if (snapshot.model) {
    lintObjectMapping(snapshot, 'User', snapshot.model.users, findings);
    lintObjectMapping(snapshot, 'Group', snapshot.model.groups, findings);
  }
  if (preview) lintPreview(snapshot, preview, findings);
  if (snapshot.sample) lintRoles(snapshot, findings);
  return findings;
}
