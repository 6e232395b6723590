/** The evaluator's runtime: internal values, the evaluation context, source lookup and argument helpers. */
import type { CallExpression } from './ast.js';
import { formatDate, parseDate } from './dates.js';
import { ExpressionEvaluationError } from './errors.js';
import type { EvaluateOptions, SourceObject, Value } from './values.js';

export type Val = string | null | readonly Value[];

export interface Context {
  readonly source: SourceObject;
  readonly options: EvaluateOptions;
  redacted: boolean;
  nowMs: number | undefined;
}

export type Thunk = (ctx: Context) => Val;
export type Impl = (args: readonly Thunk[], node: CallExpression, present: readonly boolean[]) => Thunk;

/** Thrown through the evaluation by IgnoreFlowIfNullOrEmpty / IgnoreAttributeFlow; caught at the top. */
export const ignoreFlow = Symbol('ignoreFlow');
export class Escrow {
  constructor(readonly reason: string) {}
}

export const nullThunk: Thunk = () => null;

/** Thunks of literals, with their value, so functions can do work once at compile time (regexes, numbers). */
export const constants = new WeakMap<Thunk, string>();

export function constantThunk(value: string): Thunk {
  const thunk: Thunk = () => value;
  constants.set(thunk, value);
  return thunk;
}

// ---------------------------------------------------------------------------------------------------------------
// Source attributes.

export function attributeReader(name: string): Thunk {
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

/**
 * The key spelled like `lower` in another case. A scan without allocations: most misses are attributes the object
 * does not have, and the length check rejects nearly every key before any lower-casing.
 */
function findInsensitive(source: SourceObject, lower: string): string | undefined {
  const length = lower.length;
  for (const key in source) {
    if (key.length === length && key.toLowerCase() === lower && Object.hasOwn(source, key)) return key;
  }
  return undefined;
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

export function fromSource(raw: Value | undefined): Val {
  if (raw === undefined || raw === null) return null;
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) return raw;
  return itemText(raw);
}

/** One value as text: booleans "True"/"False", numbers in decimal, complex values as JSON. */
export function itemText(item: Value): string {
  if (typeof item === 'string') return item;
  if (typeof item === 'number') return String(item);
  if (typeof item === 'boolean') return item ? 'True' : 'False';
  if (item === null) return '';
  return JSON.stringify(item);
}

/** A single value: the first value of a list, null for null or an empty list. */
export function scalar(v: Val): string | null {
  if (v === null || typeof v === 'string') return v;
  return v.length === 0 ? null : itemText(v[0]);
}

export function text(v: Val): string {
  return scalar(v) ?? '';
}

export function isNullOrEmpty(v: Val): boolean {
  return v === null || v === '' || (typeof v !== 'string' && (v.length === 0 || (v.length === 1 && itemText(v[0]) === '')));
}

export function isNull(v: Val): boolean {
  return v === null || (typeof v !== 'string' && v.length === 0);
}

export function values(v: Val): readonly Value[] {
  if (v === null) return [];
  return typeof v === 'string' ? [v] : v;
}

/** Applies a string function to a value, per value for multi-valued input; null stays null. */
export function perValue(v: Val, fn: (s: string) => string): Val {
  if (v === null) return null;
  if (typeof v === 'string') return fn(v);
  return v.map((item) => fn(itemText(item)));
}

export function bool(b: boolean): string {
  return b ? 'True' : 'False';
}

const numeric = /^\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)\s*$/; // no nested quantifiers: linear on long input

/** True for "True" in any case and for non-zero numbers (CBool, IIF conditions). */
export function truthy(v: Val): boolean {
  const s = text(v);
  if (s.toLowerCase() === 'true') return true;
  return numeric.test(s) && Number(s) !== 0;
}

/** Comparisons are numeric when both sides are numbers, else ordinal and case-sensitive (reference §3.1). */
export function compareValues(a: string, b: string): number {
  if (numeric.test(a) && numeric.test(b)) return Number(a) - Number(b);
  return a === b ? 0 : a < b ? -1 : 1;
}

export const comparators: Record<'=' | '<>' | '>' | '>=' | '<' | '<=', (a: string, b: string) => boolean> = {
  '=': (a, b) => compareValues(a, b) === 0,
  '<>': (a, b) => compareValues(a, b) !== 0,
  '>': (a, b) => compareValues(a, b) > 0,
  '>=': (a, b) => compareValues(a, b) >= 0,
  '<': (a, b) => compareValues(a, b) < 0,
  '<=': (a, b) => compareValues(a, b) <= 0,
};

// ---------------------------------------------------------------------------------------------------------------
// Argument helpers.

/** A value quoted for an error message, shortened so a huge attribute value does not flood logs. */
export function quote(value: string | null): string {
  if (value === null) return 'null';
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}…` : value);
}

export function fault(node: CallExpression, reason: string): ExpressionEvaluationError {
  return new ExpressionEvaluationError(`${node.name}: ${reason}`, { functionName: node.name, span: node.span });
}

export function integer(v: Val, node: CallExpression, parameter: string): number {
  const s = scalar(v);
  if (s === null || !/^\s*[-+]?\d+\s*$/.test(s)) {
    throw fault(node, `${parameter} must be a whole number, got ${quote(s)}`);
  }
  return Number(s);
}

/** A whole-number argument: checked once when it is a literal, else on every evaluation. */
export function integerThunk(thunk: Thunk, node: CallExpression, parameter: string): (ctx: Context) => number {
  const constant = constants.get(thunk);
  if (constant !== undefined) {
    const n = integer(constant, node, parameter);
    return () => n;
  }
  return (ctx) => integer(thunk(ctx), node, parameter);
}

export function dateArgument(v: Val, node: CallExpression, parameter: string): number {
  const s = scalar(v);
  const ms = s === null ? undefined : parseDate(s);
  if (ms === undefined) throw fault(node, `${parameter} is not a date: ${quote(s)}`);
  return ms;
}

const minDateMs = -62_135_596_800_000; // 0001-01-01T00:00:00Z
const maxDateMs = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

/** A date result as text; .NET DateTime covers years 1 to 9999. */
export function dateText(ms: number, node: CallExpression): string {
  if (!(ms >= minDateMs && ms <= maxDateMs)) throw fault(node, 'the resulting date is outside the years 1 to 9999');
  return formatDate(ms);
}

export function now(ctx: Context): number {
  if (ctx.nowMs === undefined) ctx.nowMs = (ctx.options.now?.() ?? new Date()).getTime();
  return ctx.nowMs;
}

/** A function of fully evaluated arguments. */
export function strict(fn: (vals: Val[], ctx: Context, node: CallExpression) => Val): Impl {
  return (args, node) => (ctx) => {
    const vals: Val[] = new Array(args.length);
    for (let i = 0; i < args.length; i++) vals[i] = args[i](ctx);
    return fn(vals, ctx, node);
  };
}

/** A one-argument string function applied per value; null in → null out. */
export function stringFunction(fn: (s: string) => string): Impl {
  return ([source]) => (ctx) => perValue(source(ctx), fn);
}
