import type { CallExpression, Expression } from './ast.js';
import { findFunction, parameterFor, suggestFunction } from './catalogue.js';
import {
  dateAdd,
  dateDiff,
  fileTimeToMs,
  formatDate,
  formatWithFormat,
  isDateInterval,
  msToFileTime,
  parseDate,
  parseWithFormat,
} from './dates.js';
import { ExpressionEvaluationError } from './errors.js';
import { parseExpression } from './parser.js';
import {
  compileDotNetRegex,
  firstGroup,
  normalizeDiacritics,
  properCase,
  randomGuid,
  randomString,
  regexReplace,
  regexReplaceGroup,
} from './text.js';
import type { EvaluateOptions, EvaluationResult, SourceObject, Value } from './values.js';

/** Values inside the evaluator: a string, null, or a multi-valued list (strings or complex values). */
type Val = string | null | readonly Value[];

interface Context {
  readonly source: SourceObject;
  readonly options: EvaluateOptions;
  redacted: boolean;
  nowMs: number | undefined;
}

type Thunk = (ctx: Context) => Val;
type Impl = (args: readonly Thunk[], node: CallExpression, present: readonly boolean[]) => Thunk;

/** Thrown through the evaluation by IgnoreFlowIfNullOrEmpty / IgnoreAttributeFlow; caught at the top. */
const ignoreFlow = Symbol('ignoreFlow');
class Escrow {
  constructor(readonly reason: string) {}
}

const nullThunk: Thunk = () => null;

/** Thunks of literals, with their value, so functions can do work once at compile time (regexes, numbers). */
const constants = new WeakMap<Thunk, string>();

function constantThunk(value: string): Thunk {
  const thunk: Thunk = () => value;
  constants.set(thunk, value);
  return thunk;
}

// ---------------------------------------------------------------------------------------------------------------
// Public entry points.

/** A compiled expression: parse and check once, evaluate for many source objects. */
export interface CompiledExpression {
  readonly ast: Expression;
  evaluate(source: SourceObject, options?: EvaluateOptions): EvaluationResult;
}

const astCache = new WeakMap<Expression, CompiledExpression>();
const textCache = new Map<string, CompiledExpression>();
const textCacheLimit = 2000;

/**
 * Compiles an expression (text or AST). Throws ExpressionSyntaxError for text that does not parse and
 * ExpressionEvaluationError for an unknown function or a wrong number of arguments.
 */
export function compileExpression(expr: string | Expression): CompiledExpression {
  if (typeof expr === 'string') {
    let compiled = textCache.get(expr);
    if (!compiled) {
      compiled = compileAst(parseExpression(expr));
      if (textCache.size >= textCacheLimit) textCache.clear();
      textCache.set(expr, compiled);
    }
    return compiled;
  }
  let compiled = astCache.get(expr);
  if (!compiled) {
    compiled = compileAst(expr);
    astCache.set(expr, compiled);
  }
  return compiled;
}

/**
 * Evaluates an expression for one source object. Throws ExpressionSyntaxError (text does not parse) or
 * ExpressionEvaluationError (unknown function, wrong arity, unusable argument, `Error()`); special outcomes are
 * results: `ignoreFlow` and `escrow`.
 */
export function evaluateExpression(expr: string | Expression, source: SourceObject, options: EvaluateOptions = {}): EvaluationResult {
  return compileExpression(expr).evaluate(source, options);
}

/** Every problem that would stop evaluation (unknown functions, arity, misplaced SelectUniqueValue), without evaluating. */
export function checkExpression(ast: Expression): ExpressionEvaluationError[] {
  const errors: ExpressionEvaluationError[] = [];
  compileNode(ast, true, errors);
  return errors;
}

function compileAst(ast: Expression): CompiledExpression {
  const thunk = compileNode(ast, true, undefined);
  return {
    ast,
    evaluate(source, options = {}) {
      const ctx: Context = { source, options, redacted: false, nowMs: undefined };
      try {
        const value = thunk(ctx);
        const out = toPublic(value);
        return ctx.redacted ? { kind: 'value', value: out, redacted: true } : { kind: 'value', value: out };
      } catch (error) {
        if (error === ignoreFlow) return { kind: 'ignoreFlow' };
        if (error instanceof Escrow) return { kind: 'escrow', reason: error.reason };
        throw error;
      }
    },
  };
}

