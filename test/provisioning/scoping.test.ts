// Scoping filters as graph-synchronization.md §4.2 describes them, and their effect on previews.
import { describe, expect, it } from 'vitest';
import {
  environments,
  evaluateClause,
  evaluateScopingFilter,
  loadSampleDirectory,
  previewDirectory,
  provisioningModel,
  resolveModel,
  ScopingFilterError,
  type GraphFilter,
  type GraphFilterClause,
} from '../../provisioning/index.js';

const clause = (sourceOperandName: string, operatorName: string, ...values: string[]): GraphFilterClause => ({
  sourceOperandName,
  operatorName,
  targetOperand: values.length > 0 ? { values } : null,
});
const filter = (...groups: GraphFilterClause[][]): GraphFilter => ({
  groups: groups.map((clauses, i) => ({ name: `group ${i + 1}`, clauses })),
  inputFilterGroups: [],
  categoryFilterGroups: [],
});

describe('scoping clauses', () => {
  const user = { department: 'Engineering', mail: '', employeeId: '120', accountEnabled: 'True', flags: '6', upn: 'ada@contoso.com' };

  it('EQUALS and Includes are case-sensitive', () => {
    expect(evaluateClause(clause('department', 'EQUALS', 'Engineering'), user)).toBe(true);
    expect(evaluateClause(clause('department', 'EQUALS', 'engineering'), user)).toBe(false);
    expect(evaluateClause(clause('department', 'Includes', 'gineer'), user)).toBe(true);
    expect(evaluateClause(clause('department', 'NOT_EQUALS', 'Sales'), user)).toBe(true);
  });

  it('a null or empty value makes a clause false, except the null tests', () => {
    expect(evaluateClause(clause('mail', 'NOT EQUALS', 'x'), user)).toBe(false);
    expect(evaluateClause(clause('city', 'NOT REGEX MATCH', '^x'), user)).toBe(false);
    expect(evaluateClause(clause('mail', 'IS NULL'), user)).toBe(true);
    expect(evaluateClause(clause('department', 'IS NOT NULL'), user)).toBe(true);
  });

  it('compares integers, booleans, suffixes, regular expressions and bit masks', () => {
    expect(evaluateClause(clause('employeeId', 'Greater_Than', '99'), user)).toBe(true);
    expect(evaluateClause(clause('employeeId', 'GREATER_THAN_OR_EQUALS', '121'), user)).toBe(false);
    expect(evaluateClause(clause('accountEnabled', 'IS TRUE'), user)).toBe(true);
    expect(evaluateClause(clause('upn', 'ENDS_WITH', '@contoso.com'), user)).toBe(true);
    expect(evaluateClause(clause('upn', 'REGEX MATCH', '^[a-z]+@'), user)).toBe(true);
    expect(evaluateClause(clause('flags', '&', '2'), user)).toBe(true);
    expect(evaluateClause(clause('flags', '!&', '1'), user)).toBe(true);
  });

  it('rejects an unknown operator with the list of known ones', () => {
    expect(() => evaluateClause(clause('department', 'STARTS_WITH', 'E'), user)).toThrow(ScopingFilterError);
    expect(() => evaluateClause(clause('department', 'STARTS_WITH', 'E'), user)).toThrow(/known: &, !&, ENDS WITH/);
  });

  it('a filter is true if ANY group is true; a group if ALL its clauses are', () => {
    const f = filter([clause('department', 'EQUALS', 'Sales')], [clause('department', 'EQUALS', 'Engineering'), clause('accountEnabled', 'IS TRUE')]);
    expect(evaluateScopingFilter(f, user)).toEqual({ inScope: true });
    const g = filter([clause('department', 'EQUALS', 'Engineering'), clause('mail', 'IS NOT NULL')]);
    expect(evaluateScopingFilter(g, user)).toEqual({ inScope: false, reason: expect.stringContaining('"group 1"') });
    expect(evaluateScopingFilter(null, user)).toEqual({ inScope: true });
  });
});

describe('previews honour the scoping filter', () => {
  it('leaves out users the filter excludes and the references to them', () => {
    const base = resolveModel(provisioningModel, environments.local.parameters);
    const model = { ...base, users: { ...base.users, scope: filter([clause('department', 'NOT EQUALS', 'Executive')]) } };
    const preview = previewDirectory(model, loadSampleDirectory());
    const megan = preview.users.find((u) => u.label === 'megan.bowen@contoso.com')!;
    expect(megan).toMatchObject({ inScope: false, payload: null, outOfScopeReason: expect.stringContaining('scoping filter') });
    // The guest has no department: a null value makes the clause false, so the guest is out of scope too.
    expect(preview.users.find((u) => u.label.startsWith('jane.doe'))?.inScope).toBe(false);
    // Alex reports to Megan: no manager reference to an object that is not provisioned.
    const alex = preview.users.find((u) => u.label === 'alex.wilber@contoso.com')!;
    expect(alex.payload?.['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).not.toHaveProperty('manager');
  });
});
