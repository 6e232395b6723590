/**
 * What Entra would send: evaluate a (resolved) model's mappings for the sample directory and build the
 * SCIM payload of each in-scope user and group, as Entra's SCIM client does on creation (POST).
 * Used by review-mappings (PR previews) and the evaluation benchmark. One simplification: the manager
 * reference is shown in the payload, while Entra sends it in a PATCH once both users exist.
 * Path rules: mapping-expressions.md §6; extension URNs: graph-synchronization.md §6.
 */
import {
  compileExpression,
  ExpressionEvaluationError,
  ExpressionSyntaxError,
  type AppRoleAssignmentValue,
  type CompiledExpression,
  type EvaluationResult,
  type SourceObject,
  type Value,
} from '../expressions/index.js';
import { appRoles } from './app-roles.js';
import type { GraphAttributeDefinition, GraphDirectoryDefinition } from './graph-types.js';
import { evaluateScopingFilter } from './scoping.js';
import type { AttributeMapping, ObjectMappingModel, ProvisioningModel } from './model.js';
import { sourceText } from './model.js';
import { effectiveRoleAssignments, isGroupAssigned, type SampleDirectory, type SampleGroup, type SampleUser } from './sample-directory.js';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export type PreviewProblemKind = 'expression' | 'escrow' | 'required-empty' | 'matching-empty';

export interface PreviewProblem {
  kind: PreviewProblemKind;
  target?: string;
  message: string;
}

export interface ObjectPreview {
  objectType: 'User' | 'Group';
  id: string;
  /** userPrincipalName or group displayName. */
  label: string;
  inScope: boolean;
  /** Why Entra would not provision the object (not assigned, nested group…). */
  outOfScopeReason?: string;
  /** The SCIM resource Entra would POST; null when out of scope or escrowed. */
  payload: Record<string, unknown> | null;
  problems: PreviewProblem[];
}

export interface DirectoryPreview {
  users: ObjectPreview[];
  groups: ObjectPreview[];
}

type RoleDefinition = { id: string; value: string; displayName: string };

/** Entra's view of a user: Graph properties renamed to provisioning attribute names plus virtual attributes. */
export function userSourceObject(directory: SampleDirectory, user: SampleUser, roles: readonly RoleDefinition[] = appRoles): SourceObject {
  const assignments = effectiveRoleAssignments(directory, user.id);
  const roleAssignments: AppRoleAssignmentValue[] = assignments.map((assignment) => {
    const role = roles.find((r) => r.value === assignment.appRoleValue);
    return { id: role?.id ?? assignment.appRoleValue, value: assignment.appRoleValue, displayName: role?.displayName ?? assignment.appRoleValue };
  });
  const source: Record<string, Value> = {
    objectId: user.id,
    userPrincipalName: user.userPrincipalName,
    accountEnabled: user.accountEnabled ? 'True' : 'False',
    // IsSoftDeleted: unassigned, out of scope, soft-deleted or disabled (mapping-expressions.md §2).
    IsSoftDeleted: !user.accountEnabled || assignments.length === 0 ? 'True' : 'False',
    appRoleAssignments: roleAssignments,
  };
  const renamed: Record<string, string> = {
    mobilePhone: 'mobile',
    officeLocation: 'physicalDeliveryOfficeName',
  };
  for (const [key, value] of Object.entries(user)) {
    if (key === 'id' || key === 'userPrincipalName' || key === 'accountEnabled' || value === undefined) continue;
    if (key === 'businessPhones') {
      const phones = value as string[];
      if (phones.length > 0) source.telephoneNumber = phones[0]!;
      continue;
    }
    source[renamed[key] ?? key] = value as string;
  }
  return source;
}

export function groupSourceObject(directory: SampleDirectory, group: SampleGroup, roles: readonly RoleDefinition[] = appRoles): SourceObject {
  const assigned = directory.appRoleAssignments.filter((a) => a.principalId.toLowerCase() === group.id.toLowerCase());
  const source: Record<string, Value> = {
    objectId: group.id,
    displayName: group.displayName,
    IsSoftDeleted: assigned.length === 0 ? 'True' : 'False',
    members: [...group.members],
    appRoleAssignments: assigned.map((a) => {
      const role = roles.find((r) => r.value === a.appRoleValue);
      return { id: role?.id ?? a.appRoleValue, value: a.appRoleValue, displayName: role?.displayName ?? a.appRoleValue };
    }),
  };
  if (group.mailNickname !== undefined) source.mailNickname = group.mailNickname;
  if (group.description !== undefined) source.description = group.description;
  return source;
}

/** A mapping made ready to evaluate: compiled once, evaluated for many objects. */
export interface CompiledMapping {
  mapping: AttributeMapping;
  definition: GraphAttributeDefinition | undefined;
  compiled: CompiledExpression | null;
  /** Why the source could not be compiled (syntax or unknown function). */
  error?: string;
}

