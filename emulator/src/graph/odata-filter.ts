// A small OData v4 `$filter` interpreter: the subset Graph clients send to the endpoints we emulate
// (eq/ne/gt/ge/lt/le, and/or/not, parentheses, contains/startswith/endswith/tolower/toupper,
// property paths with `/`, string/number/boolean/null/date-time/GUID literals).
import { badRequest } from './errors.js';

type Literal = string | number | boolean | null;
type Node =
  | { kind: 'literal'; value: Literal; isDate: boolean }
  | { kind: 'path'; segments: string[] }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'compare'; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; left: Node; right: Node }
  | { kind: 'logic'; op: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; operand: Node };

export interface ODataFilter {
  readonly text: string;
  matches(record: unknown): boolean;
}

const FUNCTIONS = new Set(['contains', 'startswith', 'endswith', 'tolower', 'toupper']);
const COMPARE = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(' || c === ')' || c === ',') { tokens.push(c); i++; continue; }
    if (c === "'") {
      let j = i + 1;
      let s = '';
      for (;;) {
        if (j >= text.length) throw badRequest(`Invalid filter clause: unterminated string literal in '${text}'.`);
        if (text[j] === "'") {
          if (text[j + 1] === "'") { s += "'"; j += 2; continue; }
          break;
        }
        s += text[j++];
      }
      tokens.push(`'${s}`); // marker: leading quote = string literal
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s(),']/.test(text[j])) j++;
    tokens.push(text.slice(i, j));
    i = j;
  }
  return tokens;
}

function parse(text: string): Node {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const fail = (what: string): never => {
    throw badRequest(`Invalid filter clause: ${what} in '${text}'.`);
  };
  const expect = (t: string): void => {
    if (tokens[pos] !== t) fail(`expected '${t}' at token ${pos + 1}`);
    pos++;
  };
  const orExpr = (): Node => {
    let left = andExpr();
    while (peek()?.toLowerCase() === 'or') { pos++; left = { kind: 'logic', op: 'or', left, right: andExpr() }; }
    return left;
  };
  const andExpr = (): Node => {
    let left = unary();
    while (peek()?.toLowerCase() === 'and') { pos++; left = { kind: 'logic', op: 'and', left, right: unary() }; }
    return left;
  };
  const unary = (): Node => {
    if (peek()?.toLowerCase() === 'not') { pos++; return { kind: 'not', operand: unary() }; }
    if (peek() === '(') { pos++; const inner = orExpr(); expect(')'); return maybeCompare(inner); }
    return maybeCompare(operand());
  };
  const maybeCompare = (left: Node): Node => {
    const op = peek()?.toLowerCase();
    if (op && COMPARE.has(op)) {
      pos++;
      return { kind: 'compare', op: op as 'eq', left, right: operand() };
    }
    return left;
  };
  const operand = (): Node => {
    const t = tokens[pos++];
    if (t === undefined) return fail('unexpected end');
    if (t.startsWith("'")) return { kind: 'literal', value: t.slice(1), isDate: false };
    if (FUNCTIONS.has(t.toLowerCase()) && peek() === '(') {
      pos++;
      const args: Node[] = [];
      if (peek() !== ')') {
        for (;;) {
          args.push(orExpr());
          if (peek() === ',') { pos++; continue; }
          break;
        }
      }
      expect(')');
      return { kind: 'call', name: t.toLowerCase(), args };
    }
    if (t === 'true' || t === 'false') return { kind: 'literal', value: t === 'true', isDate: false };
    if (t === 'null') return { kind: 'literal', value: null, isDate: false };
    if (DATE.test(t)) return { kind: 'literal', value: t, isDate: true };
    if (/^-?\d+(\.\d+)?$/.test(t)) return { kind: 'literal', value: Number(t), isDate: false };
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(t)) return { kind: 'literal', value: t, isDate: false };
    if (/^[A-Za-z_@][\w@.]*(\/[A-Za-z_@][\w@.]*)*$/.test(t)) return { kind: 'path', segments: t.split('/') };
    return fail(`unexpected '${t}'`);
  };
  const node = orExpr();
  if (pos !== tokens.length) fail(`unexpected '${tokens[pos]}'`);
  return node;
}

function resolvePath(record: unknown, segments: string[]): unknown {
  let current: unknown = record;
  for (const s of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    const obj = current as Record<string, unknown>;
    current = s in obj ? obj[s] : obj[Object.keys(obj).find((k) => k.toLowerCase() === s.toLowerCase()) ?? s];
  }
  return current;
}

export interface FilterOptions {
  /** Directory string comparisons (userPrincipalName, displayName, appId) ignore case in Graph; audit logs do not. */
  caseInsensitive?: boolean;
}

export function parseODataFilter(text: string, options: FilterOptions = {}): ODataFilter {
  const root = parse(text);
  const fold = (v: unknown): unknown => (options.caseInsensitive && typeof v === 'string' ? v.toLowerCase() : v);
  const value = (node: Node, record: unknown): unknown => {
    switch (node.kind) {
      case 'literal': return node.value;
      case 'path': return resolvePath(record, node.segments);
      case 'call': {
        const args = node.args.map((a) => value(a, record));
        const s = (i: number): string | null => (typeof args[i] === 'string' ? (args[i] as string) : null);
        if (node.name === 'tolower') return s(0)?.toLowerCase() ?? null;
        if (node.name === 'toupper') return s(0)?.toUpperCase() ?? null;
        const a = s(0), b = s(1);
        if (a === null || b === null) return false;
        const [x, y] = [fold(a) as string, fold(b) as string];
        if (node.name === 'contains') return x.includes(y);
        if (node.name === 'startswith') return x.startsWith(y);
        return x.endsWith(y);
      }
      default: return test(node, record);
    }
  };
  const compare = (op: string, l: unknown, r: unknown, dates: boolean): boolean => {
    if (dates && typeof l === 'string' && typeof r === 'string') {
      const [a, b] = [Date.parse(l), Date.parse(r)];
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      l = a; r = b;
    } else {
      l = fold(l ?? null); r = fold(r ?? null);
    }
    switch (op) {
      case 'eq': return l === r;
      case 'ne': return l !== r;
      default: {
        if (l === null || r === null) return false;
        const [a, b] = [l as number | string, r as number | string];
        return op === 'gt' ? a > b : op === 'ge' ? a >= b : op === 'lt' ? a < b : a <= b;
      }
    }
  };
  const test = (node: Node, record: unknown): boolean => {
    switch (node.kind) {
      case 'logic': return node.op === 'and' ? test(node.left, record) && test(node.right, record) : test(node.left, record) || test(node.right, record);
      case 'not': return !test(node.operand, record);
      case 'compare': {
        const dates = (node.left.kind === 'literal' && node.left.isDate) || (node.right.kind === 'literal' && node.right.isDate);
        return compare(node.op, value(node.left, record), value(node.right, record), dates);
      }
      default: return value(node, record) === true;
    }
  };
  return { text, matches: (record) => test(root, record) };
}
