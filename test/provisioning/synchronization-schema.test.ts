import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { ExpressionSyntaxError, parseExpression } from '../../expressions/index.js';
import {
  buildSynchronizationSchema,
  environments,
  groupMappings,
  importSynchronizationSchema,
  provisioningModel,
  renderSynchronizationSchema,
  resolveModel,
  SchemaImportError,
  serializeSchema,
  sourceText,
  userMappings,
  type ProvisioningModel,
} from '../../provisioning/index.js';

const fixturePath = new URL('./fixtures/synchronization-schema.local.json', import.meta.url);
// Copy of /work/shared/reference/graph-synchronization.openapi.json (provenance in the SOURCE.md next to it), so CI
// on a clean clone does not depend on files outside the repository.
const openApiPath = new URL('./fixtures/graph-synchronization.openapi.json', import.meta.url);

type JsonSchema = Record<string, unknown>;

/**
 * The reference OpenAPI (graph-synchronization.openapi.json) made strict enough to catch mistakes:
 * - `allOf: [entity, {...}]` merged so unknown properties can be rejected (additionalProperties: false);
 * - `required: ["@odata.type"]` dropped: Graph returns and accepts schema documents without it
 *   (graph-synchronization.md §3.8 samples);
 * - the nullable escape hatch `anyOf: [$ref, {type: object, nullable: true}]` narrowed to `$ref | null`,
 *   otherwise any object would pass as a mapping source or a filter;
 * - flag enums (x-ms-enum-flags) accept comma-separated members ("Add, Update, Delete", §4).
 */
function strictSchemas(): Record<string, JsonSchema> {
  const openApi = JSON.parse(readFileSync(openApiPath, 'utf8')) as { components: { schemas: Record<string, JsonSchema> } };
  const schemas = openApi.components.schemas;
  const transform = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(transform);
    if (node === null || typeof node !== 'object') return node;
    let schema = { ...(node as JsonSchema) };
    if (Array.isArray(schema.allOf)) {
      const parts = (schema.allOf as JsonSchema[]).map((part) =>
        typeof part.$ref === 'string' ? schemas[(part.$ref as string).split('/').pop()!]! : part,
      );
      schema = { type: 'object', properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})) };
    }
    if (Array.isArray(schema.anyOf)) {
      schema.anyOf = (schema.anyOf as JsonSchema[]).map((branch) =>
        branch.type === 'object' && branch.nullable === true && !branch.properties ? { type: 'null' } : branch,
      );
    }
    if (schema['x-ms-enum-flags'] && Array.isArray(schema.enum)) {
      const members = (schema.enum as string[]).join('|');
      schema = { type: 'string', pattern: `^(${members})(, ?(${members}))*$` };
    }
    if (Array.isArray(schema.required)) {
      schema.required = (schema.required as string[]).filter((r) => r !== '@odata.type');
    }
    if (schema.type === 'object' && schema.properties) schema.additionalProperties = false;
    for (const [key, value] of Object.entries(schema)) {
      if (key !== 'enum') schema[key] = transform(value);
    }
    return schema;
  };
  return Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, transform(schema) as JsonSchema]));
}

function validator() {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: 'graph', components: { schemas: strictSchemas() } });
  return ajv.compile({ $ref: 'graph#/components/schemas/microsoft.graph.synchronizationSchema' });
}

