import type { Expression } from './ast.js';

/** Every node of the tree, depth-first, parents before children. */
export function* walkExpression(ast: Expression): Generator<Expression> {
  yield ast;
  if (ast.kind === 'call') {
    for (const arg of ast.args) if (arg !== null) yield* walkExpression(arg);
  } else if (ast.kind === 'binary') {
    yield* walkExpression(ast.left);
    yield* walkExpression(ast.right);
  }
}

/**
 * The source attributes an expression reads, in order of first appearance, without duplicates (compared
 * case-insensitively, as lookups are); e.g. to tell which mappings a changed attribute affects, or which sample
 * users lack an input.
 */
export function referencedAttributes(ast: Expression): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const node of walkExpression(ast)) {
    if (node.kind !== 'attribute') continue;
    const key = node.name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(node.name);
  }
  return out;
}
