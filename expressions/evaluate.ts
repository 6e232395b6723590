/** Compiles expressions to closures (parse once, evaluate many) and runs them: the public evaluation API. */
import type { CallExpression, Expression } from './ast.js';
import { findFunction, nearestFunction, parameterFor, suggestFunction } from './catalogue.js';
import { ExpressionEvaluationError } from './errors.js';
import { implementations } from './functions.js';
import { parseExpression } from './parser.js';
import {
  type Context,
  Escrow,
  type Thunk,
  type Val,
  attributeReader,
  bool,
  comparators,
  constantThunk,
  ignoreFlow,
  nullThunk,
  text,
} from './runtime.js';
import type { EvaluateOptions, EvaluationResult, SourceObject, Value } from './values.js';

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
    const sameLetters = suggestFunction(node.name);
    const near = sameLetters ? undefined : nearestFunction(node.name);
    const hint = sameLetters
      ? ` (function names are case-sensitive: did you mean "${sameLetters}"?)`
      : near
        ? ` (did you mean "${near}"?)`
        : '';
    return fail(`Unknown function "${node.name}"${hint}`);
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

