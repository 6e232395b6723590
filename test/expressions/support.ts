import { readFileSync } from 'node:fs';
import type { Expression } from '../../expressions/index.js';

/** One vector of fixtures/expression-examples.json (field meanings: mapping-expressions.md §7). */
export interface ExpressionVector {
  id: string;
  expression: string;
  input: Record<string, string | string[] | null>;
  output: string | string[] | null;
  source: string;
  now?: string;
  existingTargetValues?: string[];
  flowIgnored?: boolean;
  expectError?: string;
  outputKind?: string;
  outputPattern?: string;
  parseOnly?: boolean;
  derived?: string;
  flavor?: string;
  docInconsistent?: { docOutput: string | string[]; literalOutput: string | string[]; reason: string };
  note?: string;
  logValue?: string;
}

export const vectors: ExpressionVector[] = JSON.parse(
  readFileSync(new URL('./fixtures/expression-examples.json', import.meta.url), 'utf8'),
) as ExpressionVector[];

/** The AST without source positions, for structural comparison. */
export function withoutPositions(ast: Expression): unknown {
  return JSON.parse(JSON.stringify(ast, (key, value: unknown) => (key === 'span' ? undefined : value)));
}
