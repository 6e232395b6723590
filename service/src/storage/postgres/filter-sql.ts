// PostgreSQL's side of the shared filter translation (../sql/filter-sql.ts). Fragments use `?`; `numbered`
// turns them into $n.
import type { Filter, ResourceType } from '../contract.js';
import { escapeLike, splitFilter, type FilterDialect, type SqlFragment } from '../sql/filter-sql.js';

export { matchesAtMostOne, mentionsMembers, sortColumn } from '../sql/filter-sql.js';

export type SqlParam = string | number | boolean | null | string[];

const postgresDialect: FilterDialect<boolean | string[]> = {
  // LIKE is case-sensitive in PostgreSQL; the columns compared case-insensitively hold lower-cased
  // values, and the caseExact ones (id, externalId) must match exactly anyway. `\` is LIKE's escape.
  substring: (col, op, v) => ({ sql: `${col} LIKE ?`, params: [(op === 'sw' ? '' : '%') + escapeLike(v) + (op === 'ew' ? '' : '%')] }),
  booleanLiteral: (b) => (b ? 'true' : 'false'),
  booleanParam: (b) => b,
  groupsWithMembers: (tenant, ids) => ({
    sql: 'r.id IN (SELECT m.group_id FROM members m WHERE m.tenant = ? AND m.member_id = ANY(?::text[]))',
    params: [tenant, ids],
  }),
};

export function splitPostgresFilter(filter: Filter, type: ResourceType, tenant: string): { sql: SqlFragment<boolean | string[]> | null; residual: Filter | null } {
  return splitFilter(postgresDialect, filter, type, tenant);
}

/** Replaces the `?` placeholders (the fragments use no other `?`) with $1, $2, … */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
