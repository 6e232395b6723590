import type { SourceSpan } from './ast.js';

/** The source line holding `offset` and a caret under `column`, for error messages. */
export function caretExcerpt(text: string, line: number, column: number): string {
  const lines = text.split(/\r\n|\r|\n/);
  let source = (lines[line - 1] ?? '').replace(/\t/g, ' ');
  let caret = Math.max(0, column - 1);
  // Long lines are shown as a window around the position.
  const width = 100;
  if (source.length > width) {
    const start = Math.max(0, Math.min(caret - width / 2, source.length - width));
    const end = start + width;
    source = `${start > 0 ? '…' : ''}${source.slice(start, end)}${end < source.length ? '…' : ''}`;
    caret = caret - start + (start > 0 ? 1 : 0);
  }
  return `  ${source}\n  ${' '.repeat(caret)}^`;
}

/** The text could not be parsed. `expected` lists what would have been accepted at `line`/`column`. */
export class ExpressionSyntaxError extends Error {
  override readonly name = 'ExpressionSyntaxError';
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly expected: readonly string[];
  readonly found: string;
  /** The message without the caret excerpt. */
  readonly reason: string;

  constructor(args: {
    text: string;
    offset: number;
    line: number;
    column: number;
    expected: readonly string[];
    found: string;
    reason?: string;
  }) {
    const reason = args.reason ?? `Expected ${describeExpected(args.expected)} but found ${args.found}`;
    super(`${reason} at line ${args.line}, column ${args.column}\n${caretExcerpt(args.text, args.line, args.column)}`);
    this.line = args.line;
    this.column = args.column;
    this.offset = args.offset;
    this.expected = args.expected;
    this.found = args.found;
    this.reason = reason;
  }
}

function describeExpected(expected: readonly string[]): string {
  if (expected.length === 0) return 'nothing more';
  if (expected.length === 1) return expected[0];
  return `${expected.slice(0, -1).join(', ')} or ${expected[expected.length - 1]}`;
}

/**
 * The expression parsed but cannot be evaluated: unknown function, wrong number of arguments, an argument the
 * function cannot use (e.g. an unparsable date), or `Error("…")`. Names the function and where it is.
 */
export class ExpressionEvaluationError extends Error {
  override readonly name = 'ExpressionEvaluationError';
  /** The function at fault, when there is one. */
  readonly functionName: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** The message without the position suffix. */
  readonly reason: string;

  constructor(reason: string, where?: { functionName?: string; span?: SourceSpan }) {
    const span = where?.span;
    super(span ? `${reason} (at line ${span.start.line}, column ${span.start.column})` : reason);
    this.functionName = where?.functionName;
    this.line = span?.start.line;
    this.column = span?.start.column;
    this.reason = reason;
  }
}
