// RFC 7644 §3.4.2.2 filter and PATCH path parser producing the storage contract's Filter / AttrPath.
// Operators, attribute names and keywords are case-insensitive; values must be JSON literals
// (quoted strings, numbers, true/false/null).
import type { AttrPath, CompareOp, Filter, FilterValue } from '../storage/contract.js';
import { badRequest } from './errors.js';

const compareOps = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);

interface Token {
  kind: 'word' | 'string' | '(' | ')' | '[' | ']';
  text: string;
  pos: number;
}

function tokenize(input: string, scimType: 'invalidFilter' | 'invalidPath'): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ kind: c, text: c, pos: i });
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < input.length && input[j] !== '"') j += input[j] === '\\' ? 2 : 1;
      if (j >= input.length) throw badRequest(scimType, `unterminated string starting at position ${i + 1} in "${input}"; close it with a double quote`);
      const raw = input.slice(i, j + 1);
      let text: string;
      try {
        text = JSON.parse(raw) as string;
      } catch {
        throw badRequest(scimType, `invalid string ${raw} at position ${i + 1}; use JSON escapes only`);
      }
      tokens.push({ kind: 'string', text, pos: i });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < input.length && !/[\s()[\]"]/.test(input[j]!)) j++;
    tokens.push({ kind: 'word', text: input.slice(i, j), pos: i });
    i = j;
  }
  return tokens;
}

const attrNamePattern = /^\$?[A-Za-z][\w$-]*$/;

/** Parses `[urn:…:]attr[.sub]` (no brackets). */
function parseSimplePath(text: string, scimType: 'invalidFilter' | 'invalidPath', full: string): AttrPath {
  let uri: string | undefined;
  let rest = text;
  if (/^urn:/i.test(text)) {
    const cut = text.lastIndexOf(':');
    uri = text.slice(0, cut);
    rest = text.slice(cut + 1);
  }
  const parts = rest.split('.');
  if (parts.length > 2 || parts.some((p) => !attrNamePattern.test(p))) {
    throw badRequest(scimType, `"${text}" is not a valid attribute path in "${full}"; expected attr, attr.subAttr or urn:…:attr`);
  }
  return { ...(uri ? { uri } : {}), attr: parts[0]!, ...(parts[1] ? { sub: parts[1] } : {}) };
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly input: string,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private fail(detail: string): never {
    throw badRequest('invalidFilter', `${detail} in filter "${this.input}"`);
  }
  private keyword(word: string): boolean {
    const t = this.peek();
    if (t?.kind === 'word' && t.text.toLowerCase() === word) {
      this.i++;
      return true;
    }
    return false;
  }

  parseAll(): Filter {
    const f = this.parseOr();
    const t = this.peek();
    if (t) this.fail(`unexpected "${t.text}" at position ${t.pos + 1}`);
    return f;
  }
  parseOr(): Filter {
    let left = this.parseAnd();
    while (this.keyword('or')) left = { kind: 'or', left, right: this.parseAnd() };
    return left;
  }
  parseAnd(): Filter {
    let left = this.parseUnary();
    while (this.keyword('and')) left = { kind: 'and', left, right: this.parseUnary() };
    return left;
  }
  parseUnary(): Filter {
    const t = this.peek();
    if (!t) this.fail('the filter ends too early; expected an expression like userName eq "x"');
    if (t.kind === 'word' && t.text.toLowerCase() === 'not' && this.tokens[this.i + 1]?.kind === '(') {
      this.i++;
      return { kind: 'not', filter: this.parseGroup() };
    }
    if (t.kind === '(') return this.parseGroup();
    return this.parseAttrExpr();
  }
  parseGroup(): Filter {
    this.i++; // (
    const f = this.parseOr();
    if (this.peek()?.kind !== ')') this.fail('missing ")"');
    this.i++;
    return f;
  }
  parseAttrExpr(): Filter {
    const t = this.peek()!;
    if (t.kind !== 'word') this.fail(`expected an attribute name at position ${t.pos + 1}, found "${t.text}"`);
    this.i++;
    const path = parseSimplePath(t.text, 'invalidFilter', this.input);
    if (this.peek()?.kind === '[') {
      if (path.sub) this.fail(`"${t.text}[" : a value filter must follow a multi-valued attribute, not a sub-attribute`);
      this.i++;
      const inner = this.parseOr();
      if (this.peek()?.kind !== ']') this.fail('missing "]"');
      this.i++;
      path.filter = inner;
      const next = this.peek();
      if (next?.kind === 'word' && next.text.startsWith('.')) {
        this.i++;
        const sub = next.text.slice(1);
        if (!attrNamePattern.test(sub)) this.fail(`"${next.text}" is not a valid sub-attribute`);
        path.sub = sub;
      } else {
        return { kind: 'valuePath', path: { ...(path.uri ? { uri: path.uri } : {}), attr: path.attr }, filter: inner };
      }
    }
    const opToken = this.peek();
    if (!opToken || opToken.kind !== 'word') this.fail(`expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after "${t.text}"`);
    const op = opToken.text.toLowerCase();
    this.i++;
    if (op === 'pr') return { kind: 'present', path };
    if (!compareOps.has(op)) this.fail(`unknown operator "${opToken.text}"; use eq, ne, co, sw, ew, gt, ge, lt, le or pr`);
    const v = this.peek();
    if (!v) this.fail(`missing value after "${opToken.text}"`);
    this.i++;
    let value: FilterValue;
    if (v.kind === 'string') value = v.text;
    else if (v.kind === 'word' && /^(true|false)$/i.test(v.text)) value = v.text.toLowerCase() === 'true';
    else if (v.kind === 'word' && v.text.toLowerCase() === 'null') value = null;
    else if (v.kind === 'word' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v.text)) value = Number(v.text);
    else this.fail(`the value ${v.text} must be a JSON literal: put strings in double quotes, e.g. ${t.text} ${op} "${v.text}"`);
    return { kind: 'compare', path, op: op as CompareOp, value };
  }
}

