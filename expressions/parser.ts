import {
  type BinaryOperator,
  type Expression,
  type SourcePosition,
  type SourceSpan,
  isKeyword,
  keywords,
} from './ast.js';
import { ExpressionSyntaxError } from './errors.js';

/** Deeper nesting than this is rejected with a syntax error instead of overflowing the stack. */
const maxDepth = 256;

const operandExpected = ['a function call', 'an [attribute]', 'a "string"', 'a number', 'a keyword'];

/**
 * Parses Entra's attribute-mapping expression language (reference §3.1) into an AST with source positions.
 * Whitespace, tabs and line breaks are allowed between all tokens. Throws only {@link ExpressionSyntaxError}.
 */
export function parseExpression(text: string): Expression {
  if (typeof text !== 'string') {
    throw new ExpressionSyntaxError({ text: '', offset: 0, line: 1, column: 1, expected: ['expression text'], found: typeof text });
  }
  const parser = new Parser(text);
  const expression = parser.expression(0);
  parser.skipWhitespace();
  if (!parser.atEnd()) parser.failAfterOperand(['an operator', 'end of expression']);
  return expression;
}

class Parser {
  private pos = 0;
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.lineStarts.push(i + 1);
    }
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipWhitespace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  position(offset: number): SourcePosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { offset, line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }

  private span(start: number): SourceSpan {
    return { start: this.position(start), end: this.position(this.pos) };
  }

  fail(expected: readonly string[], options: { at?: number; reason?: string } = {}): never {
    const at = options.at ?? this.pos;
    const { line, column } = this.position(at);
    throw new ExpressionSyntaxError({
      text: this.text,
      offset: at,
      line,
      column,
      expected,
      found: this.describe(at),
      reason: options.reason,
    });
  }

  private describe(at: number): string {
    if (at >= this.text.length) return 'end of expression';
    const c = this.text[at];
    if (c === '\n' || c === '\r') return 'a line break';
    return JSON.stringify(c);
  }

  /** expression = concat { compareOp concat } ; concat = operand { "&" operand } */
  expression(depth: number): Expression {
    if (depth > maxDepth) this.fail([], { reason: `Expression is nested more than ${maxDepth} levels deep` });
    const start = this.skipAndMark();
    let left = this.concatenation(depth);
    for (;;) {
      this.skipWhitespace();
      const operator = this.comparisonOperator();
      if (!operator) return left;
      const right = this.concatenation(depth);
      left = { kind: 'binary', operator, left, right, span: this.span(start) };
    }
  }

  private skipAndMark(): number {
    this.skipWhitespace();
    return this.pos;
  }

  private concatenation(depth: number): Expression {
    const start = this.skipAndMark();
    let left = this.operand(depth);
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '&') return left;
      this.pos++;
      const right = this.operand(depth);
      left = { kind: 'binary', operator: '&', left, right, span: this.span(start) };
    }
  }

  private comparisonOperator(): BinaryOperator | undefined {
    const c = this.text[this.pos];
    const next = this.text[this.pos + 1];
    if (c === '=') {
      this.pos += 1;
      return '=';
    }
    if (c === '<') {
      if (next === '>' || next === '=') {
        this.pos += 2;
        return next === '>' ? '<>' : '<=';
      }
      this.pos += 1;
      return '<';
    }
    if (c === '>') {
      if (next === '=') {
        this.pos += 2;
        return '>=';
      }
      this.pos += 1;
      return '>';
    }
    return undefined;
  }

  private operand(depth: number): Expression {
    this.skipWhitespace();
    const start = this.pos;
    const c = this.text[this.pos];
    if (c === undefined) this.fail(operandExpected);
    if (c === '"') return this.string();
    if (c === '[') return this.attribute();
    if (c === '&') return this.hex();
    if (c === '-' || isDigit(c)) return this.number();
    if (c === '(') {
      // Grouping is not in Microsoft's grammar; accepted so that every AST has a textual form (docs/expressions.md).
      this.pos++;
      const inner = this.expression(depth + 1);
      this.skipWhitespace();
      if (this.text[this.pos] !== ')') this.fail(['")"']);
      this.pos++;
      return inner;
    }
    if (isIdentifierStart(c)) {
      let end = this.pos + 1;
      while (end < this.text.length && isIdentifierPart(this.text[end])) end++;
      const name = this.text.slice(this.pos, end);
      this.pos = end;
      this.skipWhitespace();
      if (this.text[this.pos] === '(') return this.call(name, start, depth);
      this.pos = end;
      if (isKeyword(name)) return { kind: 'keyword', name, span: this.span(start) };
      this.fail([`"(" to call ${name}`, ...keywords], {
        at: start,
        reason: `Unknown name ${JSON.stringify(name)}: expected a function call such as ${name}(…) or one of the keywords ${keywords.join(', ')}`,
      });
    }
    if (c === "'" || c === '\u201c' || c === '\u201d' || c === '\u2018' || c === '\u2019') {
      this.fail(operandExpected, { reason: `Strings are written in straight double quotes ("…") but found ${this.describe(this.pos)}` });
    }
    this.fail(operandExpected);
  }

  /** A hint for `AND`/`OR` where an operator or separator was expected (reference §3.1: there are none). */
  failAfterOperand(expected: readonly string[]): never {
    const word = /^(and|or)\b/i.exec(this.text.slice(this.pos));
    if (word) {
      this.fail(expected, {
        reason: `There is no ${word[1].toUpperCase()} operator: nest IIF calls instead (AND along the true branch, OR along the false branch)`,
      });
    }
    this.fail(expected);
  }

  private call(name: string, start: number, depth: number): Expression {
    this.pos++; // "("
    const args: (Expression | null)[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ')') {
      this.pos++;
      return { kind: 'call', name, args, span: this.span(start) };
    }
    for (;;) {
      this.skipWhitespace();
      const c = this.text[this.pos];
      args.push(c === ',' || c === ')' ? null : this.expression(depth + 1));
      this.skipWhitespace();
      const after = this.text[this.pos];
      if (after === ',') {
        this.pos++;
        continue;
      }
      if (after === ')') {
        this.pos++;
        return { kind: 'call', name, args, span: this.span(start) };
      }
      this.failAfterOperand(['","', `")" to close ${name}(`]);
    }
  }

  private string(): Expression {
    const start = this.pos;
    this.pos++;
    let value = '';
    let chunk = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === '"') {
        value += this.text.slice(chunk, this.pos);
        this.pos++;
        return { kind: 'string', value, span: this.span(start) };
      }
      if (c === '\\') {
        const next = this.text[this.pos + 1];
        if (next === '"' || next === '\\') {
          value += this.text.slice(chunk, this.pos) + next;
          this.pos += 2;
          chunk = this.pos;
          continue;
        }
        // "\" followed by anything else keeps both characters (regex literals in Microsoft samples, reference §3.1).
      }
      this.pos++;
    }
    this.fail(['"\\"" to close the string'], {
      at: start,
      reason: 'Unterminated string: the string starting here has no closing "',
    });
  }

  private attribute(): Expression {
    const start = this.pos;
    this.pos++;
    const nameStart = this.pos;
    while (this.pos < this.text.length && this.text[this.pos] !== ']') {
      const c = this.text[this.pos];
      if (c === '\n' || c === '\r' || c === '[') this.fail(['"]" to close the attribute name']);
      this.pos++;
    }
    if (this.atEnd()) this.fail(['"]" to close the attribute name']);
    const name = this.text.slice(nameStart, this.pos).trim();
    if (name === '') this.fail(['an attribute name'], { reason: 'Empty attribute reference []: expected an attribute name' });
    this.pos++;
    return { kind: 'attribute', name, span: this.span(start) };
  }

  private hex(): Expression {
    const start = this.pos;
    this.pos++;
    const h = this.text[this.pos];
    if (h !== 'H' && h !== 'h') this.fail(['"&H" followed by hexadecimal digits']);
    this.pos++;
    const digitsStart = this.pos;
    while (this.pos < this.text.length && /[0-9A-Fa-f]/.test(this.text[this.pos])) this.pos++;
    if (this.pos === digitsStart) this.fail(['hexadecimal digits after "&H"']);
    if (this.pos < this.text.length && isIdentifierPart(this.text[this.pos])) this.fail(['hexadecimal digits', 'a separator']);
    return { kind: 'hex', digits: this.text.slice(digitsStart, this.pos).toUpperCase(), span: this.span(start) };
  }

  private number(): Expression {
    const start = this.pos;
    if (this.text[this.pos] === '-') this.pos++;
    const digitsStart = this.pos;
    while (this.pos < this.text.length && isDigit(this.text[this.pos])) this.pos++;
    if (this.pos === digitsStart) this.fail(['a digit after "-"']);
    if (this.pos < this.text.length && isIdentifierPart(this.text[this.pos])) this.fail(['a digit', 'a separator']);
    return { kind: 'number', text: this.text.slice(start, this.pos), span: this.span(start) };
  }
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isIdentifierStart(c: string): boolean {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c === '_';
}

function isIdentifierPart(c: string): boolean {
  return isIdentifierStart(c) || isDigit(c);
}
