// fromGraphExpressionTree: the inverse of toGraphExpressionTree (reference §3.2: omitted arguments are not listed
// in `parameters`, so positions are recovered from the parameter keys).
import { describe, expect, it } from 'vitest';
import {
  type EvaluationResult,
  ExpressionEvaluationError,
  evaluateExpression,
  formatExpression,
  fromGraphExpressionTree,
  parseExpression,
  toGraphExpressionTree,
} from '../../expressions/index.js';
import { vectors } from './support.js';

const roundTrip = (text: string): string => formatExpression(fromGraphExpressionTree(toGraphExpressionTree(parseExpression(text))));

describe('fromGraphExpressionTree', () => {
  it('puts omitted arguments back by key (the documented Replace sample comes back in its canonical form)', () => {
    expect(roundTrip('Replace([preferredLanguage], "-", , , "_", ,  )')).toBe('Replace([preferredLanguage], "-", , , "_", , )');
    expect(roundTrip('Switch([IsSoftDeleted], , "False", "True", "True", "False")')).toBe(
      'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
    );
    expect(roundTrip('FormatDateTime([d], "yyyyMMdd", "yyyy")')).toBe('FormatDateTime([d], , "yyyyMMdd", "yyyy")');
    expect(roundTrip('InStr([a], "b", , vbTextCompare)')).toBe('InStr([a], "b", , vbTextCompare)');
    expect(roundTrip('IIF([a] = "x", "y", IgnoreAttributeFlow)')).toBe('IIF([a] = "x", "y", IgnoreAttributeFlow)');
    expect(roundTrip('Mid([upn], 1, 8)')).toBe('Mid([upn], "1", "8")');
  });

  it('rebuilds sources from the documented tree shape without an expression', () => {
    const ast = fromGraphExpressionTree({
      name: 'Replace',
      type: 'Function',
      parameters: [
        { key: 'source', value: { name: 'preferredLanguage', type: 'Attribute', parameters: [] } },
        { key: 'Find', value: { name: '-', type: 'Constant', parameters: [] } },
        { key: 'Replacement', value: { name: '_', type: 'Constant', parameters: [] } },
      ],
    });
    expect(evaluateExpression(ast, { preferredLanguage: 'EN-US' })).toEqual({ kind: 'value', value: 'EN_US' });
  });

  it('rejects a key the function does not have, or keys out of order', () => {
    const bad = (key: string) =>
      fromGraphExpressionTree({
        name: 'Mid',
        type: 'Function',
        parameters: [
          { key: 'length', value: { name: '1', type: 'Constant', parameters: [] } },
          { key, value: { name: 'x', type: 'Attribute', parameters: [] } },
        ],
      });
    expect(() => bad('bogus')).toThrow(ExpressionEvaluationError);
    expect(() => bad('source')).toThrow('Mid has no parameter "source" after argument 3 (parameters: source, start, length)');
  });

  it('evaluates every deterministic vector the same after AST → Graph tree → AST', () => {
    const outcome = (run: () => EvaluationResult): unknown => {
      try {
        return run();
      } catch (error) {
        return { error: (error as Error).message.replace(/ \(at line \d+, column \d+\)$/, '') };
      }
    };
    let compared = 0;
    for (const vector of vectors) {
      if (vector.outputPattern || vector.outputKind === 'random' || vector.parseOnly) continue;
      const options = { now: () => new Date(vector.now ?? '2025-07-30T00:00:00Z'), existingTargetValues: vector.existingTargetValues };
      const ast = parseExpression(vector.expression);
      const rebuilt = fromGraphExpressionTree(toGraphExpressionTree(ast));
      expect(outcome(() => evaluateExpression(rebuilt, vector.input, options)), vector.id).toEqual(
        outcome(() => evaluateExpression(ast, vector.input, options)),
      );
      compared++;
    }
    expect(compared).toBeGreaterThan(150);
  });
});
