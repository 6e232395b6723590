/**
 * Attribute scoping filters (objectMapping.scope), evaluated the way Entra documents them
 * (graph-synchronization.md §4.2, "filter"): the filter is true if ANY group is true, a group is true if
 * ALL its clauses are true; a null or empty value makes a clause false (except the null tests);
 * EQUALS and Includes are case-sensitive; Greater_Than* compare integers.
 */
import type { Value } from '../expressions/index.js';
import type { GraphFilter, GraphFilterClause } from './graph-types.js';

type Source = { readonly [attribute: string]: Value | undefined };

/** Operator names as the portal shows them; Graph's filterOperators may spell them with underscores. */
const normalize = (operator: string) => operator.trim().toUpperCase().replace(/[\s_]+/g, ' ');

export const scopingOperators = [
  '&', '!&', 'ENDS WITH', 'EQUALS', 'GREATER THAN', 'GREATER THAN OR EQUALS', 'INCLUDES',
  'IS FALSE', 'IS NOT NULL', 'IS NULL', 'IS TRUE', 'NOT EQUALS', 'NOT REGEX MATCH', 'REGEX MATCH',
] as const;

function lookup(source: Source, name: string): Value | undefined {
  if (name in source) return source[name];
  const lower = name.toLowerCase();
  const key = Object.keys(source).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : source[key];
}

function scalar(value: Value | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return null; // multi-valued attributes cannot be filtered
  if (typeof value === 'object') return null;
  return typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value);
}

export class ScopingFilterError extends Error {
  override readonly name = 'ScopingFilterError';
}

export function evaluateClause(clause: GraphFilterClause, source: Source): boolean {
  const operator = normalize(clause.operatorName);
  const value = scalar(lookup(source, clause.sourceOperandName));
  const operands = clause.targetOperand?.values ?? [];
  const operand = operands[0] ?? '';
  if (operator === 'IS NULL') return value === null || value === '';
  if (operator === 'IS NOT NULL') return value !== null && value !== '';
  if (value === null || value === '') return false;
  switch (operator) {
    case 'IS TRUE':
      return /^true$/i.test(value);
    case 'IS FALSE':
      return /^false$/i.test(value);
    case 'EQUALS':
      return operands.length > 1 ? operands.includes(value) : value === operand;
    case 'NOT EQUALS':
      return operands.length > 1 ? !operands.includes(value) : value !== operand;
    case 'INCLUDES':
      return value.includes(operand);
    case 'ENDS WITH':
      return value.endsWith(operand);
    case 'REGEX MATCH':
      return new RegExp(operand).test(value);
    case 'NOT REGEX MATCH':
      return !new RegExp(operand).test(value);
    case 'GREATER THAN':
    case 'GREATER THAN OR EQUALS': {
      if (!/^-?\d+$/.test(value) || !/^-?\d+$/.test(operand)) return false;
      const a = BigInt(value);
      const b = BigInt(operand);
      return operator === 'GREATER THAN' ? a > b : a >= b;
    }
    case '&':
    case '!&': {
      if (!/^-?\d+$/.test(value) || !/^-?\d+$/.test(operand)) return false;
      const set = (BigInt(value) & BigInt(operand)) !== 0n;
      return operator === '&' ? set : !set;
    }
    default:
      throw new ScopingFilterError(`unknown scoping operator "${clause.operatorName}" (known: ${scopingOperators.join(', ')})`);
  }
}

/** null filter or no groups = everything in scope. Returns the name of no group that matched when out of scope. */
export function evaluateScopingFilter(filter: GraphFilter | null, source: Source): { inScope: boolean; reason?: string } {
  if (!filter || filter.groups.length === 0) return { inScope: true };
  for (const group of filter.groups) {
    if (group.clauses.every((clause) => evaluateClause(clause, source))) return { inScope: true };
  }
  return { inScope: false, reason: `excluded by the scoping filter (no group matched: ${filter.groups.map((g) => `"${g.name}"`).join(', ')})` };
}