describe('synchronizationSchema builder', () => {
  it('renders the shipped mappings exactly as the checked-in document', () => {
    expect(serializeSchema(buildSynchronizationSchema('local'))).toBe(readFileSync(fixturePath, 'utf8'));
  });

  it('is deterministic: same bytes on every call and independent of key insertion order', () => {
    const first = serializeSchema(buildSynchronizationSchema('local'));
    expect(serializeSchema(buildSynchronizationSchema(environments.local))).toBe(first);
    const reordered = JSON.parse(first, (_key, value: unknown) =>
      value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).reverse()) : value,
    );
    expect(serializeSchema(reordered)).toBe(first);
  });

  it('validates against the Graph types of the reference OpenAPI for every environment', () => {
    const validate = validator();
    for (const name of Object.keys(environments)) {
      const valid = validate(JSON.parse(serializeSchema(buildSynchronizationSchema(name))));
      expect(validate.errors ?? [], name).toEqual([]);
      expect(valid).toBe(true);
    }
  });

  it('the validator is strict enough to reject a misspelt field and a wrong enum value', () => {
    const validate = validator();
    const document = JSON.parse(serializeSchema(buildSynchronizationSchema('local')));
    document.synchronizationRules[0].objectMappings[0].attributeMappings[0].matchingPrecedence = 1;
    expect(validate(document)).toBe(false);
    const other = JSON.parse(serializeSchema(buildSynchronizationSchema('local')));
    other.synchronizationRules[0].objectMappings[0].attributeMappings[0].flowType = 'OnlyOnCreate';
    expect(validate(other)).toBe(false);
  });

  it('follows graph-synchronization.md: one rule, Azure Active Directory → customappsso, User and Group mappings', () => {
    const schema = buildSynchronizationSchema('prod');
    expect(schema.directories.map((d) => d.name)).toEqual(['Azure Active Directory', 'customappsso']);
    const [rule] = schema.synchronizationRules;
    expect(rule).toMatchObject({
      id: '03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8',
      name: 'USERGROUP_OUTBOUND_USERGROUP',
      sourceDirectoryName: 'Azure Active Directory',
      targetDirectoryName: 'customappsso',
      priority: 1,
    });
    expect(rule!.objectMappings.map((m) => [m.sourceObjectName, m.targetObjectName])).toEqual([
      ['User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      ['Group', 'urn:ietf:params:scim:schemas:core:2.0:Group'],
    ]);
    // §6: the directory extension is declared on the source User with the environment's appId …
    const sourceUser = schema.directories[0]!.objects.find((o) => o.name === 'User')!;
    expect(sourceUser.attributes.map((a) => a.name)).toContain(`extension_${environments.prod.parameters.extensionAppId}_costCenter`);
    // … and the custom SCIM extension attribute on the target user.
    const targetUser = schema.directories[1]!.objects.find((o) => o.name === 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User')!;
    expect(targetUser.attributes.map((a) => a.name)).toContain('urn:ietf:params:scim:schemas:extension:SignPath:2.0:User:signingTeam');
    expect(targetUser.attributes.filter((a) => a.anchor).map((a) => a.name)).toEqual(['id']);
    // Per-environment parameter substituted into the expression and its Graph tree.
    const externalId = rule!.objectMappings[0]!.attributeMappings.find((m) => m.targetAttributeName === 'externalId')!;
    expect(externalId.source).toEqual({
      expression: 'Append("contoso:", [objectId])',
      name: 'Append',
      parameters: [
        { key: 'source', value: { expression: '"contoso:"', name: 'contoso:', parameters: [], type: 'Constant' } },
        { key: 'suffix', value: { expression: '[objectId]', name: 'objectId', parameters: [], type: 'Attribute' } },
      ],
      type: 'Function',
    });
    expect(externalId.matchingPriority).toBe(1);
  });

  it('renders the documented SCIM default for active as a Switch tree with omitted arguments left out (mapping-expressions.md §3.2)', () => {
    const mapping = buildSynchronizationSchema('local').synchronizationRules[0]!.objectMappings[0]!.attributeMappings.find(
      (m) => m.targetAttributeName === 'active',
    )!;
    expect(mapping.source?.expression).toBe('Switch([IsSoftDeleted], , "False", "True", "True", "False")');
    expect(mapping.source?.parameters).toHaveLength(5);
  });

  it('every shipped expression parses', () => {
    for (const mapping of [...userMappings, ...groupMappings]) {
      const text = sourceText(mapping.source);
      if (text !== null) expect(() => parseExpression(text.replace(/\{\{\w+\}\}/g, 'x')), mapping.target).not.toThrow();
    }
  });

  it('an unparsable expression fails the build with the position', () => {
    const broken: ProvisioningModel = {
      ...provisioningModel,
      users: { ...provisioningModel.users, mappings: [{ target: 'displayName', source: { type: 'expression', expression: 'Join(" ", [givenName] [surname])' } }] },
    };
    expect(() => renderSynchronizationSchema(resolveModel(broken, environments.local.parameters))).toThrow(ExpressionSyntaxError);
    expect(() => renderSynchronizationSchema(resolveModel(broken, environments.local.parameters))).toThrow(/found "\[" at line 1, column 23/);
  });
});

