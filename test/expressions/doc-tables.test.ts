// Rows of the documented tables in MicrosoftDocs/entra-docs
// docs/identity/app-provisioning/functions-for-customizing-application-data.md@1241ebe7 that are not among the
// expression-examples.json vectors (DateAdd #dateadd table rows 2 and 4, DateDiff #datediff rows 1, 6, 9, PCase
// #pcase row 3).
import { describe, expect, it } from 'vitest';
import { evaluateExpression } from '../../expressions/index.js';

const rows: { anchor: string; expression: string; input: Record<string, string>; output: string }[] = [
  { anchor: '#dateadd ten days before hire date', expression: 'DateAdd("d", -10, CDate([StatusHireDate]))', input: { StatusHireDate: '2012-03-16-07:00' }, output: '3/6/2012 7:00:00 AM' },
  { anchor: '#dateadd ten months', expression: 'DateAdd("m", 10, CDate([StatusHireDate]))', input: { StatusHireDate: '2012-03-16-07:00' }, output: '1/16/2013 7:00:00 AM' },
  { anchor: '#datediff positive days', expression: 'DateDiff("d", CDate("2021-08-18+08:00"), CDate("2021-08-31+08:00"))', input: {}, output: '13' },
  { anchor: '#datediff same dates', expression: 'DateDiff("d", CDate("2021-08-31+08:00"), CDate("2021-08-31+08:00"))', input: {}, output: '0' },
  { anchor: '#datediff seconds', expression: 'DateDiff("s", CDate("2021-08-24"), CDate("2021-08-25"))', input: {}, output: '86400' },
  { anchor: '#pcase nested Join', expression: 'PCase(Join(" ",[firstName],[lastName]))', input: { firstName: 'GREGORY', lastName: 'JAMES' }, output: 'Gregory James' },
];

describe('documented table rows outside the vectors', () => {
  for (const row of rows) {
    it(`${row.anchor}: ${row.expression}`, () => {
      expect(evaluateExpression(row.expression, row.input)).toEqual({ kind: 'value', value: row.output });
    });
  }
});
