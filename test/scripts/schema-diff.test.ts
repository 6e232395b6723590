// The readable schema diff upload-schema prints: mappings added/removed/changed, scoping, target attributes.
import { describe, expect, it } from 'vitest';
import { formatExpression, parseExpression, toGraphExpressionTree } from '../../expressions/index.js';
import type { AttributeMappingSource, SynchronizationSchema } from '../../scripts/lib/graph/types.js';
import { diffSchemas, formatChanges, needsFullCycle, sourceText } from '../../scripts/lib/schema-diff.js';

const USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const schema = (mappings: { target: string; source: string; flowType?: string }[], extraAttribute?: string): SynchronizationSchema => ({
  synchronizationRules: [
    {
      id: '03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8',
      objectMappings: [
        {
          sourceObjectName: 'User',
          targetObjectName: USER,
          attributeMappings: mappings.map((m) => ({ targetAttributeName: m.target, source: { type: 'Attribute', name: m.source }, flowType: m.flowType ?? 'Always', matchingPriority: 0 })),
        },
      ],
    },
  ],
  directories: [{ name: 'customappsso', objects: [{ name: USER, attributes: [{ name: 'userName' }, ...(extraAttribute ? [{ name: extraAttribute, type: 'String' }] : [])] }] }],
});

describe('diffSchemas', () => {
  it('reports nothing for identical schemas', () => {
    const s = schema([{ target: 'userName', source: 'userPrincipalName' }]);
    expect(diffSchemas(s, structuredClone(s))).toEqual([]);
    expect(formatChanges([])[0]).toMatch(/No changes/);
  });

  it('lists added, removed and changed mappings and new target attributes', () => {
    const live = schema([
      { target: 'userName', source: 'userPrincipalName' },
      { target: 'title', source: 'jobTitle' },
      { target: 'nickName', source: 'mailNickname' },
    ]);
    const desired = schema(
      [
        { target: 'userName', source: 'userPrincipalName' },
        { target: 'title', source: 'department', flowType: 'ObjectAddOnly' },
        { target: 'displayName', source: 'displayName' },
      ],
      'urn:ietf:params:scim:schemas:extension:acme:2.0:User:costCenter',
    );
    const changes = diffSchemas(live, desired);
    expect(changes.map((c) => c.kind).sort()).toEqual(['mapping-added', 'mapping-changed', 'mapping-removed', 'target-attribute-added']);
    const text = formatChanges(changes).join('\n');
    expect(text).toContain('+ displayName ← [displayName]');
    expect(text).toContain('- nickName ← [mailNickname]');
    expect(text).toContain('source: [jobTitle]  →  [department]');
    expect(text).toContain('flowType: Always  →  ObjectAddOnly');
    expect(text).toContain('+ target attribute customappsso');
    expect(text).toContain('1 mapping(s) added, 1 removed, 1 changed');
    expect(needsFullCycle(changes)).toBe(true);
    expect(needsFullCycle(changes.filter((c) => c.kind === 'target-attribute-added'))).toBe(false);
  });

  it('writes Graph trees without expression text back with omitted arguments in place', () => {
    const text = 'Switch([IsSoftDeleted], , "False", "True", "True", "False")';
    const strip = (node: AttributeMappingSource): AttributeMappingSource => ({ ...node, expression: null, parameters: (node.parameters ?? []).map((p) => ({ key: p.key, value: strip(p.value) })) });
    const tree = strip(toGraphExpressionTree(parseExpression(text)) as AttributeMappingSource);
    expect(sourceText(tree)).toBe(formatExpression(parseExpression(text)));
    expect(parseExpression(sourceText(tree))).toBeTruthy();
  });

  it('writes function trees the way the portal shows expressions', () => {
    expect(sourceText({ type: 'Function', name: 'Join', parameters: [{ key: 'separator', value: { type: 'Constant', name: ' ' } }, { key: 'source', value: { type: 'Attribute', name: 'givenName' } }] })).toBe('Join(" ", [givenName])');
    expect(sourceText({ type: 'Attribute', name: 'mail', expression: '[mail]' })).toBe('[mail]');
  });
});
