// SQLite's side of the shared filter translation (../sql/filter-sql.ts).
import type { Filter, ResourceType } from '../contract.js';
import { escapeLike, splitFilter, type FilterDialect, type SqlFragment } from '../sql/filter-sql.js';

export { matchesAtMostOne, mentionsMembers, sortColumn } from '../sql/filter-sql.js';

const sqliteDialect: FilterDialect = {
  substring(col, op, v, lowered) {
    if (lowered) {
      // LIKE is ASCII case-insensitive, which matches the lower-cased column.
      const pattern = (op === 'sw' ? '' : '%') + escapeLike(v) + (op === 'ew' ? '' : '%');
      return { sql: `${col} LIKE ? ESCAPE '\\'`, params: [pattern] };
    }
    if (op === 'co') return { sql: `instr(${col}, ?) > 0`, params: [v] };
    if (op === 'sw') return { sql: `substr(${col}, 1, ?) = ?`, params: [v.length, v] };
    return { sql: `(length(${col}) >= ? AND substr(${col}, -?) = ?)`, params: [v.length, v.length, v] };
  },
  booleanLiteral: (b) => (b ? '1' : '0'),
  booleanParam: (b) => (b ? 1 : 0),
  groupsWithMembers: (tenant, ids) => ({
    sql: `r.id IN (SELECT m.group_id FROM members m INDEXED BY members_member WHERE m.tenant = ? AND m.member_id IN (${ids.map(() => '?').join(', ')}))`,
    params: [tenant, ...ids],
  }),
};

export function splitSqliteFilter(filter: Filter, type: ResourceType, tenant: string): { sql: SqlFragment | null; residual: Filter | null } {
  return splitFilter(sqliteDialect, filter, type, tenant);
}
