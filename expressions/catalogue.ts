/** One formal parameter of a function. `graphKey` is the key used in Graph's parsed-expression tree. */
export interface ParameterInfo {
  readonly name: string;
  readonly graphKey: string;
  readonly required: boolean;
  /** Part of the trailing group that may repeat (`Join`'s sources, `Switch`'s key/value pairs). */
  readonly repeats: boolean;
}

export type FunctionFlavor = 'app-provisioning' | 'cloud-sync' | 'engine';

/** A function of the language. `maxArgs` is `Infinity` for variadic functions. */
export interface FunctionInfo {
  readonly name: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly doc: string;
  readonly signature: string;
  readonly parameters: readonly ParameterInfo[];
  /** Where the function is documented: application provisioning (reference §5), cloud sync, or engine-internal. */
  readonly flavor: FunctionFlavor;
}

interface Spec {
  signature: string;
  doc: string;
  flavor?: FunctionFlavor;
  /** Graph keys that differ from the documented parameter names (reference §3.2). */
  keys?: Record<string, string>;
  minArgs?: number;
}

/**
 * Signatures follow reference §5: `[x]` optional, `…` after the trailing group means it repeats.
 * minArgs/maxArgs derive from the signature unless given.
 */
const specs: Record<string, Spec> = {
  Append: { signature: 'Append(source, suffix)', doc: 'source followed by suffix; a null source counts as "".' },
  AppRoleAssignmentsComplex: {
    signature: 'AppRoleAssignmentsComplex(source)',
    doc: 'All app roles of the user as complex values {id, value, displayName, primary: false, type} for a custom roles attribute (PATCH adds only).',
  },
  AssertiveAppRoleAssignmentsComplex: {
    signature: 'AssertiveAppRoleAssignmentsComplex(source)',
    doc: 'All app roles of the user as complex values {primary: false, type, display, value}; PATCH replaces the whole roles list.',
  },
  BitAnd: { signature: 'BitAnd(value1, value2)', doc: 'Bitwise AND of two integers (decimal or &H hexadecimal).' },
  CBool: { signature: 'CBool(expression)', doc: '"True" if the expression is "True" (any case) or a non-zero number, else "False".' },
  CDate: { signature: 'CDate(expression)', doc: 'Parses an ISO-8601 or M/d/yyyy h:mm:ss tt date (offset optional, UTC if none); returns UTC M/d/yyyy h:mm:ss tt.' },
  Coalesce: { signature: 'Coalesce(source, …)', doc: 'The first argument that is not null (an empty string is not null); null if all are null.' },
  ConvertToBase64: { signature: 'ConvertToBase64(source)', doc: 'Base64 of the UTF-16LE bytes of source.' },
  ConvertToUTF8Hex: { signature: 'ConvertToUTF8Hex(source)', doc: 'Upper-case hexadecimal of the UTF-8 bytes of source.' },
  Count: { signature: 'Count(attribute)', doc: 'Number of values of a multi-valued attribute (0 for null, 1 for a single value).' },
  CStr: { signature: 'CStr(value)', doc: 'The value as a string.' },
  DateAdd: { signature: 'DateAdd(interval, value, dateTime)', doc: 'dateTime plus value intervals (yyyy, q, m, y, d, w, ww, h, n, s); returns UTC M/d/yyyy h:mm:ss tt.' },
  DateDiff: { signature: 'DateDiff(interval, date1, date2)', doc: 'date2 − date1 counted in interval boundaries crossed (VBA rules).' },
  DateFromNum: { signature: 'DateFromNum(value)', doc: 'AD FILETIME (100-ns ticks since 1601-01-01 UTC) to a date, M/d/yyyy h:mm:ss tt.' },
  FormatDateTime: {
    signature: 'FormatDateTime(source, [dateTimeStyles], inputFormat, outputFormat)',
    doc: 'Parses source with the .NET custom format inputFormat and prints it with outputFormat. The 3-argument form (no dateTimeStyles) is accepted too.',
    minArgs: 3,
  },
  Guid: { signature: 'Guid()', doc: 'A new random GUID (uses the injected random source).' },
  IgnoreFlowIfNullOrEmpty: { signature: 'IgnoreFlowIfNullOrEmpty(expression)', doc: 'The value, or — if it is null or "" — the target attribute is left out of this flow.' },
  IIF: { signature: 'IIF(condition, valueIfTrue, valueIfFalse)', doc: 'valueIfTrue if condition is true, else valueIfFalse; only the chosen branch is evaluated.' },
  InStr: { signature: 'InStr(value1, value2, [start], [compareType])', doc: '1-based position of value2 in value1 from start, 0 if absent; compareType vbTextCompare ignores case.' },
  IsNull: { signature: 'IsNull(expression)', doc: '"True" if the value is null (attribute absent).' },
  IsNullOrEmpty: { signature: 'IsNullOrEmpty(expression)', doc: '"True" if the value is null or "".' },
  IsPresent: { signature: 'IsPresent(expression)', doc: '"True" if the value is neither null nor "".' },
  IsString: { signature: 'IsString(expression)', doc: '"True" if the value is a (single) string.' },
  Item: { signature: 'Item(attribute, index)', doc: 'The index-th (1-based) value of a multi-valued attribute; an index out of range is an error.' },
  Join: { signature: 'Join(separator, source, …)', doc: 'All values (multi-valued sources contribute each value) joined by separator; null and "" are skipped.', minArgs: 1 },
  Left: { signature: 'Left(string, numChars)', doc: 'The first numChars characters; whole string if shorter or numChars < 0; "" for null.' },
  Mid: { signature: 'Mid(source, start, length)', doc: 'length characters from the 1-based start; null for null.' },
  NormalizeDiacritics: { signature: 'NormalizeDiacritics(source)', doc: 'Accented letters replaced by plain ones, case kept (ä→a, æ→ae, ß→ss, ø→oe, ł→l …).' },
  Not: { signature: 'Not(source)', doc: '"False" if source is "True" (any case), else "True".' },
  Now: { signature: 'Now()', doc: 'Current UTC time, M/d/yyyy h:mm:ss tt (uses the injected clock).' },
  NumFromDate: { signature: 'NumFromDate(value)', doc: 'ISO-8601 date-time to AD FILETIME (100-ns ticks since 1601-01-01 UTC).' },
  PCase: { signature: 'PCase(source, [wordSeparators])', doc: 'First letter of each word upper-case, the rest lower-case; words split at wordSeparators if given.' },
  RandomString: {
    signature: 'RandomString(length, minNumbers, minSpecialCharacters, minCapital, minLowerCase, [charactersToAvoid])',
    doc: 'A random string with at least the given numbers of digits, special characters, capitals and lower-case letters (uses the injected random source).',
  },
  Redact: { signature: 'Redact(source)', doc: 'The value unchanged; logs show [Redact] instead (result has redacted: true).' },
  RemoveDuplicates: { signature: 'RemoveDuplicates(attribute)', doc: 'The values of a multi-valued attribute without duplicates, first occurrence kept.' },
  Replace: {
    signature: 'Replace(source, [oldValue], [regexPattern], [regexGroupName], [replacementValue], [replacementAttributeName], [template])',
    doc: 'Literal or .NET-regex replacement; the mode depends on which arguments are supplied (reference §5).',
    keys: { oldValue: 'Find', replacementValue: 'Replacement' },
    minArgs: 2,
  },
  SelectUniqueValue: {
    signature: 'SelectUniqueValue(rule, …)',
    doc: 'The first generated value not already present in the target; none → the object is escrowed. Top level only.',
    minArgs: 2,
  },
  SingleAppRoleAssignment: {
    signature: 'SingleAppRoleAssignment(source)',
    doc: 'The value of the user\'s single app role; several roles → the object is escrowed.',
  },
  Split: { signature: 'Split(source, delimiter)', doc: 'A multi-valued list of the parts of source between delimiters (parts are not trimmed).' },
  StripSpaces: { signature: 'StripSpaces(source)', doc: 'source with every space character removed.' },
  Switch: {
    signature: 'Switch(source, [defaultValue], key, value, …)',
    doc: 'The value paired with the first key equal to source (case-sensitive; null source matches ""), else defaultValue.',
  },
  ToLower: { signature: 'ToLower(source, [culture])', doc: 'Lower case (invariant culture unless an RFC 4646 culture is given).' },
  ToUpper: { signature: 'ToUpper(source, [culture])', doc: 'Upper case (invariant culture unless an RFC 4646 culture is given).' },
  Word: { signature: 'Word(string, wordNumber, delimiters)', doc: 'The wordNumber-th (1-based) word, splitting at any delimiter character; "" if there is none.' },
  // Cloud sync (same engine family, reference §5 last paragraph).
  ConvertFromBase64: { signature: 'ConvertFromBase64(source, [encoding])', doc: 'Decodes base64; encoding Unicode (default, UTF-16LE), UTF8 or ASCII.', flavor: 'cloud-sync' },
  Contains: {
    signature: 'Contains(attribute, search, [caseType])',
    doc: '1-based index of the first value containing search (0 if none); caseType CaseSensitive (default) or CaseInsensitive.',
    flavor: 'cloud-sync',
  },
  CRef: { signature: 'CRef(source)', doc: 'The reference value as is (cloud sync).', flavor: 'cloud-sync' },
  DNComponent: { signature: 'DNComponent(dn, componentNumber)', doc: 'The value of the componentNumber-th (1-based, from the left) RDN of a DN.', flavor: 'cloud-sync' },
  Error: { signature: 'Error(message)', doc: 'Fails the evaluation with message.', flavor: 'cloud-sync' },
  StringFromSid: {
    signature: 'StringFromSid(ObjectSID)',
    doc: 'A binary security identifier (base64) as its string form S-1-5-21-….',
    flavor: 'cloud-sync',
  },
  Trim: { signature: 'Trim(source)', doc: 'Leading and trailing white space removed (per value).', flavor: 'cloud-sync' },
  // Seen in Graph's functions listing (reference §3.2).
  AppRoleAssignments: { signature: 'AppRoleAssignments(source)', doc: 'The values of all the user\'s app roles as a multi-valued list.', flavor: 'engine' },
};

