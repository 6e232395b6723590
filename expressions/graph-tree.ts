import type { Expression } from './ast.js';
import { findFunction, parameterFor } from './catalogue.js';
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
