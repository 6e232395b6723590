import { type Expression, precedence } from './ast.js';

/**
 * Prints an AST as canonical text: arguments joined with ", " and omitted arguments left empty (the form Graph's
 * parseExpression echoes back, reference §3.2), operators surrounded by single spaces, strings re-escaped.
 * `parseExpression(formatExpression(ast))` equals `ast` apart from source positions.
 */
export function formatExpression(ast: Expression): string {
  switch (ast.kind) {
    case 'call':
      return `${ast.name}(${ast.args.map((arg) => (arg === null ? '' : formatExpression(arg))).join(', ')})`;
    case 'attribute':
      return `[${ast.name}]`;
    case 'string':
      return quoteString(ast.value);
    case 'number':
      return ast.text;
    case 'hex':
      return `&H${ast.digits}`;
    case 'keyword':
      return ast.name;
    case 'binary': {
      const own = precedence(ast.operator);
      // Left-associative: a left operand of lower precedence, or a right operand of equal or lower precedence,
      // needs parentheses to keep its shape.
      const left = ast.left.kind === 'binary' && precedence(ast.left.operator) < own ? `(${formatExpression(ast.left)})` : formatExpression(ast.left);
      const right = ast.right.kind === 'binary' && precedence(ast.right.operator) <= own ? `(${formatExpression(ast.right)})` : formatExpression(ast.right);
      return `${left} ${ast.operator} ${right}`;
    }
  }
}

/** `"…"` with `\` and `"` escaped by a backslash (reference §3.1). */
export function quoteString(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}
