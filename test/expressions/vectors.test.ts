// Every vector of the researched examples (shared/reference/expression-examples.json, copied to fixtures/) is a
// test, honouring its fields as mapping-expressions.md §7 defines them. Each test name carries the vector id; the
// vector's `source` field cites the Microsoft document it comes from.
import { describe, expect, it } from 'vitest';
import {
  type EvaluationResult,
  ExpressionEvaluationError,
  evaluateExpression,
  formatExpression,
  parseExpression,
} from '../../expressions/index.js';
import { type ExpressionVector, vectors, withoutPositions } from './support.js';

/**
 * Vectors whose literal evaluation is neither `output` nor `literalOutput`, with the vector's own explanation.
 * wd-accountexpires-5y: its `reason` states that the inner FormatDateTime input format "yyyy-MM-dd" does not match
 * the M/d/yyyy h:mm:ss tt string DateAdd returns, so a literal engine fails there (mapping-expressions.md §7).
 */
const literalErrors: Record<string, RegExp> = {
  'wd-accountexpires-5y': /FormatDateTime: "1\/15\/2030 12:00:00 AM" does not match the input format "yyyy-MM-dd"/,
};

type Expected = { kind: 'value'; value: string | string[] | null } | { kind: 'ignoreFlow' };

/** What a literal implementation must produce: `literalOutput` for docInconsistent vectors, else `output`. */
function expectedOutcome(vector: ExpressionVector): Expected {
  const literal = vector.docInconsistent ? vector.docInconsistent.literalOutput : vector.output;
  // "(empty - ignored)" and the keyword IgnoreAttributeFlow as a result both mean: drop this attribute's flow.
  if (literal === '(empty - ignored)' || literal === 'IgnoreAttributeFlow') return { kind: 'ignoreFlow' };
  if (!vector.docInconsistent && vector.flowIgnored) return { kind: 'ignoreFlow' };
  return { kind: 'value', value: literal };
}

function run(vector: ExpressionVector): EvaluationResult {
  return evaluateExpression(vector.expression, vector.input, {
    now: vector.now ? () => new Date(vector.now as string) : undefined,
    existingTargetValues: vector.existingTargetValues,
  });
}

describe('expression-examples.json vectors', () => {
  it('has the 167 vectors the reference describes', () => {
    expect(vectors.length).toBe(167);
    expect(new Set(vectors.map((v) => v.id)).size).toBe(vectors.length);
  });

  for (const vector of vectors) {
    const label = `${vector.id}${vector.derived ? ' [derived]' : ''}${vector.docInconsistent ? ' [docInconsistent: literalOutput]' : ''}`;

    it(`${label}: parses and formats back to the same tree`, () => {
      const ast = parseExpression(vector.expression);
      expect(withoutPositions(parseExpression(formatExpression(ast)))).toEqual(withoutPositions(ast));
    });

    if (vector.parseOnly) continue;

    it(`${label}: evaluates as the reference says`, () => {
      if (vector.expectError) {
        expect(() => run(vector)).toThrow(ExpressionEvaluationError);
        expect(() => run(vector)).toThrow(vector.expectError);
        return;
      }
      const literalError = literalErrors[vector.id];
      if (literalError) {
        expect(() => run(vector)).toThrow(literalError);
        return;
      }
      const result = run(vector);
      if (vector.outputPattern) {
        expect(result.kind).toBe('value');
        expect(result.kind === 'value' ? result.value : null).toMatch(new RegExp(vector.outputPattern));
        return;
      }
      if (vector.outputKind === 'random') {
        // randomstring-2 has no pattern; its note lists the constraints, checked in functions.test.ts too.
        expect(result.kind).toBe('value');
        expect(typeof (result.kind === 'value' ? result.value : null)).toBe('string');
        return;
      }
      if (vector.outputKind === 'DateTime') {
        // Same instant; this library renders DateTime values as M/d/yyyy h:mm:ss tt in UTC (reference §2).
        expect(result.kind).toBe('value');
        const value = result.kind === 'value' ? String(result.value) : '';
        expect(Date.parse(`${value} UTC`)).toBe(Date.parse(String(vector.output)));
        return;
      }
      const expected = expectedOutcome(vector);
      if (expected.kind === 'ignoreFlow') {
        expect(result).toEqual({ kind: 'ignoreFlow' });
        return;
      }
      expect(result.kind).toBe('value');
      if (result.kind !== 'value') return;
      expect(result.value).toEqual(expected.value);
      if (vector.logValue === '[Redact]') expect(result.redacted).toBe(true);
      else expect(result.redacted).toBeUndefined();
    });
  }

  it('docInconsistent vectors really differ from the doc output (so literalOutput is the stricter assertion)', () => {
    const inconsistent = vectors.filter((v) => v.docInconsistent);
    expect(inconsistent.length).toBe(21);
    const differing = inconsistent.filter((v) => {
      if (literalErrors[v.id]) return true;
      const result = run(v);
      const docOutput = v.docInconsistent?.docOutput;
      const doc: Expected =
        docOutput === '(empty - ignored)' || docOutput === 'IgnoreAttributeFlow' ? { kind: 'ignoreFlow' } : { kind: 'value', value: docOutput ?? null };
      return JSON.stringify(result) !== JSON.stringify(doc);
    });
    expect(differing.map((v) => v.id)).toEqual(inconsistent.map((v) => v.id));
  });
});
