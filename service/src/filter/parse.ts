// Recursive-descent parser for RFC 7644 §3.4.2.2 filters and §3.5.2 PATCH paths.
// Precedence (lowest first): or, and, not/grouping/attribute expressions. Operators, logical keywords
// and true/false/null are case-insensitive (ABNF literal strings are). Errors name what was expected and
// the 1-based character where it was expected, and are always ScimFilterError / ScimPathError.

import {
  compareOperators,
  type AttributePath,
  type CompareOperator,
  type Filter,
  type FilterValue,
  type PatchPath,
  type SubAttributeTest,
} from './ast.js';
import { ScimFilterError, ScimPathError } from './errors.js';

export interface ParseFilterOptions {
  /**
   * Accept unquoted words as string values (`userName sw O`, `meta.created gt 2015-10-10T14:38:21Z`).
   * RFC 7644 requires quotes; Microsoft's reference server and its Postman collection do not. Default true.
   */
  readonly allowUnquotedValues?: boolean;
  /** Longest accepted filter text. Default 10,000 characters. */
  readonly maxLength?: number;
}

const MAX_DEPTH = 64;
const DEFAULT_MAX_LENGTH = 10_000;
const ATTRIBUTE_NAME = /^[A-Za-z$][A-Za-z0-9_$-]*$/;
const PATH_CHAR = /[A-Za-z0-9_$:.\-]/;
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
// `urn:…:<version>:<ResourceType>` followed by `:attribute…` (e.g. `…:enterprise:2.0:User:manager`).
const SCHEMA_THEN_ATTRIBUTE = /^(urn:.+:\d+(?:\.\d+)*:[A-Za-z][A-Za-z0-9_-]*):(.+)$/i;
const SCHEMA_ONLY = /^urn:.+:\d+(?:\.\d+)*:[A-Za-z][A-Za-z0-9_-]*$/i;

type ErrorFactory = (message: string, position: number) => Error;

const filterError: ErrorFactory = (message, position) => new ScimFilterError(message, position);
const pathError: ErrorFactory = (message, position) => new ScimPathError(message, position);