function toPublic(value: Val): Value {
  if (value === null || typeof value === 'string') return value;
  return value.length === 0 ? [] : [...value];
}

// ---------------------------------------------------------------------------------------------------------------
// Compilation to closures.

function compileNode(node: Expression, top: boolean, errors: ExpressionEvaluationError[] | undefined): Thunk {
  switch (node.kind) {
    case 'string':
      return constantThunk(node.value);
    case 'number':
      return constantThunk(node.text);
    case 'hex':
      return constantThunk(BigInt(`0x${node.digits}`).toString());
    case 'keyword': {
      if (node.name === 'IgnoreAttributeFlow') {
        return () => {
          throw ignoreFlow;
        };
      }
      const value = node.name;
      return () => value;
    }
    case 'attribute':
      return attributeReader(node.name);
    case 'binary': {
      const left = compileNode(node.left, false, errors);
      const right = compileNode(node.right, false, errors);
      if (node.operator === '&') return (ctx) => text(left(ctx)) + text(right(ctx));
      const compare = comparators[node.operator];
      return (ctx) => bool(compare(text(left(ctx)), text(right(ctx))));
    }
    case 'call':
      return compileCall(node, top, errors);
  }
}

function compileCall(node: CallExpression, top: boolean, errors: ExpressionEvaluationError[] | undefined): Thunk {
  const fail = (reason: string | ExpressionEvaluationError): Thunk => {
    const error = typeof reason === 'string' ? new ExpressionEvaluationError(reason, { functionName: node.name, span: node.span }) : reason;
    if (!errors) throw error;
    errors.push(error);
    return () => {
      throw error;
    };
  };
  const args = node.args.map((arg) => (arg === null ? nullThunk : compileNode(arg, false, errors)));
  const present = node.args.map((arg) => arg !== null);
  const info = findFunction(node.name);
  const impl = implementations[node.name];
  if (!info || !impl) {
    const suggestion = suggestFunction(node.name);
    return fail(`Unknown function "${node.name}"${suggestion ? ` (function names are case-sensitive: did you mean "${suggestion}"?)` : ''}`);
  }
  const count = node.args.length;
  if (count < info.minArgs || count > info.maxArgs) {
    const expected =
      info.maxArgs === Number.POSITIVE_INFINITY
        ? `at least ${info.minArgs}`
        : info.minArgs === info.maxArgs
          ? `${info.minArgs}`
          : `${info.minArgs} to ${info.maxArgs}`;
    return fail(`${node.name} takes ${expected} argument${expected === '1' ? '' : 's'} but got ${count}: ${info.signature}`);
  }
  if (node.name === 'Switch' && (count - 2) % 2 !== 0) {
    return fail(`Switch needs key/value pairs after source and defaultValue but got ${count - 2} argument(s) there: ${info.signature}`);
  }
  for (let i = 0; i < count; i++) {
    const parameter = parameterFor(info, i, count);
    if (node.args[i] === null && parameter?.required && !parameter.repeats) {
      return fail(`${node.name}: argument ${i + 1} (${parameter.name}) is required but was left empty: ${info.signature}`);
    }
  }
  if (node.name === 'SelectUniqueValue' && !top) {
    return fail('SelectUniqueValue must be the outermost function of a mapping (reference §5)');
  }
  // Optional arguments left off at the end read as omitted.
  while (args.length < info.parameters.length) {
    args.push(nullThunk);
    present.push(false);
  }
  try {
    return impl(args, node, present);
  } catch (error) {
    // Arguments that are literals are checked while compiling (e.g. an invalid regexPattern).
    if (error instanceof ExpressionEvaluationError) return fail(error);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Source attributes.

const lowerKeyIndex = new WeakMap<object, Map<string, string>>();

function attributeReader(name: string): Thunk {
  const lower = name.toLowerCase();
  const path = name.includes('.') ? name.split('.') : undefined;
  // Names that exist on Object.prototype ("constructor", "__proto__") must never read inherited properties.
  const inherited = name in Object.prototype;
  return (ctx) => {
    const source = ctx.source;
    if (!inherited) {
      const direct = source[name];
      if (direct !== undefined) return fromSource(direct);
    } else if (Object.hasOwn(source, name)) return fromSource(source[name]);
    const found = findInsensitive(source, lower);
    if (found !== undefined) return fromSource(source[found]);
    if (path) return fromSource(walkPath(source, path));
    return null;
  };
}

function findInsensitive(source: SourceObject, lower: string): string | undefined {
  let index = lowerKeyIndex.get(source);
  if (!index) {
    index = new Map();
    for (const key of Object.keys(source)) if (!index.has(key.toLowerCase())) index.set(key.toLowerCase(), key);
    lowerKeyIndex.set(source, index);
  }
  return index.get(lower);
}

function walkPath(source: SourceObject, path: readonly string[]): Value | undefined {
  let current: Value | undefined = source as { [key: string]: Value };
  for (const part of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    const record: { [key: string]: Value } = current;
    const key = Object.hasOwn(record, part) ? part : Object.keys(record).find((k) => k.toLowerCase() === part.toLowerCase());
    current = key === undefined ? undefined : record[key];
  }
  return current;
}

function fromSource(raw: Value | undefined): Val {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) return raw;
  return itemText(raw);
}

/** One value as text: booleans "True"/"False", numbers in decimal, complex values as JSON. */
function itemText(item: Value): string {
  if (typeof item === 'string') return item;
  if (typeof item === 'number') return String(item);
  if (typeof item === 'boolean') return item ? 'True' : 'False';
  if (item === null) return '';
  return JSON.stringify(item);
}

/** A single value: the first value of a list, null for null or an empty list. */
function scalar(v: Val): string | null {
  if (v === null || typeof v === 'string') return v;
  return v.length === 0 ? null : itemText(v[0]);
}

function text(v: Val): string {
  return scalar(v) ?? '';
}

function isNullOrEmpty(v: Val): boolean {
  return v === null || v === '' || (typeof v !== 'string' && (v.length === 0 || (v.length === 1 && itemText(v[0]) === '')));
}

function isNull(v: Val): boolean {
  return v === null || (typeof v !== 'string' && v.length === 0);
}

function values(v: Val): readonly Value[] {
  if (v === null) return [];
  return typeof v === 'string' ? [v] : v;
}

/** Applies a string function to a value, per value for multi-valued input; null stays null. */
function perValue(v: Val, fn: (s: string) => string): Val {
  if (v === null) return null;
  if (typeof v === 'string') return fn(v);
  return v.map((item) => fn(itemText(item)));
}

function bool(b: boolean): string {
  return b ? 'True' : 'False';
}

const numeric = /^\s*[-+]?(\d+\.?\d*|\.\d+)\s*$/;

/** True for "True" in any case and for non-zero numbers (CBool, IIF conditions). */
function truthy(v: Val): boolean {
  const s = text(v);
  if (s.toLowerCase() === 'true') return true;
  return numeric.test(s) && Number(s) !== 0;
}

/** Comparisons are numeric when both sides are numbers, else ordinal and case-sensitive (reference §3.1). */
function compareValues(a: string, b: string): number {
  if (numeric.test(a) && numeric.test(b)) return Number(a) - Number(b);
  return a === b ? 0 : a < b ? -1 : 1;
}

const comparators: Record<'=' | '<>' | '>' | '>=' | '<' | '<=', (a: string, b: string) => boolean> = {
  '=': (a, b) => compareValues(a, b) === 0,
  '<>': (a, b) => compareValues(a, b) !== 0,
  '>': (a, b) => compareValues(a, b) > 0,
  '>=': (a, b) => compareValues(a, b) >= 0,
  '<': (a, b) => compareValues(a, b) < 0,
  '<=': (a, b) => compareValues(a, b) <= 0,
};

// ---------------------------------------------------------------------------------------------------------------
// Argument helpers.

function fault(node: CallExpression, reason: string): ExpressionEvaluationError {
  return new ExpressionEvaluationError(`${node.name}: ${reason}`, { functionName: node.name, span: node.span });
}

function integer(v: Val, node: CallExpression, parameter: string): number {
  const s = scalar(v);
  if (s === null || !/^\s*[-+]?\d+\s*$/.test(s)) {
    throw fault(node, `${parameter} must be a whole number, got ${s === null ? 'null' : JSON.stringify(s)}`);
  }
  return Number(s);
}

/** A whole-number argument: checked once when it is a literal, else on every evaluation. */
function integerThunk(thunk: Thunk, node: CallExpression, parameter: string): (ctx: Context) => number {
  const constant = constants.get(thunk);
  if (constant !== undefined) {
    const n = integer(constant, node, parameter);
    return () => n;
  }
  return (ctx) => integer(thunk(ctx), node, parameter);
}

function dateArgument(v: Val, node: CallExpression, parameter: string): number {
  const s = scalar(v);
  const ms = s === null ? undefined : parseDate(s);
  if (ms === undefined) throw fault(node, `${parameter} is not a date: ${s === null ? 'null' : JSON.stringify(s)}`);
  return ms;
}

const minDateMs = -62_135_596_800_000; // 0001-01-01T00:00:00Z
const maxDateMs = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

/** A date result as text; .NET DateTime covers years 1 to 9999. */
function dateText(ms: number, node: CallExpression): string {
  if (!(ms >= minDateMs && ms <= maxDateMs)) throw fault(node, 'the resulting date is outside the years 1 to 9999');
  return formatDate(ms);
}

function now(ctx: Context): number {
  if (ctx.nowMs === undefined) ctx.nowMs = (ctx.options.now?.() ?? new Date()).getTime();
  return ctx.nowMs;
}

/** A function of fully evaluated arguments. */
function strict(fn: (vals: Val[], ctx: Context, node: CallExpression) => Val): Impl {
  return (args, node) => (ctx) => {
    const vals: Val[] = new Array(args.length);
    for (let i = 0; i < args.length; i++) vals[i] = args[i](ctx);
    return fn(vals, ctx, node);
  };
}

/** A one-argument string function applied per value; null in → null out. */
function stringFunction(fn: (s: string) => string): Impl {
  return ([source]) => (ctx) => perValue(source(ctx), fn);
}

// ---------------------------------------------------------------------------------------------------------------
// App roles.

interface Role {
  id: string;
  value: string;
  displayName: string;
}

function roles(v: Val): Role[] {
  const out: Role[] = [];
  const seen = new Set<string>();
  for (const item of values(v)) {
    let role: Role | undefined;
    if (typeof item === 'string') {
      if (item !== '') role = { id: '', value: item, displayName: item };
    } else if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const value = item.value;
      if (typeof value === 'string' && value !== '') {
        const id = item.id ?? item.appRoleId;
        const displayName = item.displayName;
        role = { id: typeof id === 'string' ? id : '', value, displayName: typeof displayName === 'string' ? displayName : value };
      }
    }
    if (role && !seen.has(role.value)) {
      seen.add(role.value);
      out.push(role);
    }
  }
  return out;
}

