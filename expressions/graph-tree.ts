import { type BinaryOperator, type Expression, type SourceSpan, isKeyword } from './ast.js';
import { findFunction, parameterFor } from './catalogue.js';
import { ExpressionEvaluationError } from './errors.js';
import { formatExpression, quoteString } from './format.js';

/** Graph's `attributeMappingSource` (as returned in parseExpression's `parsedExpression`). */
export interface AttributeMappingSource {
  expression?: string;
  name: string;
  parameters: AttributeMappingParameter[];
  type: 'Attribute' | 'Constant' | 'Function';
}

/** Graph's `stringKeyAttributeMappingSourceValuePair`. */
export interface AttributeMappingParameter {
  key: string;
  value: AttributeMappingSource;
}

/**
 * The Graph parsed-expression tree (reference §3.2): attributes → `Attribute` nodes, literals → `Constant` nodes
 * (numbers become quoted strings), calls → `Function` nodes whose parameters are keyed by the engine's parameter
 * names; omitted arguments are left out. Keys are emitted in a fixed order (expression, name, parameters, type).
 */
export function toGraphExpressionTree(ast: Expression): AttributeMappingSource {
  switch (ast.kind) {
    case 'attribute':
      return { expression: `[${ast.name}]`, name: ast.name, parameters: [], type: 'Attribute' };
    case 'string':
      return constant(ast.value);
    case 'number':
      return constant(ast.text);
    case 'hex':
      return constant(BigInt(`0x${ast.digits}`).toString());
    case 'keyword':
      return { expression: ast.name, name: ast.name, parameters: [], type: 'Constant' };
    case 'binary':
      // Graph documents no node for operators; they become a Function node named by the operator
      // (docs/expressions.md, unverified against a tenant).
      return {
        expression: formatExpression(ast),
        name: ast.operator,
        parameters: [
          { key: 'left', value: toGraphExpressionTree(ast.left) },
          { key: 'right', value: toGraphExpressionTree(ast.right) },
        ],
        type: 'Function',
      };
    case 'call': {
      const info = findFunction(ast.name);
      const parameters: AttributeMappingParameter[] = [];
      ast.args.forEach((arg, index) => {
        if (arg === null) return;
        const key = (info && parameterFor(info, index, ast.args.length)?.graphKey) ?? `arg${index + 1}`;
        parameters.push({ key, value: toGraphExpressionTree(arg) });
      });
      return { expression: formatExpression(ast), name: ast.name, parameters, type: 'Function' };
    }
  }
}

function constant(value: string): AttributeMappingSource {
  return { expression: quoteString(value), name: value, parameters: [], type: 'Constant' };
}

const operators = new Set(['=', '<>', '>', '>=', '<', '<=', '&']);

/**
 * Rebuilds an AST from a Graph tree (e.g. a mapping source PUT without `expression`). Arguments are placed by their
 * parameter key, so omitted optional arguments come back as empty positions (`Replace` always gets its 7
 * positions, as Graph echoes it). Numbers come back as strings (Graph stores them as quoted constants), which
 * evaluate the same. Throws ExpressionEvaluationError for a key the function does not have.
 */
export function fromGraphExpressionTree(tree: AttributeMappingSource): Expression {
  const span = zeroSpan;
  switch (tree.type) {
    case 'Attribute':
      return { kind: 'attribute', name: tree.name, span };
    case 'Constant':
      if (tree.expression !== undefined && isKeyword(tree.expression)) return { kind: 'keyword', name: tree.expression, span };
      return { kind: 'string', value: tree.name, span };
    case 'Function': {
      const parameters = tree.parameters ?? [];
      if (operators.has(tree.name) && parameters.length === 2) {
        return {
          kind: 'binary',
          operator: tree.name as BinaryOperator,
          left: fromGraphExpressionTree(parameters[0].value),
          right: fromGraphExpressionTree(parameters[1].value),
          span,
        };
      }
      const info = findFunction(tree.name);
      const args: (Expression | null)[] = [];
      if (!info) {
        for (const parameter of parameters) args.push(fromGraphExpressionTree(parameter.value));
        return { kind: 'call', name: tree.name, args, span };
      }
      const variadic = info.maxArgs === Number.POSITIVE_INFINITY;
      for (const parameter of parameters) {
        const limit = variadic ? args.length + info.parameters.length + 1 : info.parameters.length;
        let position = args.length;
        while (position < limit && parameterFor(info, position, Number.POSITIVE_INFINITY)?.graphKey !== parameter.key) position++;
        if (position >= limit) {
          throw new ExpressionEvaluationError(
            `${tree.name} has no parameter "${parameter.key}" after argument ${args.length} (parameters: ${info.parameters.map((p) => p.graphKey).join(', ')})`,
            { functionName: tree.name },
          );
        }
        while (args.length < position) args.push(null);
        args.push(fromGraphExpressionTree(parameter.value));
      }
      const minimum = tree.name === 'Replace' ? info.parameters.length : tree.name === 'FormatDateTime' ? 4 : 0;
      while (args.length < minimum) args.push(null);
      return { kind: 'call', name: tree.name, args, span };
    }
  }
}

const zeroSpan: SourceSpan = { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } };
