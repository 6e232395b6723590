// docs/expressions.md must match the code: its catalogue table lists exactly functionCatalogue, with the same
// signatures and arities.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { functionCatalogue } from '../../expressions/index.js';

describe('docs/expressions.md', () => {
  it('has one catalogue row per function, with the signature and arity from functionCatalogue', () => {
    const doc = readFileSync(new URL('../../docs/expressions.md', import.meta.url), 'utf8');
    const table = doc.slice(doc.indexOf('<!-- catalogue table'), doc.indexOf('<!-- /catalogue table -->'));
    const rows = table
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| /, '').replace(/`/g, '')));
    expect(rows.map((r) => r[0])).toEqual(functionCatalogue.map((f) => f.name));
    for (const [name, signature, arity] of rows) {
      const info = functionCatalogue.find((f) => f.name === name);
      expect(signature).toBe(info?.signature);
      expect(arity).toBe(`${info?.minArgs}–${info?.maxArgs === Number.POSITIVE_INFINITY ? '∞' : info?.maxArgs}`);
    }
  });
});