function build(name: string, spec: Spec): FunctionInfo {
  const inner = spec.signature.slice(spec.signature.indexOf('(') + 1, spec.signature.lastIndexOf(')')).trim();
  const raw = inner === '' ? [] : inner.split(',').map((part) => part.trim());
  const variadic = raw.length > 0 && raw[raw.length - 1] === '…';
  const names = variadic ? raw.slice(0, -1) : raw;
  // The repeating group: Switch repeats (key, value), the others their last parameter.
  const repeatCount = variadic ? (name === 'Switch' ? 2 : 1) : 0;
  const parameters = names.map((p, i): ParameterInfo => {
    const optional = p.startsWith('[');
    const plain = optional ? p.slice(1, -1) : p;
    return {
      name: plain,
      graphKey: spec.keys?.[plain] ?? plain,
      required: !optional,
      repeats: i >= names.length - repeatCount,
    };
  });
  const required = parameters.filter((p) => p.required).length;
  return {
    name,
    minArgs: spec.minArgs ?? (name === 'Switch' ? 4 : required),
    maxArgs: variadic ? Number.POSITIVE_INFINITY : parameters.length,
    doc: spec.doc,
    signature: spec.signature,
    parameters,
    flavor: spec.flavor ?? 'app-provisioning',
  };
}

