// The one place the emulator talks to `expressions/`: parse mapping sources once, evaluate them
// per object, and turn text into the Graph expression tree for schema GET and parseExpression.
import {
  compileExpression, formatExpression, fromGraphExpressionTree, parseExpression, toGraphExpressionTree,
  type CompiledExpression, type EvaluateOptions, type EvaluationResult, type SourceObject, type Value,
} from '../../expressions/index.js';
import type { AttributeMappingSource } from './sync/schema-types.js';

export type { CompiledExpression, EvaluationResult, SourceObject, Value };

/** Graph's parsed tree for an expression text (throws ExpressionSyntaxError). */
export function sourceFromText(text: string): AttributeMappingSource {
  const tree = toGraphExpressionTree(parseExpression(text));
  const convert = (n: typeof tree): AttributeMappingSource => ({
    type: n.type,
    name: n.name,
    expression: n.expression ?? null,
    parameters: n.parameters.map((p) => ({ key: p.key, value: convert(p.value) })),
  });
  return convert(tree);
}

/**
 * Text of a mapping source. Sources PUT without `expression` are rebuilt from their tree by parameter
 * key, which puts omitted arguments back in place (`Switch([IsSoftDeleted], , "False", …)`).
 */
export function sourceText(source: AttributeMappingSource): string {
  if (source.expression) return source.expression;
  const toTree = (n: AttributeMappingSource): Parameters<typeof fromGraphExpressionTree>[0] => ({
    type: n.type,
    name: n.name ?? '',
    parameters: (n.parameters ?? []).map((p) => ({ key: p.key, value: toTree(p.value) })),
  });
  return formatExpression(fromGraphExpressionTree(toTree(source)));
}

/** Parses and checks once (throws ExpressionSyntaxError / ExpressionEvaluationError). */
export function compile(text: string): CompiledExpression {
  return compileExpression(text);
}

export function evaluate(expression: CompiledExpression, source: SourceObject, options?: EvaluateOptions): EvaluationResult {
  return expression.evaluate(source, options);
}
