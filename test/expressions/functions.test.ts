// Function semantics beyond the example vectors: reference mapping-expressions.md §2 (values), §4 (rules),
// §5 (catalogue), and the choices documented in docs/expressions.md where the reference is silent.
import { describe, expect, it } from 'vitest';
import {
  type AppRoleAssignmentValue,
  type EvaluateOptions,
  type EvaluationResult,
  ExpressionEvaluationError,
  type SourceObject,
  type Value,
  checkExpression,
  compileExpression,
  evaluateExpression,
  functionCatalogue,
  parseExpression,
} from '../../expressions/index.js';

function value(expression: string, source: SourceObject = {}, options?: EvaluateOptions): Value {
  const result = evaluateExpression(expression, source, options);
  if (result.kind !== 'value') throw new Error(`expected a value, got ${JSON.stringify(result)}`);
  return result.value;
}

function evaluationError(expression: string, source: SourceObject = {}, options?: EvaluateOptions): ExpressionEvaluationError {
  try {
    evaluateExpression(expression, source, options);
  } catch (error) {
    if (error instanceof ExpressionEvaluationError) return error;
    throw error;
  }
  throw new Error(`expected an evaluation error for ${expression}`);
}

/** A deterministic random source (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const role = (value: string, displayName = value): AppRoleAssignmentValue => ({ id: `id-${value}`, value, displayName });

describe('values and source lookup (§2)', () => {
  it('reads attributes case-insensitively, booleans as "True"/"False" and numbers as text', () => {
    const source = { IsSoftDeleted: true, employeeNumber: 42, Mail: 'a@b.c' };
    expect(value('[isSoftDeleted]', source)).toBe('True');
    expect(value('Not([IsSoftDeleted])', { IsSoftDeleted: false })).toBe('True');
    expect(value('[employeenumber]', source)).toBe('42');
    expect(value('[mail]', source)).toBe('a@b.c');
    expect(value('[extension_abc_costCenter]', { EXTENSION_ABC_COSTCENTER: 'CC1' })).toBe('CC1');
  });

  it('treats absent, undefined and null alike, and does not read inherited properties', () => {
    expect(value('IsNull([x])', {})).toBe('True');
    expect(value('IsNull([x])', { x: null })).toBe('True');
    expect(value('IsNull([constructor])', {})).toBe('True');
    expect(value('IsNull([x])', { x: '' })).toBe('False');
    expect(value('IsNullOrEmpty([x])', { x: '' })).toBe('True');
    expect(value('IsPresent([x])', { x: '' })).toBe('False');
    expect(value('IsPresent([x])', { x: 'v' })).toBe('True');
  });

  it('reads dotted names as a path into complex values when there is no such flat attribute', () => {
    expect(value('[manager.mail]', { manager: { mail: 'boss@contoso.com' } })).toBe('boss@contoso.com');
    expect(value('[manager.mail]', { 'manager.mail': 'flat@contoso.com', manager: { mail: 'x' } })).toBe('flat@contoso.com');
  });

  it('keeps multi-valued attributes as lists; Join flattens them and skips empty values', () => {
    const source = { proxyAddresses: ['smtp:a@x', '', 'SMTP:b@x'] };
    expect(value('[proxyAddresses]', source)).toEqual(['smtp:a@x', '', 'SMTP:b@x']);
    expect(value('Join(";", [proxyAddresses], [missing], "z")', source)).toBe('smtp:a@x;SMTP:b@x;z');
    expect(value('Count([proxyAddresses])', source)).toBe('3');
    expect(value('Count([missing])', source)).toBe('0');
    expect(value('Item([proxyAddresses], 3)', source)).toBe('SMTP:b@x');
    expect(value('ToUpper([proxyAddresses])', source)).toEqual(['SMTP:A@X', '', 'SMTP:B@X']);
    expect(value('RemoveDuplicates(Split("a,b,a,c,b", ","))')).toEqual(['a', 'b', 'c']);
  });
});

describe('special outcomes are results, not strings (§2, §5)', () => {
  it('IgnoreFlowIfNullOrEmpty and the IgnoreAttributeFlow keyword drop the flow', () => {
    expect(evaluateExpression('IgnoreFlowIfNullOrEmpty([department])', {})).toEqual({ kind: 'ignoreFlow' });
    expect(evaluateExpression('IgnoreFlowIfNullOrEmpty([department])', { department: 'Sales' })).toEqual({ kind: 'value', value: 'Sales' });
    expect(evaluateExpression('IIF([a]="1", "x", IgnoreAttributeFlow)', { a: '2' })).toEqual({ kind: 'ignoreFlow' });
    expect(evaluateExpression('IIF([a]="1", "x", IgnoreAttributeFlow)', { a: '1' })).toEqual({ kind: 'value', value: 'x' });
  });

  it('IgnoreObjectFlow is the objectFilter keyword value', () => {
    expect(value('IIF([a]="1", "False", IgnoreObjectFlow)', { a: '2' })).toBe('IgnoreObjectFlow');
  });

  it('SingleAppRoleAssignment: one role → its value, none → null, several → escrow naming the roles', () => {
    expect(value('SingleAppRoleAssignment([appRoleAssignments])', { appRoleAssignments: [role('Admin')] })).toBe('Admin');
    expect(value('SingleAppRoleAssignment([appRoleAssignments])', { appRoleAssignments: [] })).toBeNull();
    expect(value('SingleAppRoleAssignment([appRoleAssignments])', {})).toBeNull();
    // The same role reached twice (directly and through a group) is still one role.
    expect(value('SingleAppRoleAssignment([appRoleAssignments])', { appRoleAssignments: [role('Admin'), role('Admin')] })).toBe('Admin');
    const escrow = evaluateExpression('SingleAppRoleAssignment([appRoleAssignments])', {
      appRoleAssignments: [role('GlobalReader'), role('UserAdministrator')],
    });
    expect(escrow.kind).toBe('escrow');
    expect(escrow.kind === 'escrow' && escrow.reason).toContain('2 app roles (GlobalReader, UserAdministrator)');
  });

  it('AppRoleAssignmentsComplex / Assertive… return complex role values (entra-scim-client.md §1.3)', () => {
    const source = { appRoleAssignments: [role('Admin', 'Administrator'), role('Reader', 'Reader'), { id: 'x', value: null, displayName: 'Default Access' }] };
    expect(value('AppRoleAssignmentsComplex([appRoleAssignments])', source)).toEqual([
      { id: 'id-Admin', value: 'Admin', displayName: 'Administrator', primary: false, type: 'WindowsAzureActiveDirectoryRole' },
      { id: 'id-Reader', value: 'Reader', displayName: 'Reader', primary: false, type: 'WindowsAzureActiveDirectoryRole' },
    ]);
    expect(value('AssertiveAppRoleAssignmentsComplex([appRoleAssignments])', source)).toEqual([
      { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Administrator', value: 'Admin' },
      { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Reader', value: 'Reader' },
    ]);
    expect(value('AssertiveAppRoleAssignmentsComplex([appRoleAssignments])', { appRoleAssignments: [] })).toEqual([]);
    expect(value('AppRoleAssignmentsComplex([appRoleAssignments])', { appRoleAssignments: [] })).toBeNull();
  });

  it('SelectUniqueValue skips taken values (case-insensitively, or by predicate) and escrows when none is left', () => {
    const expr = 'SelectUniqueValue(Join(".", [f], [l]), Join(".", Mid([f], 1, 1), [l]))';
    const source = { f: 'John', l: 'Smith' };
    expect(value(expr, source, { existingTargetValues: ['john.smith'] })).toBe('J.Smith');
    expect(value(expr, source, { existingTargetValues: new Set(['JOHN.SMITH']) })).toBe('J.Smith');
    const asked: string[] = [];
    expect(value(expr, source, { existingTargetValues: (c) => (asked.push(c), c === 'John.Smith') })).toBe('J.Smith');
    expect(asked).toEqual(['John.Smith', 'J.Smith']);
    const result = evaluateExpression(expr, source, { existingTargetValues: ['John.Smith', 'J.Smith'] });
    expect(result).toEqual({ kind: 'escrow', reason: 'SelectUniqueValue: no unique value: already present in the target: John.Smith, J.Smith' });
  });

  it('SelectUniqueValue must be the outermost function', () => {
    expect(evaluationError('ToLower(SelectUniqueValue("a", "b"))').message).toContain('SelectUniqueValue must be the outermost function');
  });

  it('Redact passes the value through and marks the result', () => {
    expect(evaluateExpression('Redact([p])', { p: 's3cret' })).toEqual({ kind: 'value', value: 's3cret', redacted: true });
  });
});

describe('errors name the function and the position', () => {
  it('unknown functions, with a hint for the wrong case (function names are case-sensitive, §3.1)', () => {
    const error = evaluationError('Join(",", toLower([a]))');
    expect(error).toMatchObject({ functionName: 'toLower', line: 1, column: 11 });
    expect(error.message).toBe('Unknown function "toLower" (function names are case-sensitive: did you mean "ToLower"?) (at line 1, column 11)');
    expect(evaluationError('Frobnicate()').message).toBe('Unknown function "Frobnicate" (at line 1, column 1)');
    expect(evaluationError('Joinn(",", [a])').message).toBe('Unknown function "Joinn" (did you mean "Join"?) (at line 1, column 1)');
    expect(evaluationError('IgnoreFlowIfNullOrEmty([a])').message).toContain('did you mean "IgnoreFlowIfNullOrEmpty"?');
  });

  it('wrong number of arguments, odd Switch pairs, required arguments left empty', () => {
    expect(evaluationError('Mid([a], 1)').message).toBe('Mid takes 3 arguments but got 2: Mid(source, start, length) (at line 1, column 1)');
    expect(evaluationError('Not()').message).toContain('Not takes 1 argument but got 0');
    expect(evaluationError('Guid(1)').message).toContain('Guid takes 0 arguments but got 1');
    expect(evaluationError('Join()').message).toContain('Join takes at least 1 argument');
    expect(evaluationError('Switch([a], "d", "k")').message).toContain('Switch takes at least 4 arguments but got 3');
    expect(evaluationError('Switch([a], "d", "k", "v", "k2")').message).toContain('Switch needs key/value pairs');
    expect(evaluationError('Mid([a], , 3)').message).toContain('Mid: argument 2 (start) is required but was left empty');
  });

  it('is raised even for a branch that is not taken (checked when compiled)', () => {
    expect(() => evaluateExpression('IIF("True", "x", Nope())', {})).toThrow(ExpressionEvaluationError);
  });

  it('checkExpression lists every problem without evaluating', () => {
    const problems = checkExpression(parseExpression('Join(",", toLower([a]), Mid([b], 1))'));
    expect(problems.map((p) => p.functionName)).toEqual(['toLower', 'Mid']);
    expect(checkExpression(parseExpression('Join(",", [a])'))).toEqual([]);
    // Literal arguments are checked too: an invalid regex pattern, a Mid bound that is not a number.
    const literal = checkExpression(parseExpression('Join(",", Replace([a], , "([a-z]", , "", , ), Mid([b], "one", 2))'));
    expect(literal.map((p) => p.message)).toEqual([
      expect.stringContaining('Replace: regexPattern "([a-z]" is not a valid regular expression'),
      'Mid: start must be a whole number, got "one" (at line 1, column 47)',
    ]);
  });

  it('shortens long input values in error messages', () => {
    const message = evaluationError('CDate([d])', { d: `2020-${'9'.repeat(5000)}` }).message;
    expect(message.length).toBeLessThan(200);
    expect(message).toContain(`"2020-${'9'.repeat(72)}…"`);
  });

  it('arguments a function cannot use', () => {
    expect(evaluationError('Mid([a], "x", 2)', { a: 'abc' }).message).toBe('Mid: start must be a whole number, got "x" (at line 1, column 1)');
    expect(evaluationError('CDate([d])', { d: 'yesterday' }).message).toContain('CDate: expression is not a date: "yesterday"');
    expect(evaluationError('DateAdd("fortnight", 1, Now())').message).toContain('interval must be one of');
    expect(evaluationError('Item(Split("a,b", ","), 3)').message).toContain('index 3 is out of range: the attribute has 2 value(s)');
    expect(evaluationError('Replace([a], , "(", , "x", , )', { a: 'a' }).message).toContain('is not a valid regular expression');
    expect(evaluationError('RandomString(3, 2, 2, 0, 0)').message).toContain('less than the sum of the minimums');
    expect(evaluationError('Error("Custom failure")').message).toBe('Custom failure (at line 1, column 1)');
  });
});

describe('IIF, Switch, comparisons (§3.1, §4)', () => {
  it('compares numerically when both sides are numbers, else as case-sensitive strings', () => {
    expect(value('IIF([n]=1, "one", "other")', { n: '01' })).toBe('one');
    expect(value('IIF([n]>10, "big", "small")', { n: '9' })).toBe('small');
    expect(value('IIF([s]>"10", "big", "small")', { s: '9x' })).toBe('big');
    expect(value('IIF([s]="abc", "same", "different")', { s: 'ABC' })).toBe('different');
    expect(value('CBool([a] = [b])', { a: 'x', b: 'x' })).toBe('True');
    expect(value('CBool("0")')).toBe('False');
    expect(value('CBool("-2")')).toBe('True');
  });

  it('evaluates only the chosen IIF branch and Switch value', () => {
    expect(value('IIF("True", "ok", Error("not evaluated"))')).toBe('ok');
    expect(value('Switch("b", Error("no default"), "a", Error("no"), "b", "yes")')).toBe('yes');
  });

  it('Switch: absent source matches the "" key; omitted default → null', () => {
    expect(value('Switch([x], "default", "", "empty")', {})).toBe('empty');
    expect(value('Switch([x], , "a", "A")', { x: 'b' })).toBeNull();
  });

  it('switchDeltaQuirk: a Switch over unchanged attributes comes out null in a delta update (§4 Switch quirk)', () => {
    const expr = 'Switch([companyName], "External", "Company A", "A", "Company B", "B")';
    const source = { companyName: 'Company A', displayName: 'New name' };
    expect(value(expr, source)).toBe('A');
    expect(value(expr, source, { switchDeltaQuirk: { changedAttributes: new Set(['displayName']) } })).toBeNull();
    expect(value(expr, source, { switchDeltaQuirk: { changedAttributes: new Set(['CompanyName']) } })).toBe('A');
    // The documented workaround, IIF chains, is not affected.
    const iif = 'IIF([companyName] = "Company A", "A", IIF([companyName] = "Company B", "B", "External"))';
    expect(value(iif, source, { switchDeltaQuirk: { changedAttributes: new Set(['displayName']) } })).toBe('A');
  });

  it('strictIifConditions makes an IIF over a null/empty attribute fail, as §4 documents', () => {
    const expr = 'IIF(IsNullOrEmpty([telephoneNumber]), "000-000-0000", [telephoneNumber])';
    expect(value(expr, { telephoneNumber: '' })).toBe('000-000-0000');
    expect(evaluationError(expr, { telephoneNumber: '' }, { strictIifConditions: true }).message).toContain(
      'IIF: the condition reads [telephoneNumber], which is null or empty',
    );
    expect(value(expr, { telephoneNumber: '1' }, { strictIifConditions: true })).toBe('1');
  });

  it('"&" concatenates (cloud sync), null as ""', () => {
    expect(value('"a" & [x] & "b"', {})).toBe('ab');
  });
});

describe('string functions (§5)', () => {
  it('null handling: Left → "", Word → "", Mid/ToLower/Append-of-nothing → null, Coalesce skips only null', () => {
    expect(value('Left([x], 2)')).toBe('');
    expect(value('Word([x], 1, " ")')).toBe('');
    expect(value('Mid([x], 1, 2)')).toBeNull();
    expect(value('ToLower([x])')).toBeNull();
    expect(value('Append([x], [y])')).toBeNull();
    expect(value('Append([x], ".test")')).toBe('.test');
    expect(value('Coalesce([x], [y], "d")', { y: '' })).toBe('');
    expect(value('Coalesce([x], [y])')).toBeNull();
  });

  it('Left, Mid and Word edges', () => {
    expect(value('Left("John", 0)')).toBe('');
    expect(value('Left("John", -1)')).toBe('John');
    expect(value('Left("John", 10)')).toBe('John');
    expect(value('Mid("John", 3, 10)')).toBe('hn');
    expect(value('Mid("John", 9, 1)')).toBe('');
    expect(value('Word("a  b", 2, " ")')).toBe('b');
    expect(value('Word("a b", 0, " ")')).toBe('');
    expect(value('Word("a b", 3, " ")')).toBe('');
  });

  it('InStr with start and compare types', () => {
    expect(value('InStr("repEated", "E", 1, vbTextCompare)')).toBe('2');
    expect(value('InStr("repEated", "E", 1, vbBinaryCompare)')).toBe('4');
    expect(value('InStr("abc", "z")')).toBe('0');
    expect(value('InStr([x], "z")')).toBeNull();
  });

  it('NormalizeDiacritics keeps case and uses the doc table for letters without decomposition', () => {
    expect(value('NormalizeDiacritics("Zoë Ærø Straße Łódź İstanbul ıi Øre")')).toBe('Zoe AEroe Strasse Lodz Istanbul ii OEre');
  });

  it('PCase: .NET title-case words by default, only the given separators otherwise', () => {
    expect(value('PCase("o\'NEIL mcDONALD 3rd-party jean_luc (x)")')).toBe("O'neil Mcdonald 3Rd-Party Jean_Luc (X)");
    expect(value('PCase("pinto-de silva", "-")')).toBe('Pinto-De silva');
    expect(value('PCase("ßTRASSE İSTANBUL")')).toBe('ßtrasse Istanbul');
  });

  it('ToLower/ToUpper with a culture (RFC 4646), and a bad culture is an error', () => {
    expect(value('ToUpper("istanbul", "tr-TR")')).toBe('İSTANBUL');
    expect(value('ToUpper("istanbul")')).toBe('ISTANBUL');
    // Invariant culture maps one character to one (.NET): ß stays, İ lowers to i.
    expect(value('ToUpper("Straße")')).toBe('STRAßE');
    expect(value('ToLower("İSTANBUL Zoë")')).toBe('istanbul zoë');
    expect(value('ToLower("İ")')).toHaveLength(1);
    expect(evaluationError('ToLower("A", "not a culture!")').message).toContain('culture must be an RFC 4646 name');
  });

  it('Split keeps the parts as they are (no trimming); StripSpaces removes spaces only', () => {
    expect(value('Split("a, b,,c", ",")')).toEqual(['a', ' b', '', 'c']);
    expect(value('StripSpaces(" a b\tc ")')).toBe('ab\tc');
  });

  it('Replace: literal replacement is case-sensitive and replaces every occurrence', () => {
    expect(value('Replace([a], "x", , , "y", , )', { a: 'xXx' })).toBe('yXy');
    // Literal mode inserts `$` sequences as typed (found by the Replace property test, seed -1459509232).
    expect(value('Replace([a], "a", , , "$$", , )', { a: 'a' })).toBe('$$');
    expect(value('Replace([a], "a", , , "<$&>", , )', { a: 'ba' })).toBe('b<$&>');
    expect(value('Replace([a], "x", , , , , [t])', { a: '$$', t: 'x-x' })).toBe('$$-$$');
    expect(value('Replace([a], , "(?<d>\\\\d+)", , "<${d}>", , )', { a: 'a1b22' })).toBe('a<1>b<22>');
    expect(value('Replace([a], , "(\\\\w)(\\\\w)", , "$2$1", , )', { a: 'abcd' })).toBe('badc');
  });

  it('Base64 and UTF-8 hex, and back (cloud sync ConvertFromBase64)', () => {
    expect(value('ConvertFromBase64(ConvertToBase64("Zoë €"))')).toBe('Zoë €');
    expect(value('ConvertToUTF8Hex("é")')).toBe('C3A9');
    expect(value('ConvertFromBase64("SGk=", ASCII)')).toBe('Hi');
  });

  it('cloud sync Contains and StringFromSid (cloud-sync reference-expressions.md #item, #stringfromsid)', () => {
    const source = { proxyAddresses: ['smtp:a@contoso.com', 'SMTP:John.Doe@contoso.com'] };
    // The documented use: Mid(Item([proxyAddresses], Contains([proxyAddresses], "SMTP:")), 6) — here with a length.
    expect(value('Mid(Item([proxyAddresses], Contains([proxyAddresses], "SMTP:")), 6, 256)', source)).toBe('John.Doe@contoso.com');
    expect(value('Contains([proxyAddresses], "smtp:", CaseInsensitive)', source)).toBe('1');
    expect(value('Contains([proxyAddresses], "x500:")', source)).toBe('0');
    expect(value('StringFromSid([sid])', { sid: 'AQIAAAAAAAUgAAAAIAIAAA==' })).toBe('S-1-5-32-544');
    expect(evaluationError('StringFromSid("AQI=")').message).toContain('not a base64 binary SID');
  });

  it('BitAnd on decimal and hex strings; CStr; IsString; DNComponent; Trim', () => {
    expect(value('BitAnd([flags], 2)', { flags: 514 })).toBe('2');
    expect(value('BitAnd("&H10", 16)')).toBe('16');
    expect(value('CStr([n])', { n: 7 })).toBe('7');
    expect(value('IsString([n])', { n: 7 })).toBe('True');
    expect(value('IsString([l])', { l: ['a'] })).toBe('False');
    expect(value('DNComponent([dn], 2)', { dn: 'CN=Smith\\, John,OU=Sales,DC=contoso' })).toBe('Sales');
    expect(value('Trim(Split(" a , b ", ","))')).toEqual(['a', 'b']);
  });
});

describe('dates (§2, §4, §5)', () => {
  const fixed = { now: () => new Date('2021-08-25T17:41:18Z') };

  it('Now uses the injected clock; every Now() in one evaluation sees the same instant', () => {
    expect(value('Now()', {}, fixed)).toBe('8/25/2021 5:41:18 PM');
    let ticks = 0;
    const moving = { now: () => new Date(Date.UTC(2021, 0, 1, 0, 0, ticks++)) };
    expect(value('DateDiff("s", Now(), Now())', {}, moving)).toBe('0');
  });

  it('CDate accepts ISO with or without time/offset and the M/d/yyyy h:mm:ss tt form', () => {
    expect(value('CDate("2009-06-15T01:45:30-07:00")')).toBe('6/15/2009 8:45:30 AM');
    expect(value('CDate("2021-06-30")')).toBe('6/30/2021 12:00:00 AM');
    expect(value('CDate("12/31/2025 11:59:59 PM")')).toBe('12/31/2025 11:59:59 PM');
    expect(value('CDate([x])')).toBeNull();
  });

  it('DateAdd clamps months to the month end; negative values go back', () => {
    expect(value('DateAdd("m", 1, CDate("2024-01-31"))')).toBe('2/29/2024 12:00:00 AM');
    expect(value('DateAdd("yyyy", 1, "2/29/2024 12:00:00 AM")')).toBe('2/28/2025 12:00:00 AM');
    expect(value('DateAdd("d", -1, "3/1/2024 12:00:00 AM")')).toBe('2/29/2024 12:00:00 AM');
    expect(value('DateAdd("n", 90, "3/1/2024 11:00:00 PM")')).toBe('3/2/2024 12:30:00 AM');
  });

  it('DateDiff counts boundaries like VBA (DateDiff table rows 1, 6, 9 of the doc)', () => {
    expect(value('DateDiff("d", Now(), CDate("2021-08-26"))', {}, fixed)).toBe('1');
    expect(value('DateDiff("s", CDate("2021-08-24"), CDate("2021-08-25"))')).toBe('86400');
    expect(value('DateDiff("yyyy", "12/31/2020 11:59:59 PM", "1/1/2021 12:00:00 AM")')).toBe('1');
    expect(value('DateDiff("ww", CDate("2021-08-21"), CDate("2021-08-22"))')).toBe('1'); // Saturday → Sunday
    expect(value('DateDiff("w", CDate("2021-08-21"), CDate("2021-08-22"))')).toBe('0');
  });

  it('DateFromNum and NumFromDate convert AD FILETIME both ways', () => {
    expect(value('DateFromNum(129699324000000000)')).toBe('1/1/2012 11:00:00 PM');
    expect(value('NumFromDate("2012-01-01T23:00:00Z")')).toBe('129699324000000000');
    expect(value('NumFromDate("2025-12-31 23:59:59-05:00")')).toBe('134117171990000000');
  });

  it('FormatDateTime: .NET custom formats, offsets kept, month names, quoted literals', () => {
    expect(value('FormatDateTime([d], , "yyyy-MM-ddzzz", "dd MMM yyyy \'at\' HH:mm zzz")', { d: '2025-12-31-08:00' })).toBe('31 Dec 2025 at 00:00 -08:00');
    expect(value('FormatDateTime([d], "M/d/yyyy h:mm:ss tt", "yyyyMMddHHmmss.0Z")', { d: '1/2/2020 1:05:09 PM' })).toBe('20200102130509.0Z');
    expect(value('FormatDateTime([d], "yyyyMMdd", "dddd, MMMM d")', { d: '20240229' })).toBe('Thursday, February 29');
    expect(value('FormatDateTime([d], "yyyyMMdd", "yyyy")')).toBeNull();
    expect(evaluationError('FormatDateTime([d], "yyyyMMdd", "yyyy")', { d: '2024-02-30' }).message).toContain('does not match the input format');
  });
});

describe('random functions use the injected random source', () => {
  it('Guid is a version-4 GUID, deterministic for a seeded source', () => {
    const a = value('Guid()', {}, { random: seeded(1) });
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(value('Guid()', {}, { random: seeded(1) })).toBe(a);
    expect(value('Guid()', {}, { random: seeded(2) })).not.toBe(a);
  });

  it('RandomString meets the minimums of vector randomstring-2 (length 10, ≥2 digits, ≥2 special, ≥2 capitals, ≥1 lower, never ? or ,)', () => {
    const random = seeded(7);
    for (let i = 0; i < 200; i++) {
      const s = String(value('RandomString(10,2,2,2,1,"?,")', {}, { random }));
      expect(s).toHaveLength(10);
      expect(s.replace(/[^0-9]/g, '').length).toBeGreaterThanOrEqual(2);
      expect(s.replace(/[^A-Z]/g, '').length).toBeGreaterThanOrEqual(2);
      expect(s.replace(/[^a-z]/g, '').length).toBeGreaterThanOrEqual(1);
      expect(s.replace(/[0-9A-Za-z]/g, '').length).toBeGreaterThanOrEqual(2);
      expect(s).not.toMatch(/[?,]/);
    }
  });
});

describe('compileExpression and the catalogue', () => {
  it('compiles once and evaluates many objects', () => {
    const compiled = compileExpression('Join(" ", [givenName], [surname])');
    expect(compiled.evaluate({ givenName: 'Ada', surname: 'Lovelace' })).toEqual({ kind: 'value', value: 'Ada Lovelace' });
    expect(compiled.evaluate({ givenName: 'Alan' })).toEqual({ kind: 'value', value: 'Alan' });
    expect(compileExpression('Join(" ", [givenName], [surname])')).toBe(compiled);
    const ast = parseExpression('[a]');
    expect(compileExpression(ast)).toBe(compileExpression(ast));
  });

  it('lists every function of issue 3 with arity and a doc line', () => {
    const required = ['Append', 'AppRoleAssignmentsComplex', 'AssertiveAppRoleAssignmentsComplex', 'BitAnd', 'CBool', 'CDate', 'Coalesce', 'ConvertToBase64', 'ConvertToUTF8Hex', 'Count', 'CStr', 'DateAdd', 'DateDiff', 'DateFromNum', 'FormatDateTime', 'Guid', 'IgnoreFlowIfNullOrEmpty', 'IIF', 'InStr', 'IsNull', 'IsNullOrEmpty', 'IsPresent', 'IsString', 'Item', 'Join', 'Left', 'Mid', 'NormalizeDiacritics', 'Not', 'Now', 'NumFromDate', 'PCase', 'RandomString', 'Redact', 'RemoveDuplicates', 'Replace', 'SelectUniqueValue', 'SingleAppRoleAssignment', 'Split', 'StripSpaces', 'Switch', 'ToLower', 'ToUpper', 'Word'];
    const names = functionCatalogue.map((f) => f.name);
    expect(names.filter((n) => required.includes(n)).sort()).toEqual([...required].sort());
    const byName = new Map(functionCatalogue.map((f) => [f.name, f]));
    expect(byName.get('Mid')).toMatchObject({ minArgs: 3, maxArgs: 3 });
    expect(byName.get('Join')).toMatchObject({ minArgs: 1, maxArgs: Number.POSITIVE_INFINITY });
    expect(byName.get('Replace')).toMatchObject({ minArgs: 2, maxArgs: 7 });
    expect(byName.get('FormatDateTime')).toMatchObject({ minArgs: 3, maxArgs: 4 });
    expect(byName.get('Guid')).toMatchObject({ minArgs: 0, maxArgs: 0 });
    for (const f of functionCatalogue) expect(f.doc.length).toBeGreaterThan(10);
  });

  it('every catalogue function evaluates (none is listed without an implementation)', () => {
    for (const f of functionCatalogue) {
      const args = Array.from({ length: f.minArgs }, () => '"1"').join(', ');
      let result: EvaluationResult | undefined;
      try {
        result = evaluateExpression(`${f.name}(${args})`, {});
      } catch (error) {
        expect(error).toBeInstanceOf(ExpressionEvaluationError);
        expect((error as ExpressionEvaluationError).message).not.toContain('Unknown function');
        continue;
      }
      expect(['value', 'ignoreFlow', 'escrow']).toContain(result.kind);
    }
  });
});