const roleType = 'WindowsAzureActiveDirectoryRole';

// ---------------------------------------------------------------------------------------------------------------
// Function implementations (semantics: reference §5; choices where it is silent: docs/expressions.md).

function isTaken(ctx: Context, candidate: string): boolean {
  const existing = ctx.options.existingTargetValues;
  if (!existing) return false;
  if (typeof existing === 'function') return existing(candidate);
  const lower = candidate.toLowerCase();
  for (const value of existing) if (value.toLowerCase() === lower) return true;
  return false;
}

const encodings: Record<string, BufferEncoding> = { unicode: 'utf16le', utf8: 'utf8', ascii: 'ascii' };

const implementations: Record<string, Impl> = {
  Append:
    ([source, suffix]) =>
    (ctx) => {
      const a = scalar(source(ctx));
      const b = scalar(suffix(ctx));
      return a === null && b === null ? null : (a ?? '') + (b ?? '');
    },

  AppRoleAssignments: ([source]) => (ctx) => {
    const list = roles(source(ctx));
    return list.length === 0 ? null : list.map((r) => r.value);
  },

  AppRoleAssignmentsComplex: ([source]) => (ctx) => {
    const list = roles(source(ctx));
    if (list.length === 0) return null;
    return list.map((r) => ({ id: r.id, value: r.value, displayName: r.displayName, primary: false, type: roleType }));
  },

  AssertiveAppRoleAssignmentsComplex: ([source]) => (ctx) =>
    // An empty list is a value here: replacing the roles with [] removes roles withdrawn in Entra.
    roles(source(ctx)).map((r) => ({ primary: false, type: roleType, display: r.displayName, value: r.value })),

  BitAnd: strict(([a, b], _ctx, node) => {
    const parse = (v: Val, parameter: string): bigint => {
      const s = text(v).trim();
      if (/^&H[0-9a-f]+$/i.test(s)) return BigInt(`0x${s.slice(2)}`);
      if (/^[-+]?\d+$/.test(s)) return BigInt(s);
      throw fault(node, `${parameter} must be an integer, got ${JSON.stringify(s)}`);
    };
    return (parse(a, 'value1') & parse(b, 'value2')).toString();
  }),

  CBool: ([source]) => (ctx) => bool(truthy(source(ctx))),

  CDate: ([source], node) => (ctx) => {
    const v = source(ctx);
    if (isNull(v)) return null;
    return dateText(dateArgument(v, node, 'expression'), node);
  },

  Coalesce: (args) => (ctx) => {
    for (const arg of args) {
      const v = arg(ctx);
      if (!isNull(v)) return v;
    }
    return null;
  },

  ConvertFromBase64: strict(([source, encoding], _ctx, node) => {
    const s = scalar(source);
    if (s === null) return null;
    const name = (scalar(encoding) ?? 'Unicode').toLowerCase();
    const bufferEncoding = encodings[name];
    if (!bufferEncoding) throw fault(node, `encoding must be Unicode, UTF8 or ASCII, got ${JSON.stringify(scalar(encoding))}`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s.trim())) throw fault(node, `source is not base64: ${JSON.stringify(s)}`);
    return Buffer.from(s.trim(), 'base64').toString(bufferEncoding);
  }),

  ConvertToBase64: stringFunction((s) => Buffer.from(s, 'utf16le').toString('base64')),

  ConvertToUTF8Hex: stringFunction((s) => Buffer.from(s, 'utf8').toString('hex').toUpperCase()),

  Count: ([source]) => (ctx) => String(values(source(ctx)).length),

  CRef: ([source]) => source,

  CStr: ([source]) => (ctx) => scalar(source(ctx)),

  DateAdd: strict(([interval, amount, dateTime], _ctx, node) => {
    const unit = text(interval);
    if (!isDateInterval(unit)) throw fault(node, `interval must be one of yyyy, q, m, y, d, w, ww, h, n, s, got ${JSON.stringify(unit)}`);
    if (isNull(dateTime)) return null;
    return dateText(dateAdd(unit, integer(amount, node, 'value'), dateArgument(dateTime, node, 'dateTime')), node);
  }),

  DateDiff: strict(([interval, date1, date2], _ctx, node) => {
    const unit = text(interval);
    if (!isDateInterval(unit)) throw fault(node, `interval must be one of yyyy, q, m, y, d, w, ww, h, n, s, got ${JSON.stringify(unit)}`);
    if (isNull(date1) || isNull(date2)) return null;
    return String(dateDiff(unit, dateArgument(date1, node, 'date1'), dateArgument(date2, node, 'date2')));
  }),

  DateFromNum: ([source], node) => (ctx) => {
    const s = scalar(source(ctx));
    if (s === null || s === '') return null;
    if (!/^\s*\d+\s*$/.test(s)) throw fault(node, `value must be a FILETIME integer, got ${JSON.stringify(s)}`);
    return dateText(fileTimeToMs(BigInt(s.trim())), node);
  },

  DNComponent: strict(([dn, component], _ctx, node) => {
    const s = scalar(dn);
    if (s === null) return null;
    const n = integer(component, node, 'componentNumber');
    const rdns = s.split(/(?<!\\),/);
    const rdn = rdns[n - 1];
    if (n < 1 || rdn === undefined) return null;
    const eq = rdn.search(/(?<!\\)=/);
    return (eq < 0 ? rdn : rdn.slice(eq + 1)).trim();
  }),

  Error: ([message], node) => (ctx) => {
    throw new ExpressionEvaluationError(text(message(ctx)), { functionName: node.name, span: node.span });
  },

  FormatDateTime: (args, node) => {
    const [source, inputFormat, outputFormat] = node.args.length === 3 ? args : [args[0], args[2], args[3]];
    return (ctx) => {
      const s = scalar(source(ctx));
      if (s === null || s === '') return null;
      const input = text(inputFormat(ctx));
      const output = text(outputFormat(ctx));
      const parsed = parseWithFormat(s, input);
      if (!parsed) throw fault(node, `${JSON.stringify(s)} does not match the input format ${JSON.stringify(input)}`);
      return formatWithFormat(parsed, output);
    };
  },

  Guid: () => (ctx) => randomGuid(ctx.options.random ?? Math.random),

  IgnoreFlowIfNullOrEmpty: ([source]) => (ctx) => {
    const v = source(ctx);
    if (isNullOrEmpty(v)) throw ignoreFlow;
    return v;
  },

  IIF: ([condition, whenTrue, whenFalse], node) => {
    const conditionAttributes = attributesIn(node.args[0]);
    return (ctx) => {
      if (ctx.options.strictIifConditions) {
        for (const name of conditionAttributes) {
          if (isNullOrEmpty(attributeReader(name)(ctx))) {
            throw fault(node, `the condition reads [${name}], which is null or empty; Entra fails such a condition (reference §4)`);
          }
        }
      }
      return truthy(condition(ctx)) ? whenTrue(ctx) : whenFalse(ctx);
    };
  },

  InStr: (args, node, present) => {
    const [value1, value2] = args;
    return (ctx) => {
      const haystack = scalar(value1(ctx));
      const needle = scalar(value2(ctx));
      if (haystack === null || needle === null) return null;
      const start = present[2] ? integer(args[2](ctx), node, 'start') : 1;
      if (start < 1) throw fault(node, `start must be 1 or more, got ${start}`);
      const compare = present[3] ? text(args[3](ctx)) : 'vbBinaryCompare';
      const ignoreCase = compare === 'vbTextCompare' || compare === '1';
      if (!ignoreCase && compare !== 'vbBinaryCompare' && compare !== '0') {
        throw fault(node, `compareType must be vbBinaryCompare or vbTextCompare, got ${JSON.stringify(compare)}`);
      }
      const h = ignoreCase ? haystack.toLowerCase() : haystack;
      const n = ignoreCase ? needle.toLowerCase() : needle;
      if (start > h.length + 1) return '0';
      return String(h.indexOf(n, start - 1) + 1);
    };
  },

  IsNull: ([source]) => (ctx) => bool(isNull(source(ctx))),
  IsNullOrEmpty: ([source]) => (ctx) => bool(isNullOrEmpty(source(ctx))),
  IsPresent: ([source]) => (ctx) => bool(!isNullOrEmpty(source(ctx))),
  IsString: ([source]) => (ctx) => bool(typeof source(ctx) === 'string'),

  Item: strict(([attribute, index], _ctx, node) => {
    if (isNull(attribute)) return null;
    const list = values(attribute);
    const i = integer(index, node, 'index');
    if (i < 1 || i > list.length) throw fault(node, `index ${i} is out of range: the attribute has ${list.length} value(s) (indexes start at 1)`);
    return itemText(list[i - 1]);
  }),

  Join: ([separator, ...sources]) => (ctx) => {
    const sep = text(separator(ctx));
    let out = '';
    let first = true;
    for (const source of sources) {
      const v = source(ctx);
      if (v === null) continue;
      if (typeof v === 'string') {
        if (v === '') continue;
        out = first ? v : out + sep + v;
        first = false;
        continue;
      }
      for (const item of v) {
        const s = itemText(item);
        if (s === '') continue;
        out = first ? s : out + sep + s;
        first = false;
      }
    }
    return out;
  },

  Left: strict(([source, numChars], _ctx, node) => {
    const s = scalar(source);
    if (s === null) return '';
    const n = integer(numChars, node, 'numChars');
    return n < 0 ? s : s.slice(0, n);
  }),

  Mid: ([source, start, length], node) => {
    const startOf = integerThunk(start, node, 'start');
    const lengthOf = integerThunk(length, node, 'length');
    return (ctx) => {
      const s = scalar(source(ctx));
      if (s === null) return null;
      const from = startOf(ctx);
      const count = lengthOf(ctx);
      if (from < 1) throw fault(node, `start must be 1 or more, got ${from}`);
      if (count < 0) throw fault(node, `length must not be negative, got ${count}`);
      return s.substr(from - 1, count);
    };
  },

  NormalizeDiacritics: stringFunction(normalizeDiacritics),

  Not: ([source]) => (ctx) => bool(text(source(ctx)).toLowerCase() !== 'true'),

  Now: (_args, node) => (ctx) => dateText(now(ctx), node),

  NumFromDate: ([source], node) => (ctx) => {
    const v = source(ctx);
    if (isNullOrEmpty(v)) return null;
    return msToFileTime(dateArgument(v, node, 'value')).toString();
  },

  PCase: ([source, separators]) => (ctx) => {
    const seps = scalar(separators(ctx));
    return perValue(source(ctx), (s) => properCase(s, seps === '' ? null : seps));
  },

  RandomString: strict(([length, numbers, special, capital, lower, avoid], ctx, node) => {
    const total = integer(length, node, 'length');
    const minimums = {
      numbers: integer(numbers, node, 'minNumbers'),
      special: integer(special, node, 'minSpecialCharacters'),
      capital: integer(capital, node, 'minCapital'),
      lower: integer(lower, node, 'minLowerCase'),
    };
    const sum = minimums.numbers + minimums.special + minimums.capital + minimums.lower;
    if (total < 1 || total > 256) throw fault(node, `length must be between 1 and 256, got ${total}`);
    if (Object.values(minimums).some((n) => n < 0)) throw fault(node, 'minimum counts must not be negative');
    if (sum > total) throw fault(node, `length ${total} is less than the sum of the minimums (${sum})`);
    return randomString(total, minimums, text(avoid), ctx.options.random ?? Math.random);
  }),

  Redact: ([source]) => (ctx) => {
    ctx.redacted = true;
    return source(ctx);
  },

  RemoveDuplicates: ([source]) => (ctx) => {
    const v = source(ctx);
    if (v === null || typeof v === 'string') return v;
    const seen = new Set<string>();
    const out: Value[] = [];
    for (const item of v) {
      const key = typeof item === 'string' ? item : JSON.stringify(item);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(item);
      }
    }
    return out;
  },

  Replace: (args, node, present) => replaceImpl(args, node, present),

  SelectUniqueValue: (rules, node) => (ctx) => {
    const tried: string[] = [];
    for (const rule of rules) {
      const candidate = scalar(rule(ctx));
      if (candidate === null || candidate === '') continue;
      if (!isTaken(ctx, candidate)) return candidate;
      tried.push(candidate);
    }
    throw new Escrow(
      `${node.name}: no unique value: ${tried.length === 0 ? 'every rule produced an empty value' : `already present in the target: ${tried.join(', ')}`}`,
    );
  },

  SingleAppRoleAssignment: ([source], node) => (ctx) => {
    const list = roles(source(ctx));
    if (list.length === 0) return null;
    if (list.length > 1) {
      throw new Escrow(
        `${node.name}: the user has ${list.length} app roles (${list.map((r) => r.value).join(', ')}) but this mapping sends exactly one; assign a single role or map roles with AssertiveAppRoleAssignmentsComplex`,
      );
    }
    return list[0].value;
  },

  Split: ([source, delimiter]) => (ctx) => {
    const v = source(ctx);
    if (v === null) return null;
    const sep = text(delimiter(ctx));
    const out: string[] = [];
    for (const item of values(v)) {
      const s = itemText(item);
      if (sep === '') out.push(s);
      else out.push(...s.split(sep));
    }
    return out;
  },

  StripSpaces: stringFunction((s) => s.replaceAll(' ', '')),

  Switch: ([source, defaultValue, ...pairs]) => (ctx) => {
    const s = text(source(ctx));
    for (let i = 0; i < pairs.length; i += 2) {
      if (text(pairs[i](ctx)) === s) return pairs[i + 1](ctx);
    }
    return defaultValue(ctx);
  },

  ToLower: ([source, culture], node) => (ctx) => caseChange(source(ctx), scalar(culture(ctx)), node, false),
  ToUpper: ([source, culture], node) => (ctx) => caseChange(source(ctx), scalar(culture(ctx)), node, true),

  Trim: stringFunction((s) => s.trim()),

  Word: strict(([source, wordNumber, delimiters], _ctx, node) => {
    const s = scalar(source);
    if (s === null) return '';
    const n = integer(wordNumber, node, 'wordNumber');
    const delims = text(delimiters);
    if (n < 1) return '';
    const words: string[] = [];
    let current = '';
    for (const c of s) {
      if (delims.includes(c)) {
        if (current !== '') words.push(current);
        current = '';
      } else current += c;
    }
    if (current !== '') words.push(current);
    return words[n - 1] ?? '';
  }),
};

