// Canonical text for filter and path ASTs: parseFilter(formatFilter(ast)) deep-equals ast.

import type { AttributePath, Filter, FilterValue, PatchPath } from './ast.js';

export function formatAttributePath(path: AttributePath): string {
  const base = path.schema !== undefined ? `${path.schema}:${path.attribute}` : path.attribute;
  return path.subAttribute !== undefined ? `${base}.${path.subAttribute}` : base;
}

export function formatValue(value: FilterValue): string {
  return JSON.stringify(value);
}

const precedence = { or: 1, and: 2 } as const;

function formatAt(filter: Filter, parentPrecedence: number): string {
  switch (filter.kind) {
    case 'compare':
      return `${formatAttributePath(filter.path)} ${filter.operator} ${formatValue(filter.value)}`;
    case 'present':
      return `${formatAttributePath(filter.path)} pr`;
    case 'not':
      return `not (${formatAt(filter.filter, 0)})`;
    case 'valuePath': {
      const head = `${formatAttributePath(filter.path)}[${formatAt(filter.filter, 0)}]`;
      if (filter.then === undefined) return head;
      const then = filter.then;
      return then.operator === 'pr'
        ? `${head}.${then.subAttribute} pr`
        : `${head}.${then.subAttribute} ${then.operator} ${formatValue(then.value)}`;
    }
    case 'and':
    case 'or': {
      const own = precedence[filter.kind];
      // Left-associative: the right operand needs parentheses at equal precedence.
      const text = `${formatAt(filter.left, own)} ${filter.kind} ${formatAt(filter.right, own + 1)}`;
      return own < parentPrecedence ? `(${text})` : text;
    }
  }
}

export function formatFilter(filter: Filter): string {
  return formatAt(filter, 0);
}

export function formatPatchPath(path: PatchPath): string {
  switch (path.kind) {
    case 'schema':
      return path.schema;
    case 'attribute':
      return formatAttributePath(path.path);
    case 'valuePath': {
      const head = `${formatAttributePath(path.path)}[${formatFilter(path.filter)}]`;
      return path.subAttribute !== undefined ? `${head}.${path.subAttribute}` : head;
    }
  }
}
