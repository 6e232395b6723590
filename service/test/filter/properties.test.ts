// Property tests: the parser only ever throws its own error types, and printing an AST parses back to it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ScimFilterError,
  ScimPathError,
  formatFilter,
  formatPatchPath,
  matchesFilter,
  parseFilter,
  parsePatchPath,
  type AttributePath,
  type CompareOperator,
  type Filter,
  type FilterValue,
  type PatchPath,
} from '../../src/filter/index.js';
import { userSchemaInfo } from '../../src/discovery/index.js';

const schemas = [
  'urn:ietf:params:scim:schemas:core:2.0:User',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  'urn:ietf:params:scim:schemas:extension:Acme:2.0:User',
];
const name = fc.stringMatching(/^[A-Za-z$][A-Za-z0-9_$-]{0,10}$/);
const operator = fc.constantFrom<CompareOperator>('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le');
const value: fc.Arbitrary<FilterValue> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
  fc.boolean(),
  fc.constant(null),
);

const attributePath = (withSchema: boolean): fc.Arbitrary<AttributePath> =>
  fc
    .record(
      { schema: withSchema ? fc.option(fc.constantFrom(...schemas), { nil: undefined }) : fc.constant(undefined), attribute: name, subAttribute: fc.option(name, { nil: undefined }) },
    )
    .map(({ schema, attribute, subAttribute }) => ({
      ...(schema !== undefined ? { schema } : {}),
      attribute,
      ...(subAttribute !== undefined ? { subAttribute } : {}),
    }));

function filterArbitrary(allowValuePath: boolean, withSchema: boolean): fc.Arbitrary<Filter> {
  const { filter } = fc.letrec<{ filter: Filter }>((tie) => {
    const leaves: fc.Arbitrary<Filter>[] = [
      fc.record({ kind: fc.constant('compare' as const), path: attributePath(withSchema), operator, value }),
      fc.record({ kind: fc.constant('present' as const), path: attributePath(withSchema) }),
    ];
    if (allowValuePath) {
      leaves.push(
        fc
          .record({
            path: attributePath(withSchema).map(({ subAttribute: _drop, ...rest }) => rest),
            filter: filterArbitrary(false, false),
            then: fc.option(
              fc.oneof(
                fc.record({ subAttribute: name, operator, value }),
                fc.record({ subAttribute: name, operator: fc.constant('pr' as const) }),
              ),
              { nil: undefined },
            ),
          })
          .map(({ path, filter: inner, then }): Filter => ({
            kind: 'valuePath',
            path,
            filter: inner,
            ...(then !== undefined ? { then } : {}),
          })),
      );
    }
    return {
      filter: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        ...leaves,
        fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('filter'), right: tie('filter') }),
        fc.record({ kind: fc.constant('not' as const), filter: tie('filter') }),
      ) as fc.Arbitrary<Filter>,
    };
  });
  return filter;
}

const anyFilter = filterArbitrary(true, true);

// Text built from grammar fragments: far more likely than random strings to get deep into the parser.
const fragments = fc.string({
  unit: fc.constantFrom(
    '(', ')', '[', ']', '"', '\\', ' ', '  ', '.', ':', 'urn:', 'a', 'userName', 'emails', 'eq', 'EQ', 'pr', 'and',
    'or', 'not', 'not (', '1', '-', 'e9', 'true', 'null', '"x"', '\u0000', 'é', '\ud800',
    ':2.0:User:', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  ),
  maxLength: 40,
});

describe('filter parser properties', () => {
  it('throws nothing but ScimFilterError on arbitrary input, with the position inside the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }), fragments), (text) => {
        try {
          parseFilter(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ScimFilterError);
          const position = (error as ScimFilterError).position;
          expect(position).toBeGreaterThanOrEqual(0);
          expect(position).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('throws nothing but ScimPathError on arbitrary PATCH paths', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fragments), (text) => {
        try {
          parsePatchPath(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ScimPathError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('parses printed filters back to the same AST', () => {
    fc.assert(
      fc.property(anyFilter, (ast) => {
        expect(parseFilter(formatFilter(ast))).toEqual(ast);
        expect(parseFilter(formatFilter(ast), { allowUnquotedValues: false })).toEqual(ast);
      }),
      { numRuns: 1500 },
    );
  });

  it('parses printed PATCH paths back to the same AST', () => {
    const patchPath: fc.Arbitrary<PatchPath> = fc.oneof(
      attributePath(true).map((path): PatchPath => ({ kind: 'attribute', path })),
      fc.constantFrom(...schemas.slice(1)).map((schema): PatchPath => ({ kind: 'schema', schema })),
      fc
        .record({
          path: attributePath(true).map(({ subAttribute: _drop, ...rest }) => rest),
          filter: filterArbitrary(false, false),
          subAttribute: fc.option(name, { nil: undefined }),
        })
        .map(({ path, filter, subAttribute }): PatchPath => ({
          kind: 'valuePath',
          path,
          filter,
          ...(subAttribute !== undefined ? { subAttribute } : {}),
        })),
    );
    fc.assert(
      fc.property(patchPath, (ast) => {
        expect(parsePatchPath(formatPatchPath(ast))).toEqual(ast);
      }),
      { numRuns: 1000 },
    );
  });

  it('evaluates any filter on any JSON resource to a boolean or a ScimFilterError', () => {
    const info = userSchemaInfo();
    fc.assert(
      fc.property(anyFilter, fc.dictionary(fc.constantFrom('userName', 'emails', 'name', 'active', 'a', 'meta', schemas[1]), fc.jsonValue()), (ast, resource) => {
        try {
          expect(typeof matchesFilter(resource, ast, info)).toBe('boolean');
        } catch (error) {
          expect(error).toBeInstanceOf(ScimFilterError);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
