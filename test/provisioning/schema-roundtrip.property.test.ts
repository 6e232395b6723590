// Property: for any model the builder can render, import(render(model)) renders to the same bytes, and the
// imported mappings equal the originals (expressions compared in canonical form).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatExpression, parseExpression } from '../../expressions/index.js';
import {
  environments,
  importSynchronizationSchema,
  provisioningModel,
  renderSynchronizationSchema,
  resolveModel,
  serializeSchema,
  targetUserAttributes,
  type AttributeMapping,
  type MappingSource,
  type ProvisioningModel,
} from '../../provisioning/index.js';

const base = resolveModel(provisioningModel, environments.local.parameters);
const targets = Object.keys(targetUserAttributes).filter((t) => t !== 'id');

const text = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '"', '\\', 'é', ':', '-', '1'), maxLength: 12 });
const source: fc.Arbitrary<MappingSource> = fc.oneof(
  fc.constantFrom('mail', 'displayName', 'extension_5bfc8fdacfc943a9a6de214ea9d15fdb_costCenter').map((attribute) => ({ type: 'attribute' as const, attribute })),
  text.map((value) => ({ type: 'constant' as const, value })),
  fc.constant({ type: 'none' as const }),
  fc
    .constantFrom(
      'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
      'Join(" ", [givenName], [surname])',
      'Replace([mail], , "(?<user>[^@]+)@.*", , "${user}", , )',
      'IIF([country]="US", "United States", [country])',
      'ToLower(NormalizeDiacritics(StripSpaces([displayName])))',
      'Append("x:", [objectId])',
    )
    .map((expression) => ({ type: 'expression' as const, expression })),
);
const mapping = fc.record(
  {
    target: fc.constantFrom(...targets),
    source,
    matchingPrecedence: fc.integer({ min: 1, max: 3 }),
    flowBehavior: fc.constantFrom('FlowWhenChanged' as const, 'FlowAlways' as const),
    flowType: fc.constantFrom('Always' as const, 'ObjectAddOnly' as const, 'ValueAddOnly' as const),
    defaultValue: text,
  },
  { requiredKeys: ['target', 'source'] },
);

// The importer normalises defaults away (FlowWhenChanged, Always) and keeps what differs.
function normalise(m: AttributeMapping): AttributeMapping {
  const { flowBehavior, flowType, ...rest } = m;
  const src = m.source.type === 'expression' ? { type: 'expression' as const, expression: formatExpression(parseExpression(m.source.expression)) } : m.source;
  return {
    ...rest,
    source: src,
    ...(flowBehavior && flowBehavior !== 'FlowWhenChanged' ? { flowBehavior } : {}),
    ...(flowType && flowType !== 'Always' ? { flowType } : {}),
  };
}

describe('synchronizationSchema round trip (property)', () => {
  it('import(render(model)) renders to the same bytes and keeps every mapping', () => {
    fc.assert(
      fc.property(fc.array(mapping, { maxLength: 8 }), fc.boolean(), (mappings, groupsEnabled) => {
        const model: ProvisioningModel = {
          ...base,
          users: { ...base.users, mappings },
          groups: { ...base.groups, enabled: groupsEnabled },
        };
        const bytes = serializeSchema(renderSynchronizationSchema(model));
        const imported = importSynchronizationSchema(bytes);
        expect(serializeSchema(renderSynchronizationSchema(imported))).toBe(bytes);
        expect(imported.users.mappings).toEqual(mappings.map(normalise));
        expect(imported.groups.enabled).toBe(groupsEnabled);
      }),
      { numRuns: 150 },
    );
  });
});
