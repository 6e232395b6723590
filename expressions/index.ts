/**
 * Entra's attribute-mapping expression language: parse, evaluate, format, Graph tree. Pure, no I/O.
 * Reference: /work/shared/reference/mapping-expressions.md; choices where it is silent: docs/expressions.md.
 */
export type {
  AttributeExpression,
  BinaryExpression,
  BinaryOperator,
  CallExpression,
  ComparisonOperator,
  Expression,
  HexExpression,
  Keyword,
  KeywordExpression,
  NumberExpression,
  SourcePosition,
  SourceSpan,
  StringExpression,
} from './ast.js';
export { comparisonOperators, keywords } from './ast.js';
export type { FunctionFlavor, FunctionInfo, ParameterInfo } from './catalogue.js';
export { findFunction, functionCatalogue } from './catalogue.js';
export { ExpressionEvaluationError, ExpressionSyntaxError } from './errors.js';
export type { CompiledExpression } from './evaluate.js';
export { checkExpression, compileExpression, evaluateExpression } from './evaluate.js';
export { formatExpression } from './format.js';
export type { AttributeMappingParameter, AttributeMappingSource } from './graph-tree.js';
export { fromGraphExpressionTree, toGraphExpressionTree } from './graph-tree.js';
export { parseExpression } from './parser.js';
export { referencedAttributes, walkExpression } from './walk.js';
export type {
  AppRoleAssignmentValue,
  EvaluateOptions,
  EvaluationResult,
  ExistingTargetValues,
  SourceObject,
  Value,
} from './values.js';