describe('importSynchronizationSchema', () => {
  const fixture = readFileSync(fixturePath, 'utf8');

  it('import → build gives the same bytes (checked-in document and every environment)', () => {
    expect(serializeSchema(renderSynchronizationSchema(importSynchronizationSchema(fixture)))).toBe(fixture);
    for (const name of Object.keys(environments)) {
      const text = serializeSchema(buildSynchronizationSchema(name));
      expect(serializeSchema(renderSynchronizationSchema(importSynchronizationSchema(JSON.parse(text))))).toBe(text);
    }
  });

  it('turns Graph sources back into direct, constant and expression mappings', () => {
    const model = importSynchronizationSchema(fixture);
    const byTarget = new Map(model.users.mappings.map((m) => [m.target, m]));
    expect(byTarget.get('userName')).toEqual({ target: 'userName', source: { type: 'attribute', attribute: 'userPrincipalName' }, matchingPrecedence: 2 });
    expect(byTarget.get('active')?.source).toEqual({ type: 'expression', expression: 'Switch([IsSoftDeleted], , "False", "True", "True", "False")' });
    expect(byTarget.get('urn:ietf:params:scim:schemas:extension:SignPath:2.0:User:signingTeam')?.defaultValue).toBe('unassigned');
    expect(model.groups.mappings.map((m) => m.target)).toEqual(['displayName', 'externalId', 'members']);
  });

  it('fills Graph defaults for fields a hand-written or older document leaves out (§6)', () => {
    const document = JSON.parse(fixture);
    const mappings = document.synchronizationRules[0].objectMappings[0].attributeMappings;
    mappings.push({ targetAttributeName: 'title', source: { name: 'jobTitle', type: 'Attribute' } });
    document.directories[0].objects[0].attributes.push({ name: 'extension_0123_x', type: 'String' });
    const model = importSynchronizationSchema(document);
    expect(model.users.mappings.at(-1)).toEqual({ target: 'title', source: { type: 'attribute', attribute: 'jobTitle' } });
    expect(model.sourceDirectory.objects[0]!.attributes.at(-1)).toMatchObject({ anchor: false, multivalued: false, mutability: 'ReadWrite', required: false });
  });

  it('rebuilds the expression text of a Function source that only has its tree, omitted arguments included', () => {
    const document = JSON.parse(fixture);
    const active = document.synchronizationRules[0].objectMappings[0].attributeMappings.find(
      (m: { targetAttributeName: string }) => m.targetAttributeName === 'active',
    );
    delete active.source.expression;
    const model = importSynchronizationSchema(document);
    expect(model.users.mappings.find((m) => m.target === 'active')?.source).toEqual({
      type: 'expression',
      expression: 'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
    });
    expect(serializeSchema(renderSynchronizationSchema(model))).toBe(fixture);
  });

  it('names the offending place in a malformed document', () => {
    expect(() => importSynchronizationSchema('{"directories": [')).toThrow(/^document: is not valid JSON/);
    const document = JSON.parse(fixture);
    document.synchronizationRules[0].objectMappings[1].attributeMappings[2].flowType = 'Sometimes';
    expect(() => importSynchronizationSchema(document)).toThrow(SchemaImportError);
    expect(() => importSynchronizationSchema(document)).toThrow(
      'synchronizationRules[0].objectMappings[1].attributeMappings[2].flowType: expected Always, ObjectAddOnly, MultiValueAddOnly, ValueAddOnly or AttributeAddOnly, got "Sometimes"',
    );
    const twoRules = JSON.parse(fixture);
    twoRules.synchronizationRules.push(twoRules.synchronizationRules[0]);
    expect(() => importSynchronizationSchema(twoRules)).toThrow(/expected exactly one rule/);
  });
});