function describe(text: string, position: number): string {
  if (position >= text.length) return 'end of input';
  const rest = text.slice(position);
  const token = /^\s/.test(rest) ? 'whitespace' : (rest.match(/^[^\s()[\]]+|^./)?.[0] ?? rest[0]);
  return token.length > 24 ? `"${token.slice(0, 24)}…"` : `"${token}"`;
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    readonly text: string,
    private readonly fail: ErrorFactory,
    private readonly what: string,
    private readonly allowUnquoted: boolean,
  ) {}

  error(expected: string, position = this.pos): Error {
    return this.fail(
      `Invalid ${this.what}: expected ${expected} at character ${position + 1}, found ${describe(this.text, position)}`,
      position,
    );
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  skipSpace(): boolean {
    const start = this.pos;
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
    return this.pos > start;
  }

  /** Case-insensitive keyword at the cursor that is followed by whitespace or one of `follow`. */
  keywordAhead(word: string, follow: string): boolean {
    const candidate = this.text.slice(this.pos, this.pos + word.length);
    if (candidate.toLowerCase() !== word) return false;
    const next = this.text[this.pos + word.length];
    return next !== undefined && (/\s/.test(next) || follow.includes(next));
  }

  expectChar(char: string, expected: string): void {
    if (this.peek() !== char) throw this.error(expected);
    this.pos++;
  }

  // filter := orExpr
  filter(inBrackets: boolean): Filter {
    if (++this.depth > MAX_DEPTH) {
      throw this.fail(`Invalid ${this.what}: nested deeper than ${MAX_DEPTH} levels at character ${this.pos + 1}`, this.pos);
    }
    let left = this.andExpr(inBrackets);
    for (;;) {
      const save = this.pos;
      if (!this.skipSpace() || !this.keywordAhead('or', '(')) {
        this.pos = save;
        break;
      }
      this.pos += 2;
      this.skipSpace();
      left = { kind: 'or', left, right: this.andExpr(inBrackets) };
    }
    this.depth--;
    return left;
  }

  andExpr(inBrackets: boolean): Filter {
    let left = this.unary(inBrackets);
    for (;;) {
      const save = this.pos;
      if (!this.skipSpace() || !this.keywordAhead('and', '(')) {
        this.pos = save;
        break;
      }
      this.pos += 3;
      this.skipSpace();
      left = { kind: 'and', left, right: this.unary(inBrackets) };
    }
    return left;
  }

  unary(inBrackets: boolean): Filter {
    if (this.keywordAhead('not', '(')) {
      const save = this.pos;
      this.pos += 3;
      this.skipSpace();
      if (this.peek() === '(') {
        this.pos++;
        return { kind: 'not', filter: this.group(inBrackets) };
      }
      // `not` not followed by "(" is an attribute named "not" (e.g. `not pr`), as the ABNF allows.
      this.pos = save;
    }
    if (this.peek() === '(') {
      this.pos++;
      return this.group(inBrackets);
    }
    return this.attributeExpression(inBrackets);
  }

  /** After an opening parenthesis: a filter and the closing parenthesis. */
  group(inBrackets: boolean): Filter {
    this.skipSpace();
    const inner = this.filter(inBrackets);
    this.skipSpace();
    this.expectChar(')', inner.kind === 'compare' || inner.kind === 'present' ? '"and", "or" or ")"' : '")"');
    return inner;
  }

  attributeExpression(inBrackets: boolean): Filter {
    const path = this.attributePath();
    if (this.peek() === '[') {
      if (inBrackets) throw this.error('an operator (value filters cannot be nested)');
      if (path.subAttribute !== undefined) throw this.error('an operator ("[" cannot follow a sub-attribute)');
      this.pos++;
      this.skipSpace();
      const inner = this.filter(true);
      this.skipSpace();
      this.expectChar(']', '"and", "or" or "]"');
      if (this.peek() !== '.') return { kind: 'valuePath', path, filter: inner };
      this.pos++;
      const subAttribute = this.attributeName('a sub-attribute name after "]."');
      return { kind: 'valuePath', path, filter: inner, then: this.subAttributeTest(subAttribute) };
    }
    const test = this.operatorAndValue();
    return test.operator === 'pr'
      ? { kind: 'present', path }
      : { kind: 'compare', path, operator: test.operator, value: test.value };
  }

  subAttributeTest(subAttribute: string): SubAttributeTest {
    const test = this.operatorAndValue();
    return test.operator === 'pr' ? { subAttribute, operator: 'pr' } : { subAttribute, operator: test.operator, value: test.value };
  }

  operatorAndValue(): { operator: 'pr' } | { operator: CompareOperator; value: FilterValue } {
    if (!this.skipSpace()) throw this.error('whitespace and an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)');
    const start = this.pos;
    const word = this.text.slice(this.pos, this.pos + 2).toLowerCase();
    const after = this.text[this.pos + 2];
    const delimited = after === undefined || /[\s()\]]/.test(after);
    if (word === 'pr' && delimited) {
      this.pos += 2;
      return { operator: 'pr' };
    }
    if (!compareOperators.includes(word as CompareOperator) || !delimited) {
      throw this.error('an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)', start);
    }
    this.pos += 2;
    if (!this.skipSpace()) throw this.error(`whitespace and a value after "${word}"`);
    return { operator: word as CompareOperator, value: this.value() };
  }

  value(): FilterValue {
    const start = this.pos;
    if (this.peek() === '"') {
      let end = this.pos + 1;
      while (end < this.text.length && this.text[end] !== '"') end += this.text[end] === '\\' ? 2 : 1;
      if (end >= this.text.length) throw this.error('a closing quote for the string that starts here', start);
      const literal = this.text.slice(start, end + 1);
      try {
        const parsed: unknown = JSON.parse(literal);
        this.pos = end + 1;
        return parsed as string;
      } catch {
        throw this.error('a valid JSON string (check backslash escapes and control characters)', start);
      }
    }
    let end = this.pos;
    while (end < this.text.length && !/[\s()[\]"]/.test(this.text[end])) end++;
    const word = this.text.slice(start, end);
    if (word === '') throw this.error('a value (a quoted string, a number, true, false or null)');
    const lower = word.toLowerCase();
    let result: FilterValue;
    if (lower === 'true') result = true;
    else if (lower === 'false') result = false;
    else if (lower === 'null') result = null;
    else if (NUMBER.test(word)) {
      const n = Number(word);
      if (!Number.isFinite(n)) throw this.error('a number within range', start);
      result = n === 0 ? 0 : n; // no -0
    } else if (this.allowUnquoted) result = word;
    else throw this.error('a value (a quoted string, a number, true, false or null)', start);
    this.pos = end;
    return result;
  }

  attributeName(expected: string): string {
    const start = this.pos;
    while (this.pos < this.text.length && /[A-Za-z0-9_$-]/.test(this.text[this.pos])) this.pos++;
    const name = this.text.slice(start, this.pos);
    if (!ATTRIBUTE_NAME.test(name)) throw this.error(expected, start);
    return name;
  }

  /** Raw path token: letters, digits, `_ $ - : .`, then split into schema URN, attribute and sub-attribute. */
  rawPath(): { raw: string; start: number } {
    const start = this.pos;
    while (this.pos < this.text.length && PATH_CHAR.test(this.text[this.pos])) this.pos++;
    return { raw: this.text.slice(start, this.pos), start };
  }

  attributePath(): AttributePath {
    const { raw, start } = this.rawPath();
    if (raw === '') throw this.error('an attribute name, "(" or "not"', start);
    return this.splitPath(raw, start);
  }

  splitPath(raw: string, start: number): AttributePath {
    let schema: string | undefined;
    let rest = raw;
    if (/^urn:/i.test(raw)) {
      const match = SCHEMA_THEN_ATTRIBUTE.exec(raw);
      const cut = match ? match[1].length : raw.lastIndexOf(':');
      schema = raw.slice(0, cut);
      rest = raw.slice(cut + 1);
      if (rest === '') throw this.error('an attribute name after the schema URN', start + raw.length);
    } else if (raw.includes(':')) {
      throw this.error('an attribute name (schema URNs start with "urn:")', start);
    }
    const parts = rest.split('.');
    const offset = start + raw.length - rest.length;
    if (parts.length > 2) {
      throw this.error('at most one sub-attribute (attribute.subAttribute)', offset + parts[0].length + parts[1].length + 1);
    }
    if (!ATTRIBUTE_NAME.test(parts[0])) throw this.error('an attribute name', offset);
    if (parts.length === 2 && !ATTRIBUTE_NAME.test(parts[1])) {
      throw this.error('a sub-attribute name after "."', offset + parts[0].length + 1);
    }
    return {
      ...(schema !== undefined ? { schema } : {}),
      attribute: parts[0],
      ...(parts.length === 2 ? { subAttribute: parts[1] } : {}),
    };
  }

  patchPath(): PatchPath {
    const { raw, start } = this.rawPath();
    if (raw === '') throw this.error('an attribute name', start);
    if (this.atEnd() && SCHEMA_ONLY.test(raw)) return { kind: 'schema', schema: raw };
    const path = this.splitPath(raw, start);
    if (this.peek() !== '[') return { kind: 'attribute', path };
    if (path.subAttribute !== undefined) throw this.error('end of path ("[" cannot follow a sub-attribute)');
    this.pos++;
    this.skipSpace();
    const filter = this.filter(true);
    this.skipSpace();
    this.expectChar(']', '"and", "or" or "]"');
    if (this.peek() !== '.') return { kind: 'valuePath', path, filter };
    this.pos++;
    return { kind: 'valuePath', path, filter, subAttribute: this.attributeName('a sub-attribute name after "]."') };
  }
}

function checkInput(text: unknown, what: string, fail: ErrorFactory, maxLength: number): string {
  if (typeof text !== 'string') throw fail(`Invalid ${what}: expected a string`, -1);
  if (text.length > maxLength) throw fail(`Invalid ${what}: longer than ${maxLength} characters`, maxLength);
  return text;
}

/** Parse a `filter` query parameter. Throws ScimFilterError (→ 400 invalidFilter). */
export function parseFilter(text: string, options: ParseFilterOptions = {}): Filter {
  const input = checkInput(text, 'filter', filterError, options.maxLength ?? DEFAULT_MAX_LENGTH);
  const parser = new Parser(input, filterError, 'filter', options.allowUnquotedValues ?? true);
  parser.skipSpace();
  if (parser.atEnd()) throw parser.error('a filter expression');
  const filter = parser.filter(false);
  parser.skipSpace();
  if (!parser.atEnd()) throw parser.error('"and", "or" or the end of the filter');
  return filter;
}

/** Parse a PATCH operation `path`. Throws ScimPathError (→ 400 invalidPath), also for a bad filter inside `[…]`. */
export function parsePatchPath(text: string, options: ParseFilterOptions = {}): PatchPath {
  const input = checkInput(text, 'path', pathError, options.maxLength ?? DEFAULT_MAX_LENGTH);
  const parser = new Parser(input.trim(), pathError, 'path', options.allowUnquotedValues ?? true);
  const path = parser.patchPath();
  if (!parser.atEnd()) throw parser.error('the end of the path');
  return path;
}

/** Parse an attribute path as used in `attributes`, `excludedAttributes` and `sortBy`. Throws ScimFilterError. */
export function parseAttributePath(text: string): AttributePath {
  const input = checkInput(text, 'attribute path', filterError, DEFAULT_MAX_LENGTH);
  const parser = new Parser(input.trim(), filterError, 'attribute path', false);
  const path = parser.attributePath();
  if (!parser.atEnd()) throw parser.error('the end of the attribute path');
  return path;
}
