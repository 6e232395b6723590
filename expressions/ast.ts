/** A point in the expression text. `line` and `column` are 1-based; `offset` is 0-based (UTF-16 units). */
export interface SourcePosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/** The text a node was parsed from: `start` inclusive, `end` exclusive. */
export interface SourceSpan {
  readonly start: SourcePosition;
  readonly end: SourcePosition;
}

/** `Name(arg, , arg)`: an omitted (empty) argument is `null`, as in `Switch([IsSoftDeleted], , "False", "True")`. */
export interface CallExpression {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly (Expression | null)[];
  readonly span: SourceSpan;
}

/** `[name]`: a source attribute, e.g. `[mail]`, `[extension_<appId>_costCenter]`. */
export interface AttributeExpression {
  readonly kind: 'attribute';
  readonly name: string;
  readonly span: SourceSpan;
}

/** `"text"` with `\"` and `\\` unescaped; `value` is the unescaped text. */
export interface StringExpression {
  readonly kind: 'string';
  readonly value: string;
  readonly span: SourceSpan;
}

/** A bare integer such as `1000` or `-5`; `text` is kept as written (numbers are strings in this language). */
export interface NumberExpression {
  readonly kind: 'number';
  readonly text: string;
  readonly span: SourceSpan;
}

/** `&HF7`: `digits` are the hexadecimal digits as written, without the `&H` prefix. */
export interface HexExpression {
  readonly kind: 'hex';
  readonly digits: string;
  readonly span: SourceSpan;
}

/** A bare identifier: `vbTextCompare`, `IgnoreAttributeFlow`, `UTF8`, … (see `keywords`). */
export interface KeywordExpression {
  readonly kind: 'keyword';
  readonly name: Keyword;
  readonly span: SourceSpan;
}

export const comparisonOperators = ['=', '<>', '>', '>=', '<', '<='] as const;
export type ComparisonOperator = (typeof comparisonOperators)[number];
/** `&` is the string concatenation operator of the cloud-sync flavour. */
export type BinaryOperator = ComparisonOperator | '&';

/** `left op right`, e.g. `[country]="USA"` or `DateDiff("d", Now(), [x]) > 5`; left-associative. */
export interface BinaryExpression {
  readonly kind: 'binary';
  readonly operator: BinaryOperator;
  readonly left: Expression;
  readonly right: Expression;
  readonly span: SourceSpan;
}

export type Expression =
  | CallExpression
  | AttributeExpression
  | StringExpression
  | NumberExpression
  | HexExpression
  | KeywordExpression
  | BinaryExpression;

/** The identifiers that may appear as bare values (reference §3.1, plus cloud sync's Contains case types). Anything else is a syntax error. */
export const keywords = [
  'vbTextCompare',
  'vbBinaryCompare',
  'UTF8',
  'ASCII',
  'Unicode',
  'IgnoreAttributeFlow',
  'IgnoreObjectFlow',
  'CaseSensitive',
  'CaseInsensitive',
] as const;
export type Keyword = (typeof keywords)[number];

export function isKeyword(name: string): name is Keyword {
  return (keywords as readonly string[]).includes(name);
}

/** Operator precedence: `&` binds tighter than comparisons (as in VBScript). */
export function precedence(operator: BinaryOperator): number {
  return operator === '&' ? 2 : 1;
}
