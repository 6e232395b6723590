// Model-based properties (fast-check): functions agree with a plain TypeScript model of their documented semantics
// (mapping-expressions.md §5) on generated inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EvaluateOptions, type SourceObject, type Value, evaluateExpression } from '../../expressions/index.js';

function value(expression: string, source: SourceObject = {}, options?: EvaluateOptions): Value {
  const result = evaluateExpression(expression, source, options);
  if (result.kind !== 'value') throw new Error(`expected a value, got ${JSON.stringify(result)}`);
  return result.value;
}

/** A string literal of the language: only `\\` and `"` are escaped (reference §3.1). */
const quote = (s: string): string => `"${s.replace(/[\\"]/g, '\\$&')}"`;

const text = fc.string({ maxLength: 12, unit: 'grapheme' });
const maybeText = fc.option(text, { nil: null });

describe('semantic properties', () => {
  it('Join skips null and empty sources and joins the rest with the separator', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3 }), fc.array(maybeText, { maxLength: 5 }), (separator, parts) => {
        const source: Record<string, Value> = { sep: separator };
        parts.forEach((p, i) => (source[`a${i}`] = p));
        const args = parts.map((_, i) => `[a${i}]`).join(', ');
        const expected = parts.filter((p): p is string => p !== null && p !== '').join(separator);
        expect(value(`Join([sep]${args ? `, ${args}` : ''})`, source)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('Mid(s, start, length) is the 1-based substring; Left(s, n) the first n characters', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 20 }), (s, start, length) => {
        expect(value(`Mid([s], ${start}, ${length})`, { s })).toBe(s.substr(start - 1, length));
        expect(value(`Left([s], ${length})`, { s })).toBe(s.slice(0, length));
      }),
      { numRuns: 300 },
    );
  });

  it('literal Replace replaces every occurrence, case-sensitively', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 15, unit: fc.constantFrom('a', 'A', 'b', '$', '\\', '"') }), fc.string({ minLength: 1, maxLength: 2, unit: fc.constantFrom('a', 'A', '$') }), fc.string({ maxLength: 3 }), (s, old, replacement) => {
        expect(value('Replace([s], [old], , , [r], , )', { s, old, r: replacement })).toBe(s.replaceAll(old, () => replacement));
      }),
      { numRuns: 300 },
    );
  });

  it('IsPresent is Not(IsNullOrEmpty); IsNull implies IsNullOrEmpty; Not(Not(b)) is b for booleans', () => {
    fc.assert(
      fc.property(fc.option(fc.constantFrom('', ' ', 'x', 'True', 'False'), { nil: null }), (x) => {
        const source = { x };
        expect(value('IsPresent([x])', source)).toBe(value('Not(IsNullOrEmpty([x]))', source));
        if (value('IsNull([x])', source) === 'True') expect(value('IsNullOrEmpty([x])', source)).toBe('True');
        if (x === 'True' || x === 'False') expect(value('Not(Not([x]))', source)).toBe(x);
      }),
    );
  });

  it('ConvertFromBase64 inverts ConvertToBase64 (UTF-16LE)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20, unit: 'grapheme' }), (s) => {
        expect(value('ConvertFromBase64(ConvertToBase64([s]))', { s })).toBe(s);
      }),
      { numRuns: 200 },
    );
  });

  it('DateDiff("d") undoes DateAdd("d"), and NumFromDate inverts DateFromNum on whole seconds', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: -5000, max: 5000 }), (date, days) => {
        const iso = new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString();
        expect(value(`DateDiff("d", CDate([d]), DateAdd("d", ${days}, CDate([d])))`, { d: iso })).toBe(String(days));
        const ticks = value('NumFromDate([d])', { d: iso });
        expect(value(`NumFromDate(DateFromNum("${String(ticks)}"))`)).toBe(ticks);
      }),
      { numRuns: 200 },
    );
  });

  it('Switch returns the value of the first equal key, else the default', () => {
    fc.assert(
      fc.property(fc.constantFrom('a', 'b', 'c', ''), fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', ''), fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 4 }), (s, pairs) => {
        const expression = `Switch([s], "default", ${pairs.map(([k, v]) => `${quote(k)}, ${quote(v)}`).join(', ')})`;
        const match = pairs.find(([k]) => k === s);
        expect(value(expression, { s })).toBe(match ? match[1] : 'default');
      }),
      { numRuns: 300 },
    );
  });
});