function caseChange(v: Val, culture: string | null, node: CallExpression, upper: boolean): Val {
  if (culture === null || culture === '') return perValue(v, upper ? (s) => s.toUpperCase() : (s) => s.toLowerCase());
  try {
    return perValue(v, upper ? (s) => s.toLocaleUpperCase(culture) : (s) => s.toLocaleLowerCase(culture));
  } catch {
    throw fault(node, `culture must be an RFC 4646 name such as en-US, got ${JSON.stringify(culture)}`);
  }
}

/** The attributes read directly by a (condition) expression, not through function calls' inner logic. */
function attributesIn(node: Expression | null): string[] {
  if (node === null) return [];
  switch (node.kind) {
    case 'attribute':
      return [node.name];
    case 'binary':
      return [...attributesIn(node.left), ...attributesIn(node.right)];
    case 'call':
      return node.args.flatMap((arg) => attributesIn(arg));
    default:
      return [];
  }
}

/**
 * Replace's modes, chosen by which arguments are supplied (reference §5):
 * oldValue+replacementValue, oldValue+template, regexPattern+replacementValue,
 * regexPattern+regexGroupName+replacementValue, regexPattern+regexGroupName+replacementAttributeName.
 */
function replaceImpl(args: readonly Thunk[], node: CallExpression, present: readonly boolean[]): Thunk {
  const has = (i: number) => present[i] === true;
  const [source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttribute, template] = [0, 1, 2, 3, 4, 5, 6].map(
    (i) => args[i] ?? nullThunk,
  );
  const compile = (pattern: string, withIndices: boolean): RegExp => {
    try {
      return compileDotNetRegex(pattern, withIndices);
    } catch (error) {
      throw fault(node, `regexPattern ${JSON.stringify(pattern)} is not a valid regular expression (${(error as Error).message})`);
    }
  };
  const constantPattern = constants.get(regexPattern);
  const withIndices = has(3) && !has(5);
  const fixed = constantPattern === undefined || !has(2) ? undefined : compile(constantPattern, withIndices);
  const regex = (ctx: Context, indices = false): RegExp => fixed ?? compile(text(regexPattern(ctx)), indices);
  if (has(1) && has(6)) {
    return (ctx) => {
      const s = scalar(source(ctx));
      if (s === null) return null;
      const t = scalar(template(ctx));
      if (t === null) return null;
      const old = text(oldValue(ctx));
      return old === '' ? t : t.replaceAll(old, s);
    };
  }
  if (has(1)) {
    if (!has(4)) return failing(node, 'oldValue needs replacementValue or template');
    return (ctx) =>
      perValue(source(ctx), (s) => {
        const old = text(oldValue(ctx));
        return old === '' ? s : s.replaceAll(old, text(replacementValue(ctx)));
      });
  }
  if (has(2)) {
    if (has(3) && has(5)) {
      return (ctx) => {
        const s = scalar(source(ctx));
        if (s !== null && s !== '') return s;
        const other = scalar(replacementAttribute(ctx));
        if (other === null) return s;
        return firstGroup(other, regex(ctx), text(regexGroupName(ctx))) ?? s;
      };
    }
    if (has(3)) {
      if (!has(4)) return failing(node, 'regexGroupName needs replacementValue or replacementAttributeName');
      return (ctx) =>
        perValue(source(ctx), (s) => regexReplaceGroup(s, regex(ctx, true), text(regexGroupName(ctx)), text(replacementValue(ctx))));
    }
    if (!has(4)) return failing(node, 'regexPattern needs replacementValue');
    return (ctx) => perValue(source(ctx), (s) => regexReplace(s, regex(ctx), text(replacementValue(ctx))));
  }
  return failing(node, 'supply oldValue or regexPattern');
}

function failing(node: CallExpression, reason: string): Thunk {
  const error = fault(node, reason);
  return () => {
    throw error;
  };
}
