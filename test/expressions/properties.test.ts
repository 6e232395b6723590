// Property tests (fast-check): parse → format → parse is the identity on generated ASTs; the parser throws only
// ExpressionSyntaxError on arbitrary text; the evaluator throws only ExpressionEvaluationError on generated calls.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BinaryOperator,
  type Expression,
  ExpressionEvaluationError,
  ExpressionSyntaxError,
  evaluateExpression,
  formatExpression,
  functionCatalogue,
  keywords,
  parseExpression,
  toGraphExpressionTree,
} from '../../expressions/index.js';
import { withoutPositions } from './support.js';

const span = { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };
const operators: BinaryOperator[] = ['=', '<>', '>', '>=', '<', '<=', '&'];

const attributeName = fc
  .string({ minLength: 1, maxLength: 12, unit: fc.constantFrom(...'abcXYZ_09.-é @$'.split('')) })
  .filter((s) => s.trim() === s && s !== '');
const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/);

const leaf: fc.Arbitrary<Expression> = fc.oneof(
  attributeName.map((name): Expression => ({ kind: 'attribute', name, span })),
  fc.string({ maxLength: 10, unit: 'grapheme' }).map((value): Expression => ({ kind: 'string', value, span })),
  fc.string({ maxLength: 6, unit: fc.constantFrom('\\', '"', 'a', ' ', '\n', '$') }).map((value): Expression => ({ kind: 'string', value, span })),
  fc.stringMatching(/^-?[0-9]{1,6}$/).map((text): Expression => ({ kind: 'number', text, span })),
  fc.stringMatching(/^[0-9A-F]{1,4}$/).map((digits): Expression => ({ kind: 'hex', digits, span })),
  fc.constantFrom(...keywords).map((name): Expression => ({ kind: 'keyword', name, span })),
);

const { expression } = fc.letrec<{ expression: Expression }>((tie) => ({
  expression: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .record({
        name: identifier,
        args: fc.array(fc.option(tie('expression'), { nil: null, freq: 4 }), { maxLength: 4 }),
      })
      // A single omitted argument has no text of its own: "f()" is a call without arguments.
      .filter(({ args }) => !(args.length === 1 && args[0] === null))
      .map(({ name, args }): Expression => ({ kind: 'call', name, args, span })),
    fc
      .record({ operator: fc.constantFrom(...operators), left: tie('expression'), right: tie('expression') })
      .map(({ operator, left, right }): Expression => ({ kind: 'binary', operator, left, right, span })),
  ),
}));

describe('properties', () => {
  it('parse(format(ast)) equals ast, positions aside', () => {
    fc.assert(
      fc.property(expression, (ast) => {
        expect(withoutPositions(parseExpression(formatExpression(ast)))).toEqual(withoutPositions(ast));
      }),
      { numRuns: 1000 },
    );
  });

  it('format is stable: format(parse(format(ast))) equals format(ast), and the Graph tree can always be built', () => {
    fc.assert(
      fc.property(expression, (ast) => {
        const text = formatExpression(ast);
        expect(formatExpression(parseExpression(text))).toBe(text);
        expect(toGraphExpressionTree(ast).expression ?? text).toBeTypeOf('string');
      }),
      { numRuns: 300 },
    );
  });

  it('the parser throws nothing but ExpressionSyntaxError on arbitrary text', () => {
    const grammarish = fc.string({
      maxLength: 40,
      unit: fc.constantFrom(...'()[],"\\&H-=<> \n\tSwitchJoinMid1 aF_'.split('')),
    });
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40, unit: 'binary' }), grammarish), (text) => {
        try {
          parseExpression(text);
          return true;
        } catch (error) {
          // A plain boolean check keeps 1,500 runs fast; fast-check reports the counterexample.
          return error instanceof ExpressionSyntaxError && error.line >= 1 && error.column >= 1 && error.message.includes('^');
        }
      }),
      { numRuns: 600 },
    );
  });

  it('evaluating calls of catalogue functions on arbitrary arguments returns a result or throws ExpressionEvaluationError', () => {
    const names = functionCatalogue.map((f) => f.name);
    const argument = fc.oneof(
      fc.constantFrom('"1"', '"-3"', '""', '"a,b"', '"2021-08-25"', '"3/16/2020 7:00:00 AM"', '[s]', '[list]', '[missing]', '[roles]', '&HF', '"(x"', '"d"', 'vbTextCompare', '"999999999999"', '"99999999999999999999"', '-1', '0'),
    );
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.array(argument, { maxLength: 8 }), fc.boolean(), (name, args, wrap) => {
        const call = `${name}(${args.join(', ')})`;
        const text = wrap ? `Join(",", ${call})` : call;
        try {
          const result = evaluateExpression(text, {
            s: 'Zoë Smith',
            list: ['a', 'b', 'a'],
            roles: [{ id: '1', value: 'Admin', displayName: 'Admin' }],
          }, { now: () => new Date('2025-07-30T00:00:00Z'), random: () => 0.5 });
          expect(['value', 'ignoreFlow', 'escrow']).toContain(result.kind);
          if (result.kind === 'value') expect(JSON.stringify(result.value)).not.toMatch(/NaN|Invalid|undefined/);
        } catch (error) {
          expect(error).toBeInstanceOf(ExpressionEvaluationError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
