// Attribute-based scoping filters (graph-synchronization.md §4.2 `filter`): a set is true when ANY
// group is true; a group is true when ALL its clauses are; null or empty values make a clause false
// except for the IS NULL / IS NOT NULL / NOT EQUALS style operators that are about absence.
import type { ScopeFilter, FilterClause } from '../sync/schema-types.js';
import { scalarText, type SourceRecord } from './source-objects.js';

/** The operators of `GET …/schema/filterOperators` (portal names, normalised for lookup). */
export const FILTER_OPERATORS: { name: string; arity: 'Binary' | 'Unary'; types: string[] }[] = [
  { name: 'EQUALS', arity: 'Binary', types: ['String', 'Integer', 'Reference', 'Boolean'] },
  { name: 'NOT EQUALS', arity: 'Binary', types: ['String', 'Integer', 'Reference', 'Boolean'] },
  { name: 'IS TRUE', arity: 'Unary', types: ['Boolean'] },
  { name: 'IS FALSE', arity: 'Unary', types: ['Boolean'] },
  { name: 'IS NULL', arity: 'Unary', types: ['String', 'Integer', 'Reference', 'Boolean'] },
  { name: 'IS NOT NULL', arity: 'Unary', types: ['String', 'Integer', 'Reference', 'Boolean'] },
  { name: 'REGEX MATCH', arity: 'Binary', types: ['String'] },
  { name: 'NOT REGEX MATCH', arity: 'Binary', types: ['String'] },
  { name: 'Includes', arity: 'Binary', types: ['String'] },
  { name: 'ENDS_WITH', arity: 'Binary', types: ['String'] },
  { name: 'Greater_Than', arity: 'Binary', types: ['Integer'] },
  { name: 'Greater_Than_OR_EQUALS', arity: 'Binary', types: ['Integer'] },
  { name: '&', arity: 'Binary', types: ['Integer'] },
  { name: '!&', arity: 'Binary', types: ['Integer'] },
];

const normalise = (name: string): string => name.toUpperCase().replace(/[\s_]+/g, '_');
const KNOWN = new Set(FILTER_OPERATORS.map((o) => normalise(o.name)));

export function unknownOperator(clause: FilterClause): boolean {
  return !KNOWN.has(normalise(clause.operatorName));
}

function clauseMatches(clause: FilterClause, source: SourceRecord): boolean {
  const raw = source[clause.sourceOperandName];
  const value = Array.isArray(raw) ? null : scalarText(raw); // multi-valued attributes cannot be filtered
  const operands = clause.targetOperand?.values ?? [];
  const op = normalise(clause.operatorName);
  const present = value !== null && value !== undefined && value !== '';
  switch (op) {
    case 'IS_NULL': return !present;
    case 'IS_NOT_NULL': return present;
    case 'IS_TRUE': return present && value!.toLowerCase() === 'true';
    case 'IS_FALSE': return present && value!.toLowerCase() === 'false';
    case 'NOT_EQUALS': return !present || !operands.includes(value!);
  }
  if (!present) return false;
  const v = value!;
  switch (op) {
    case 'EQUALS': return operands.includes(v);
    case 'INCLUDES': return operands.some((o) => v.includes(o));
    case 'ENDS_WITH': return operands.some((o) => v.endsWith(o));
    case 'REGEX_MATCH': return operands.some((o) => new RegExp(o).test(v));
    case 'NOT_REGEX_MATCH': return operands.every((o) => !new RegExp(o).test(v));
    case 'GREATER_THAN': return operands.some((o) => Number(v) > Number(o));
    case 'GREATER_THAN_OR_EQUALS': return operands.some((o) => Number(v) >= Number(o));
    case '&': return operands.some((o) => (Number(v) & Number(o)) !== 0);
    case '!&': return operands.every((o) => (Number(v) & Number(o)) === 0);
    default: return false;
  }
}

export function inFilterScope(filter: ScopeFilter | null, source: SourceRecord): boolean {
  const groups = filter?.groups ?? [];
  if (groups.length === 0) return true;
  return groups.some((g) => g.clauses.every((c) => clauseMatches(c, source)));
}