/** Every function the evaluator implements, sorted by name. */
export const functionCatalogue: readonly FunctionInfo[] = Object.freeze(
  Object.entries(specs)
    .map(([name, spec]) => Object.freeze(build(name, spec)))
    .sort((a, b) => a.name.localeCompare(b.name)),
);

const byName = new Map(functionCatalogue.map((f) => [f.name, f]));

export function findFunction(name: string): FunctionInfo | undefined {
  return byName.get(name);
}

/** The parameter an argument at `index` binds to (handles repeating groups and FormatDateTime's 3-argument form). */
export function parameterFor(info: FunctionInfo, index: number, argCount: number): ParameterInfo | undefined {
  if (info.name === 'FormatDateTime' && argCount === 3) return info.parameters[index === 0 ? 0 : index + 1];
  if (index < info.parameters.length) return info.parameters[index];
  const group = info.parameters.filter((p) => p.repeats);
  if (group.length === 0) return undefined;
  const firstRepeat = info.parameters.length - group.length;
  return group[(index - firstRepeat) % group.length];
}

/** A name with the same letters in another case, for "did you mean" hints (function names are case-sensitive). */
export function suggestFunction(name: string): string | undefined {
  const lower = name.toLowerCase();
  return functionCatalogue.find((f) => f.name.toLowerCase() === lower)?.name;
}

/** The closest catalogue name within two edits (ignoring case), for "did you mean" hints on typos. */
export function nearestFunction(name: string): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const f of functionCatalogue) {
    const d = editDistance(lower, f.name.toLowerCase(), bestDistance);
    if (d < bestDistance) {
      best = f.name;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once it cannot be below `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, current[j]);
    }
    if (rowMin >= limit) return limit;
    previous = current;
  }
  return Math.min(previous[b.length], limit);
}
