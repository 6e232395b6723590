// Parser, formatter and Graph tree: grammar of mapping-expressions.md §3.1, parsed form of §3.2.
import { describe, expect, it } from 'vitest';
import {
  ExpressionSyntaxError,
  formatExpression,
  parseExpression,
  referencedAttributes,
  toGraphExpressionTree,
  walkExpression,
} from '../../expressions/index.js';
import { withoutPositions } from './support.js';

function syntaxError(text: string): ExpressionSyntaxError {
  try {
    parseExpression(text);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected a syntax error for ${text}`);
}

describe('parseExpression (reference §3.1)', () => {
  it('parses nested calls, attributes, strings and numbers with positions', () => {
    const ast = parseExpression('Append(Mid([givenName], 1, 3), "x")');
    expect(withoutPositions(ast)).toEqual({
      kind: 'call',
      name: 'Append',
      args: [
        {
          kind: 'call',
          name: 'Mid',
          args: [
            { kind: 'attribute', name: 'givenName' },
            { kind: 'number', text: '1' },
            { kind: 'number', text: '3' },
          ],
        },
        { kind: 'string', value: 'x' },
      ],
    });
    expect(ast.span.start).toEqual({ offset: 0, line: 1, column: 1 });
    expect(ast.span.end.offset).toBe(35);
    if (ast.kind !== 'call' || ast.args[0]?.kind !== 'call') throw new Error('shape');
    expect(ast.args[0].span.start).toEqual({ offset: 7, line: 1, column: 8 });
    expect(ast.args[0].args[0]?.span).toEqual({
      start: { offset: 11, line: 1, column: 12 },
      end: { offset: 22, line: 1, column: 23 },
    });
  });

  it('keeps omitted arguments positional, including trailing ones (Switch([IsSoftDeleted], , ...), Replace(..., , ))', () => {
    const ast = parseExpression('Switch([IsSoftDeleted], , "False", "True", "True", "False")');
    expect(ast.kind === 'call' && ast.args.map((a) => a?.kind ?? null)).toEqual([
      'attribute',
      null,
      'string',
      'string',
      'string',
      'string',
    ]);
    const replace = parseExpression('Replace([mail], "@contoso.com", , ,"", ,)');
    expect(replace.kind === 'call' && replace.args.map((a) => a?.kind ?? null)).toEqual([
      'attribute',
      'string',
      null,
      null,
      'string',
      null,
      null,
    ]);
    const lower = parseExpression('ToLower(Mid([x],2,64), )');
    expect(lower.kind === 'call' && lower.args.length).toBe(2);
  });

  it('accepts extension attributes, dotted names, a space before "(" and line breaks between tokens', () => {
    const ast = parseExpression('SelectUniqueValue (\r\n\t[extension_9d98e0b1c2a34b6f8f1e2d3c4b5a6978_costCenter],\n [passwordProfile.password]\n)');
    expect(withoutPositions(ast)).toEqual({
      kind: 'call',
      name: 'SelectUniqueValue',
      args: [
        { kind: 'attribute', name: 'extension_9d98e0b1c2a34b6f8f1e2d3c4b5a6978_costCenter' },
        { kind: 'attribute', name: 'passwordProfile.password' },
      ],
    });
    if (ast.kind !== 'call') throw new Error('shape');
    expect(ast.args[1]?.span.start).toMatchObject({ line: 3, column: 2 });
  });

  it('unescapes \\" and \\\\ and keeps a backslash before any other character (regex literals, §3.1)', () => {
    expect(withoutPositions(parseExpression('"a \\"quote\\" and \\\\ back"'))).toEqual({ kind: 'string', value: 'a "quote" and \\ back' });
    expect(withoutPositions(parseExpression('"\\\\+(?<isdCode>\\\\d* )"'))).toEqual({ kind: 'string', value: '\\+(?<isdCode>\\d* )' });
    expect(withoutPositions(parseExpression('"\\+(?<x>49|44)"'))).toEqual({ kind: 'string', value: '\\+(?<x>49|44)' });
  });

  it('parses hex literals, negative numbers, keywords and comparison operators', () => {
    expect(withoutPositions(parseExpression('BitAnd(&HF, &hf7)'))).toEqual({
      kind: 'call',
      name: 'BitAnd',
      args: [
        { kind: 'hex', digits: 'F' },
        { kind: 'hex', digits: 'F7' },
      ],
    });
    expect(withoutPositions(parseExpression('DateAdd("d", -7, Now())'))).toMatchObject({ args: [{}, { kind: 'number', text: '-7' }, {}] });
    expect(withoutPositions(parseExpression('InStr("a","b",1,vbTextCompare)'))).toMatchObject({
      args: [{}, {}, {}, { kind: 'keyword', name: 'vbTextCompare' }],
    });
    for (const op of ['=', '<>', '>', '>=', '<', '<=']) {
      expect(withoutPositions(parseExpression(`IIF([a]${op}1,"y","n")`))).toMatchObject({
        args: [{ kind: 'binary', operator: op, left: { kind: 'attribute', name: 'a' }, right: { kind: 'number', text: '1' } }, {}, {}],
      });
    }
  });

  it('gives "&" (cloud-sync concatenation) precedence over comparisons, and comparisons associate to the left', () => {
    expect(withoutPositions(parseExpression('[a] = "t-" & [b]'))).toEqual({
      kind: 'binary',
      operator: '=',
      left: { kind: 'attribute', name: 'a' },
      right: { kind: 'binary', operator: '&', left: { kind: 'string', value: 't-' }, right: { kind: 'attribute', name: 'b' } },
    });
    expect(withoutPositions(parseExpression('1 < 2 = "True"'))).toMatchObject({ operator: '=', left: { operator: '<' } });
  });

  it('reports what was expected, where, with a caret under the position', () => {
    const error = syntaxError('Mid([x] 1, 3)');
    expect(error).toMatchObject({ line: 1, column: 9, expected: ['","', '")" to close Mid('], found: '"1"' });
    expect(error.message).toBe('Expected ",", or ")" to close Mid( but found "1" at line 1, column 9\n  Mid([x] 1, 3)\n          ^'.replace(', or', ' or'));
  });

  it('reports positions on later lines', () => {
    const error = syntaxError('Join(",",\n  [a],\n  [b]\n');
    expect(error.line).toBe(4);
    expect(error.column).toBe(1);
    expect(error.found).toBe('end of expression');
    const unterminated = syntaxError('Join(",",\n  "abc)');
    expect(unterminated).toMatchObject({ line: 2, column: 3 });
    expect(unterminated.message).toContain('Unterminated string');
    expect(unterminated.message).toContain('\n    "abc)\n    ^');
  });

  it('shows a window of a long line around the error, with the caret under it', () => {
    const text = `Join(",", ${Array.from({ length: 60 }, (_, i) => `[a${i}]`).join(', ')} [oops])`;
    const error = syntaxError(text);
    const [, excerpt, caret] = error.message.split('\n');
    expect(excerpt.length).toBeLessThan(110);
    expect(excerpt).toMatch(/^  …\], \[a4/);
    expect(excerpt[caret.indexOf('^')]).toBe('[');
    expect(excerpt.slice(caret.indexOf('^'))).toMatch(/^\[oops\]/);
  });

  it('rejects unknown bare names, empty attributes, stray tokens and empty input', () => {
    expect(syntaxError('IIF([a]="x", Nothing, [b])').message).toContain('Unknown name "Nothing"');
    expect(syntaxError('[]').message).toContain('Empty attribute reference');
    expect(syntaxError('[mail').expected).toEqual(['"]" to close the attribute name']);
    expect(syntaxError('[mail] [upn]').expected).toEqual(['an operator', 'end of expression']);
    expect(syntaxError('').found).toBe('end of expression');
    expect(syntaxError('&G1').expected).toEqual(['"&H" followed by hexadecimal digits']);
    expect(syntaxError('12abc').column).toBe(3);
  });

  it('explains curly or single quotes and AND/OR, the usual copy-paste and habit mistakes', () => {
    expect(syntaxError('Join(" ", \u201cx\u201d)').message).toContain('Strings are written in straight double quotes ("…") but found "\u201c"');
    expect(syntaxError("Append([a], '.test')").reason).toContain('straight double quotes');
    const and = syntaxError('IIF([a]="1" And [b]="2", "y", "n")');
    expect(and.reason).toBe('There is no AND operator: nest IIF calls instead (AND along the true branch, OR along the false branch)');
    expect(and.column).toBe(13);
    expect(syntaxError('[a]="1" or [b]="2"').reason).toContain('There is no OR operator');
  });

  it('rejects absurdly deep nesting with a syntax error instead of a stack overflow', () => {
    const deep = `${'Not('.repeat(5000)}[x]${')'.repeat(5000)}`;
    expect(syntaxError(deep).message).toContain('nested more than');
  });
});

describe('formatExpression', () => {
  it('prints the canonical form Graph echoes back (arguments joined by ", ", omitted ones empty; §3.2)', () => {
    expect(formatExpression(parseExpression('Replace([preferredLanguage], "-", , , "_", ,  )'))).toBe(
      'Replace([preferredLanguage], "-", , , "_", , )',
    );
    expect(formatExpression(parseExpression('Switch([IsSoftDeleted],,"False","True","True","False")'))).toBe(
      'Switch([IsSoftDeleted], , "False", "True", "True", "False")',
    );
    expect(formatExpression(parseExpression('IIF([country]="USA",[country],[department])'))).toBe('IIF([country] = "USA", [country], [department])');
    expect(formatExpression(parseExpression('BitAnd(&hf, 5)'))).toBe('BitAnd(&HF, 5)');
    expect(formatExpression(parseExpression('Guid()'))).toBe('Guid()');
    expect(formatExpression(parseExpression('"say \\"hi\\" \\\\ \\d"'))).toBe('"say \\"hi\\" \\\\ \\\\d"');
  });

  it('adds parentheses only where an operator tree needs them to keep its shape', () => {
    const ast = parseExpression('[a] = ([b] = [c])');
    expect(formatExpression(ast)).toBe('[a] = ([b] = [c])');
    expect(withoutPositions(parseExpression(formatExpression(ast)))).toEqual(withoutPositions(ast));
    expect(formatExpression(parseExpression('([a] = [b]) & "x"'))).toBe('([a] = [b]) & "x"');
    expect(formatExpression(parseExpression('([a] = [b]) = "True"'))).toBe('[a] = [b] = "True"');
  });
});

describe('toGraphExpressionTree (reference §3.2 documented samples)', () => {
  it('matches the documented Replace tree: keys source/Find/Replacement, omitted arguments left out', () => {
    expect(toGraphExpressionTree(parseExpression('Replace([preferredLanguage], "-", , , "_", ,  )'))).toEqual({
      expression: 'Replace([preferredLanguage], "-", , , "_", , )',
      name: 'Replace',
      type: 'Function',
      parameters: [
        { key: 'source', value: { expression: '[preferredLanguage]', name: 'preferredLanguage', parameters: [], type: 'Attribute' } },
        { key: 'Find', value: { expression: '"-"', name: '-', parameters: [], type: 'Constant' } },
        { key: 'Replacement', value: { expression: '"_"', name: '_', parameters: [], type: 'Constant' } },
      ],
    });
  });

  it('matches the documented Mid, Not and SingleAppRoleAssignment trees (numbers become quoted constants)', () => {
    expect(toGraphExpressionTree(parseExpression('Mid([userPrincipalName], 1, 8)'))).toEqual({
      expression: 'Mid([userPrincipalName], 1, 8)',
      name: 'Mid',
      type: 'Function',
      parameters: [
        { key: 'source', value: { expression: '[userPrincipalName]', name: 'userPrincipalName', parameters: [], type: 'Attribute' } },
        { key: 'start', value: { expression: '"1"', name: '1', parameters: [], type: 'Constant' } },
        { key: 'length', value: { expression: '"8"', name: '8', parameters: [], type: 'Constant' } },
      ],
    });
    expect(toGraphExpressionTree(parseExpression('Not([IsSoftDeleted])')).parameters.map((p) => p.key)).toEqual(['source']);
    expect(toGraphExpressionTree(parseExpression('SingleAppRoleAssignment([appRoleAssignments])')).parameters.map((p) => p.key)).toEqual([
      'source',
    ]);
  });

  it('uses Append(source, suffix) and FormatDateTime(source, inputFormat, outputFormat) keys from the functions sample', () => {
    expect(toGraphExpressionTree(parseExpression('Append([a], "x")')).parameters.map((p) => p.key)).toEqual(['source', 'suffix']);
    expect(toGraphExpressionTree(parseExpression('FormatDateTime([d], , "yyyyMMdd", "yyyy")')).parameters.map((p) => p.key)).toEqual([
      'source',
      'inputFormat',
      'outputFormat',
    ]);
    expect(toGraphExpressionTree(parseExpression('FormatDateTime([d], "yyyyMMdd", "yyyy")')).parameters.map((p) => p.key)).toEqual([
      'source',
      'inputFormat',
      'outputFormat',
    ]);
  });

  it('gives a bare attribute or constant its own node type', () => {
    expect(toGraphExpressionTree(parseExpression('[mail]'))).toEqual({ expression: '[mail]', name: 'mail', parameters: [], type: 'Attribute' });
    expect(toGraphExpressionTree(parseExpression('"a\\"b"'))).toEqual({ expression: '"a\\"b"', name: 'a"b', parameters: [], type: 'Constant' });
  });

  it('repeats the key of a repeating parameter (Join sources, Switch key/value pairs)', () => {
    expect(toGraphExpressionTree(parseExpression('Join(" ", [a], [b], [c])')).parameters.map((p) => p.key)).toEqual([
      'separator',
      'source',
      'source',
      'source',
    ]);
    expect(toGraphExpressionTree(parseExpression('Switch([a], , "1", "x", "2", "y")')).parameters.map((p) => p.key)).toEqual([
      'source',
      'key',
      'value',
      'key',
      'value',
    ]);
  });
});

describe('referencedAttributes / walkExpression', () => {
  it('lists the attributes read, once each, in order of appearance (case-insensitive like lookups)', () => {
    const ast = parseExpression('Switch(IsPresent([mail]), , "True", [Mail], "False", [userPrincipalName])');
    expect(referencedAttributes(ast)).toEqual(['mail', 'userPrincipalName']);
    expect(referencedAttributes(parseExpression('IIF([a] = [b] & "x", Guid(), "c")'))).toEqual(['a', 'b']);
    expect(referencedAttributes(parseExpression('"constant"'))).toEqual([]);
  });

  it('visits every node, parents first', () => {
    const kinds = [...walkExpression(parseExpression('Join(",", [a], , Mid([b], 1, 2))'))].map((n) => n.kind);
    expect(kinds).toEqual(['call', 'string', 'attribute', 'call', 'attribute', 'number', 'number']);
  });
});