export function parseFilter(text: string): Filter {
  if (!text.trim()) throw badRequest('invalidFilter', 'the filter is empty; use e.g. userName eq "alice@example.com"');
  if (text.length > 10_000) throw badRequest('invalidFilter', 'the filter is longer than 10000 characters');
  return new Parser(tokenize(text, 'invalidFilter'), text).parseAll();
}

/** PATCH path: attr, attr.sub, urn:…:attr[.sub], attr[filter], attr[filter].sub. */
export function parsePath(text: string): AttrPath {
  const trimmed = text.trim();
  if (!trimmed) throw badRequest('invalidPath', 'the PATCH path is empty; omit "path" or name an attribute such as "displayName"');
  const bracket = trimmed.indexOf('[');
  if (bracket < 0) return parseSimplePath(trimmed, 'invalidPath', text);
  const close = trimmed.lastIndexOf(']');
  if (close < bracket) throw badRequest('invalidPath', `missing "]" in path "${text}"`);
  const path = parseSimplePath(trimmed.slice(0, bracket), 'invalidPath', text);
  if (path.sub) throw badRequest('invalidPath', `a value filter must follow a multi-valued attribute in "${text}"`);
  let filter: Filter;
  try {
    filter = parseFilter(trimmed.slice(bracket + 1, close));
  } catch (error) {
    throw badRequest('invalidPath', `the value filter in path "${text}" is invalid: ${(error as Error).message}`);
  }
  const after = trimmed.slice(close + 1);
  if (after && !/^\.\$?[A-Za-z][\w$-]*$/.test(after)) throw badRequest('invalidPath', `unexpected "${after}" after "]" in path "${text}"; expected .subAttribute`);
  return { ...path, filter, ...(after ? { sub: after.slice(1) } : {}) };
}