export function compileMappings(objectMapping: ObjectMappingModel, target: GraphDirectoryDefinition): CompiledMapping[] {
  const definitions = target.objects.find((o) => o.name === objectMapping.targetObjectName)?.attributes ?? [];
  return objectMapping.mappings.map((mapping) => {
    const definition = definitions.find((d) => d.name === mapping.target);
    const text = sourceText(mapping.source);
    if (text === null) return { mapping, definition, compiled: null };
    try {
      return { mapping, definition, compiled: compileExpression(text) };
    } catch (error) {
      return { mapping, definition, compiled: null, error: describeError(error) };
    }
  });
}

export function describeError(error: unknown): string {
  if (error instanceof ExpressionSyntaxError) return `${error.reason} at line ${error.line}, column ${error.column}`;
  if (error instanceof ExpressionEvaluationError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Values of the target attributes for one object (null = not exported), with problems found on the way. */
export function evaluateObject(
  mappings: readonly CompiledMapping[],
  source: SourceObject,
  options: { now?: () => Date } = {},
): { values: Map<string, Value>; problems: PreviewProblem[]; escrowed: boolean } {
  const values = new Map<string, Value>();
  const problems: PreviewProblem[] = [];
  let escrowed = false;
  // A fixed clock and seeded random source keep previews of Now()/Guid()/RandomString() stable between runs.
  const evaluateOptions = { now: options.now ?? (() => new Date('2026-01-01T00:00:00Z')), random: seededRandom(1) };
  for (const { mapping, compiled, error } of mappings) {
    if (error !== undefined) {
      problems.push({ kind: 'expression', target: mapping.target, message: error });
      continue;
    }
    let result: EvaluationResult = { kind: 'value', value: null };
    if (compiled) {
      try {
        result = compiled.evaluate(source, evaluateOptions);
      } catch (caught) {
        problems.push({ kind: 'expression', target: mapping.target, message: describeError(caught) });
        continue;
      }
    }
    if (result.kind === 'ignoreFlow') continue;
    if (result.kind === 'escrow') {
      escrowed = true;
      problems.push({ kind: 'escrow', target: mapping.target, message: result.reason });
      continue;
    }
    let value = result.value;
    // defaultValue applies when the source is null (not ""), on creation, which is what a preview shows.
    if (value === null && mapping.defaultValue !== undefined) value = mapping.defaultValue;
    if (value !== null) values.set(mapping.target, value);
  }
  return { values, problems, escrowed };
}

function checkRequiredAndMatching(mappings: readonly CompiledMapping[], values: Map<string, Value>, problems: PreviewProblem[]) {
  for (const { mapping, definition } of mappings) {
    if (!definition?.required) continue;
    const value = values.get(mapping.target);
    if (value === undefined || value === '') {
      problems.push({ kind: 'required-empty', target: mapping.target, message: `${mapping.target} is required by the target but has no value` });
    }
  }
  const matching = mappings.filter((m) => (m.mapping.matchingPrecedence ?? 0) > 0);
  if (matching.length > 0 && matching.every((m) => values.get(m.mapping.target) === undefined || values.get(m.mapping.target) === '')) {
    problems.push({
      kind: 'matching-empty',
      message: `no matching attribute has a value (${matching.map((m) => m.mapping.target).join(', ')}), so Entra cannot match the object`,
    });
  }
}

/** Turn target attribute values into a SCIM resource, following the target path rules. */
export function toScimPayload(
  objectType: 'User' | 'Group',
  mappings: readonly CompiledMapping[],
  values: Map<string, Value>,
  resolveReference: (id: string) => string | null,
): Record<string, unknown> {
  // Entra's user POST always lists the core and the enterprise schema (Microsoft's SCIM tutorial sample).
  const payload: Record<string, unknown> = { schemas: objectType === 'User' ? [CORE_USER, ENTERPRISE_USER] : [CORE_GROUP] };
  for (const { mapping, definition } of mappings) {
    const raw = values.get(mapping.target);
    if (raw === undefined) continue;
    let value: unknown = raw;
    if (definition?.type === 'Boolean' && typeof raw === 'string') value = /^true$/i.test(raw);
    if (definition?.type === 'Reference') {
      const ids = Array.isArray(raw) ? raw : [raw];
      const refs = ids.flatMap((id) => {
        const ref = typeof id === 'string' ? resolveReference(id) : null;
        return ref === null ? [] : [{ value: ref }];
      });
      if (refs.length === 0) continue;
      value = definition.multivalued ? refs : refs[0];
    }
    setPath(payload, mapping.target, value);
  }
  return payload;
}

type ParsedPath =
  | { kind: 'extension'; schema: string; attribute: string }
  | { kind: 'filtered'; list: string; type: string; sub: string }
  | { kind: 'nested'; parts: string[] };

// Paths are parsed once per target name (previews evaluate the same few dozen paths for every object).
const parsedPaths = new Map<string, ParsedPath>();

function parsePath(path: string): ParsedPath {
  let parsed = parsedPaths.get(path);
  if (parsed) return parsed;
  const urn = /^(urn:[^ ]+):([^:]+)$/.exec(path);
  const filtered = /^(\w+)\[type eq "([^"]*)"\]\.(\w+)$/.exec(path);
  parsed = urn
    ? { kind: 'extension', schema: urn[1]!, attribute: urn[2]! }
    : filtered
      ? { kind: 'filtered', list: filtered[1]!, type: filtered[2]!, sub: filtered[3]! }
      : { kind: 'nested', parts: path.split('.') };
  parsedPaths.set(path, parsed);
  return parsed;
}

function setPath(payload: Record<string, unknown>, path: string, value: unknown) {
  const parsed = parsePath(path);
  if (parsed.kind === 'extension') {
    const extension = (payload[parsed.schema] ??= {}) as Record<string, unknown>;
    extension[parsed.attribute] = value;
    return;
  }
  if (parsed.kind === 'filtered') {
    const items = (payload[parsed.list] ??= []) as Record<string, unknown>[];
    let item = items.find((i) => i.type === parsed.type);
    if (!item) {
      item = parsed.list === 'emails' && parsed.type === 'work' ? { primary: true, type: parsed.type } : { type: parsed.type };
      items.push(item);
    }
    item[parsed.sub] = value;
    return;
  }
  let node = payload;
  for (const part of parsed.parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parsed.parts.at(-1)!] = value;
}

/** Preview every user and group of the sample directory under a resolved model. */
export function previewDirectory(model: ProvisioningModel, directory: SampleDirectory, roles: readonly RoleDefinition[] = appRoles): DirectoryPreview {
  const userMappings = compileMappings(model.users, model.targetDirectory);
  const groupMappings = compileMappings(model.groups, model.targetDirectory);

  // Pass 1: who is in scope (assigned, and not excluded by a scoping filter). References can only point
  // at provisioned objects, so this must be known before any payload is built.
  type Scoped = { source: SourceObject; reason?: string };
  const userScope = new Map<string, Scoped>();
  for (const user of directory.users) {
    const source = userSourceObject(directory, user, roles);
    if (effectiveRoleAssignments(directory, user.id).length === 0) {
      userScope.set(user.id.toLowerCase(), { source, reason: 'not assigned to the app (directly or through a direct group membership)' });
      continue;
    }
    const scoped = evaluateScopingFilter(model.users.scope, source);
    userScope.set(user.id.toLowerCase(), scoped.inScope ? { source } : { source, reason: scoped.reason! });
  }
  const groupScope = new Map<string, Scoped>();
  for (const group of directory.groups) {
    const source = groupSourceObject(directory, group, roles);
    if (!model.groups.enabled) groupScope.set(group.id.toLowerCase(), { source, reason: 'group provisioning is disabled' });
    else if (!isGroupAssigned(directory, group.id)) groupScope.set(group.id.toLowerCase(), { source, reason: 'group not assigned to the app' });
    else {
      const scoped = evaluateScopingFilter(model.groups.scope, source);
      groupScope.set(group.id.toLowerCase(), scoped.inScope ? { source } : { source, reason: scoped.reason! });
    }
  }
  const labels = new Map<string, string>([
    ...directory.users.map((u) => [u.id.toLowerCase(), u.userPrincipalName] as const),
    ...directory.groups.map((g) => [g.id.toLowerCase(), g.displayName] as const),
  ]);
  const provisioned = (key: string) => {
    const entry = userScope.get(key) ?? groupScope.get(key);
    return entry !== undefined && entry.reason === undefined;
  };
  // References resolve to the referenced object's id in the app; only provisioned objects can be referenced.
  const resolveReference = (id: string) => {
    const key = id.toLowerCase();
    return provisioned(key) ? `<id in app of ${labels.get(key) ?? id}>` : null;
  };

  // Pass 2: evaluate the mappings and build the payloads.
  const build = (objectType: 'User' | 'Group', id: string, label: string, scoped: Scoped, mappings: CompiledMapping[]): ObjectPreview => {
    const base = { objectType, id, label };
    if (scoped.reason !== undefined) return { ...base, inScope: false, outOfScopeReason: scoped.reason, payload: null, problems: [] };
    const { values, problems, escrowed } = evaluateObject(mappings, scoped.source);
    checkRequiredAndMatching(mappings, values, problems);
    return { ...base, inScope: true, payload: escrowed ? null : toScimPayload(objectType, mappings, values, resolveReference), problems };
  };
  return {
    users: directory.users.map((u) => build('User', u.id, u.userPrincipalName, userScope.get(u.id.toLowerCase())!, userMappings)),
    groups: directory.groups.map((g) => build('Group', g.id, g.displayName, groupScope.get(g.id.toLowerCase())!, groupMappings)),
  };
}

/** Deterministic uniform numbers so previews of Guid()/RandomString() do not change between runs. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
