/** The functions of the language (semantics: reference §5; choices where it is silent: docs/expressions.md). */
import type { CallExpression, Expression } from './ast.js';
import {
  dateAdd,
  dateDiff,
  fileTimeToMs,
  formatWithFormat,
  isDateInterval,
  msToFileTime,
  parseWithFormat,
} from './dates.js';
import { ExpressionEvaluationError } from './errors.js';
import {
  type Context,
  Escrow,
  type Impl,
  type Thunk,
  type Val,
  attributeReader,
  bool,
  constants,
  dateArgument,
  dateText,
  fault,
  ignoreFlow,
  integer,
  integerThunk,
  isNull,
  isNullOrEmpty,
  itemText,
  now,
  nullThunk,
  perValue,
  quote,
  scalar,
  strict,
  stringFunction,
  text,
  truthy,
  values,
} from './runtime.js';
import {
  compileDotNetRegex,
  invariantLower,
  invariantUpper,
  firstGroup,
  normalizeDiacritics,
  properCase,
  randomGuid,
  randomString,
  regexReplace,
  regexReplaceGroup,
} from './text.js';
import type { Value } from './values.js';

// ---------------------------------------------------------------------------------------------------------------
// App roles.

interface Role {
  id: string;
  value: string;
  displayName: string;
}

function roles(v: Val): Role[] {
  const out: Role[] = [];
  const seen = new Set<string>();
  for (const item of values(v)) {
    let role: Role | undefined;
    if (typeof item === 'string') {
      if (item !== '') role = { id: '', value: item, displayName: item };
    } else if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const value = item.value;
      if (typeof value === 'string' && value !== '') {
        const id = item.id ?? item.appRoleId;
        const displayName = item.displayName;
        role = { id: typeof id === 'string' ? id : '', value, displayName: typeof displayName === 'string' ? displayName : value };
      }
    }
    if (role && !seen.has(role.value)) {
      seen.add(role.value);
      out.push(role);
    }
  }
  return out;
}

const roleType = 'WindowsAzureActiveDirectoryRole';

// ---------------------------------------------------------------------------------------------------------------
// Function implementations (semantics: reference §5; choices where it is silent: docs/expressions.md).

function isTaken(ctx: Context, candidate: string): boolean {
  const existing = ctx.options.existingTargetValues;
  if (!existing) return false;
  if (typeof existing === 'function') return existing(candidate);
  const lower = candidate.toLowerCase();
  for (const value of existing) if (value.toLowerCase() === lower) return true;
  return false;
}

const encodings: Record<string, BufferEncoding> = { unicode: 'utf16le', utf8: 'utf8', ascii: 'ascii' };

export const implementations: Record<string, Impl> = {
  Append:
    ([source, suffix]) =>
    (ctx) => {
      const a = scalar(source(ctx));
      const b = scalar(suffix(ctx));
      return a === null && b === null ? null : (a ?? '') + (b ?? '');
    },

  AppRoleAssignments: ([source]) => (ctx) => {
    const list = roles(source(ctx));
    return list.length === 0 ? null : list.map((r) => r.value);
  },

  AppRoleAssignmentsComplex: ([source]) => (ctx) => {
    const list = roles(source(ctx));
    if (list.length === 0) return null;
    return list.map((r) => ({ id: r.id, value: r.value, displayName: r.displayName, primary: false, type: roleType }));
  },

  AssertiveAppRoleAssignmentsComplex: ([source]) => (ctx) =>
    // An empty list is a value here: replacing the roles with [] removes roles withdrawn in Entra.
    roles(source(ctx)).map((r) => ({ primary: false, type: roleType, display: r.displayName, value: r.value })),

  BitAnd: strict(([a, b], _ctx, node) => {
    const parse = (v: Val, parameter: string): bigint => {
      const s = text(v).trim();
      if (/^&H[0-9a-f]+$/i.test(s)) return BigInt(`0x${s.slice(2)}`);
      if (/^[-+]?\d+$/.test(s)) return BigInt(s);
      throw fault(node, `${parameter} must be an integer, got ${quote(s)}`);
    };
    return (parse(a, 'value1') & parse(b, 'value2')).toString();
  }),

  CBool: ([source]) => (ctx) => bool(truthy(source(ctx))),

  CDate: ([source], node) => (ctx) => {
    const v = source(ctx);
    if (isNull(v)) return null;
    return dateText(dateArgument(v, node, 'expression'), node);
  },

  Coalesce: (args) => (ctx) => {
    for (const arg of args) {
      const v = arg(ctx);
      if (!isNull(v)) return v;
    }
    return null;
  },

  ConvertFromBase64: strict(([source, encoding], _ctx, node) => {
    const s = scalar(source);
    if (s === null) return null;
    const name = (scalar(encoding) ?? 'Unicode').toLowerCase();
    const bufferEncoding = encodings[name];
    if (!bufferEncoding) throw fault(node, `encoding must be Unicode, UTF8 or ASCII, got ${quote(scalar(encoding))}`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s.trim())) throw fault(node, `source is not base64: ${quote(s)}`);
    return Buffer.from(s.trim(), 'base64').toString(bufferEncoding);
  }),

  ConvertToBase64: stringFunction((s) => Buffer.from(s, 'utf16le').toString('base64')),

  ConvertToUTF8Hex: stringFunction((s) => Buffer.from(s, 'utf8').toString('hex').toUpperCase()),

  Count: ([source]) => (ctx) => String(values(source(ctx)).length),

  Contains: strict(([attribute, search, caseType], _ctx, node) => {
    const needle = scalar(search);
    if (isNull(attribute) || needle === null) return '0';
    const type = caseType === null ? 'CaseSensitive' : text(caseType);
    if (type !== 'CaseSensitive' && type !== 'CaseInsensitive') {
      throw fault(node, `caseType must be CaseSensitive or CaseInsensitive, got ${quote(type)}`);
    }
    const fold = type === 'CaseInsensitive' ? (x: string) => x.toLowerCase() : (x: string) => x;
    const list = values(attribute);
    const index = list.findIndex((item) => fold(itemText(item)).includes(fold(needle)));
    return String(index + 1);
  }),

  CRef: ([source]) => source,

  CStr: ([source]) => (ctx) => scalar(source(ctx)),

  DateAdd: strict(([interval, amount, dateTime], _ctx, node) => {
    const unit = text(interval);
    if (!isDateInterval(unit)) throw fault(node, `interval must be one of yyyy, q, m, y, d, w, ww, h, n, s, got ${quote(unit)}`);
    if (isNull(dateTime)) return null;
    return dateText(dateAdd(unit, integer(amount, node, 'value'), dateArgument(dateTime, node, 'dateTime')), node);
  }),

  DateDiff: strict(([interval, date1, date2], _ctx, node) => {
    const unit = text(interval);
    if (!isDateInterval(unit)) throw fault(node, `interval must be one of yyyy, q, m, y, d, w, ww, h, n, s, got ${quote(unit)}`);
    if (isNull(date1) || isNull(date2)) return null;
    return String(dateDiff(unit, dateArgument(date1, node, 'date1'), dateArgument(date2, node, 'date2')));
  }),

  DateFromNum: ([source], node) => (ctx) => {
    const s = scalar(source(ctx));
    if (s === null || s === '') return null;
    if (!/^\s*\d+\s*$/.test(s)) throw fault(node, `value must be a FILETIME integer, got ${quote(s)}`);
    return dateText(fileTimeToMs(BigInt(s.trim())), node);
  },

  DNComponent: strict(([dn, component], _ctx, node) => {
    const s = scalar(dn);
    if (s === null) return null;
    const n = integer(component, node, 'componentNumber');
    const rdns = s.split(/(?<!\\),/);
    const rdn = rdns[n - 1];
    if (n < 1 || rdn === undefined) return null;
    const eq = rdn.search(/(?<!\\)=/);
    return (eq < 0 ? rdn : rdn.slice(eq + 1)).trim();
  }),

  Error: ([message], node) => (ctx) => {
    throw new ExpressionEvaluationError(text(message(ctx)), { functionName: node.name, span: node.span });
  },

  FormatDateTime: (args, node) => {
    const [source, inputFormat, outputFormat] = node.args.length === 3 ? args : [args[0], args[2], args[3]];
    return (ctx) => {
      const s = scalar(source(ctx));
      if (s === null || s === '') return null;
      const input = text(inputFormat(ctx));
      const output = text(outputFormat(ctx));
      const parsed = parseWithFormat(s, input);
      if (!parsed) throw fault(node, `${quote(s)} does not match the input format ${quote(input)}`);
      return formatWithFormat(parsed, output);
    };
  },

  Guid: () => (ctx) => randomGuid(ctx.options.random ?? Math.random),

  IgnoreFlowIfNullOrEmpty: ([source]) => (ctx) => {
    const v = source(ctx);
    if (isNullOrEmpty(v)) throw ignoreFlow;
    return v;
  },

  IIF: ([condition, whenTrue, whenFalse], node) => {
    const conditionAttributes = attributesIn(node.args[0]).map((name) => ({ name, read: attributeReader(name) }));
    return (ctx) => {
      if (ctx.options.strictIifConditions) {
        for (const { name, read } of conditionAttributes) {
          if (isNullOrEmpty(read(ctx))) {
            throw fault(node, `the condition reads [${name}], which is null or empty; Entra fails such a condition (reference §4)`);
          }
        }
      }
      return truthy(condition(ctx)) ? whenTrue(ctx) : whenFalse(ctx);
    };
  },

  InStr: (args, node, present) => {
    const [value1, value2] = args;
    return (ctx) => {
      const haystack = scalar(value1(ctx));
      const needle = scalar(value2(ctx));
      if (haystack === null || needle === null) return null;
      const start = present[2] ? integer(args[2](ctx), node, 'start') : 1;
      if (start < 1) throw fault(node, `start must be 1 or more, got ${start}`);
      const compare = present[3] ? text(args[3](ctx)) : 'vbBinaryCompare';
      const ignoreCase = compare === 'vbTextCompare' || compare === '1';
      if (!ignoreCase && compare !== 'vbBinaryCompare' && compare !== '0') {
        throw fault(node, `compareType must be vbBinaryCompare or vbTextCompare, got ${quote(compare)}`);
      }
      const h = ignoreCase ? haystack.toLowerCase() : haystack;
      const n = ignoreCase ? needle.toLowerCase() : needle;
      if (start > h.length + 1) return '0';
      return String(h.indexOf(n, start - 1) + 1);
    };
  },

  IsNull: ([source]) => (ctx) => bool(isNull(source(ctx))),
  IsNullOrEmpty: ([source]) => (ctx) => bool(isNullOrEmpty(source(ctx))),
  IsPresent: ([source]) => (ctx) => bool(!isNullOrEmpty(source(ctx))),
  IsString: ([source]) => (ctx) => bool(typeof source(ctx) === 'string'),

  Item: strict(([attribute, index], _ctx, node) => {
    if (isNull(attribute)) return null;
    const list = values(attribute);
    const i = integer(index, node, 'index');
    if (i < 1 || i > list.length) throw fault(node, `index ${i} is out of range: the attribute has ${list.length} value(s) (indexes start at 1)`);
    return itemText(list[i - 1]);
  }),

  Join: ([separator, ...sources]) => (ctx) => {
    const sep = text(separator(ctx));
    let out = '';
    let first = true;
    for (const source of sources) {
      const v = source(ctx);
      if (v === null) continue;
      if (typeof v === 'string') {
        if (v === '') continue;
        out = first ? v : out + sep + v;
        first = false;
        continue;
      }
      for (const item of v) {
        const s = itemText(item);
        if (s === '') continue;
        out = first ? s : out + sep + s;
        first = false;
      }
    }
    return out;
  },

  Left: strict(([source, numChars], _ctx, node) => {
    const s = scalar(source);
    if (s === null) return '';
    const n = integer(numChars, node, 'numChars');
    return n < 0 ? s : s.slice(0, n);
  }),

  Mid: ([source, start, length], node) => {
    const startOf = integerThunk(start, node, 'start');
    const lengthOf = integerThunk(length, node, 'length');
    return (ctx) => {
      const s = scalar(source(ctx));
      if (s === null) return null;
      const from = startOf(ctx);
      const count = lengthOf(ctx);
      if (from < 1) throw fault(node, `start must be 1 or more, got ${from}`);
      if (count < 0) throw fault(node, `length must not be negative, got ${count}`);
      return s.substr(from - 1, count);
    };
  },

  NormalizeDiacritics: stringFunction(normalizeDiacritics),

  Not: ([source]) => (ctx) => bool(text(source(ctx)).toLowerCase() !== 'true'),

  Now: (_args, node) => (ctx) => dateText(now(ctx), node),

  NumFromDate: ([source], node) => (ctx) => {
    const v = source(ctx);
    if (isNullOrEmpty(v)) return null;
    return msToFileTime(dateArgument(v, node, 'value')).toString();
  },

  PCase: ([source, separators]) => (ctx) => {
    const seps = scalar(separators(ctx));
    return perValue(source(ctx), (s) => properCase(s, seps === '' ? null : seps));
  },

  RandomString: strict(([length, numbers, special, capital, lower, avoid], ctx, node) => {
    const total = integer(length, node, 'length');
    const minimums = {
      numbers: integer(numbers, node, 'minNumbers'),
      special: integer(special, node, 'minSpecialCharacters'),
      capital: integer(capital, node, 'minCapital'),
      lower: integer(lower, node, 'minLowerCase'),
    };
    const sum = minimums.numbers + minimums.special + minimums.capital + minimums.lower;
    if (total < 1 || total > 256) throw fault(node, `length must be between 1 and 256, got ${total}`);
    if (Object.values(minimums).some((n) => n < 0)) throw fault(node, 'minimum counts must not be negative');
    if (sum > total) throw fault(node, `length ${total} is less than the sum of the minimums (${sum})`);
    return randomString(total, minimums, text(avoid), ctx.options.random ?? Math.random);
  }),

  Redact: ([source]) => (ctx) => {
    ctx.redacted = true;
    return source(ctx);
  },

  RemoveDuplicates: ([source]) => (ctx) => {
    const v = source(ctx);
    if (v === null || typeof v === 'string') return v;
    const seen = new Set<string>();
    const out: Value[] = [];
    for (const item of v) {
      const key = typeof item === 'string' ? item : JSON.stringify(item);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(item);
      }
    }
    return out;
  },

  Replace: (args, node, present) => replaceImpl(args, node, present),

  SelectUniqueValue: (rules, node) => (ctx) => {
    const tried: string[] = [];
    for (const rule of rules) {
      const candidate = scalar(rule(ctx));
      if (candidate === null || candidate === '') continue;
      if (!isTaken(ctx, candidate)) return candidate;
      tried.push(candidate);
    }
    throw new Escrow(
      `${node.name}: no unique value: ${tried.length === 0 ? 'every rule produced an empty value' : `already present in the target: ${tried.join(', ')}`}`,
    );
  },

  SingleAppRoleAssignment: ([source], node) => (ctx) => {
    const list = roles(source(ctx));
    if (list.length === 0) return null;
    if (list.length > 1) {
      throw new Escrow(
        `${node.name}: the user has ${list.length} app roles (${list.map((r) => r.value).join(', ')}) but this mapping sends exactly one; assign a single role or map roles with AssertiveAppRoleAssignmentsComplex`,
      );
    }
    return list[0].value;
  },

  Split: ([source, delimiter]) => (ctx) => {
    const v = source(ctx);
    if (v === null) return null;
    const sep = text(delimiter(ctx));
    const out: string[] = [];
    for (const item of values(v)) {
      const s = itemText(item);
      if (sep === '') out.push(s);
      else out.push(...s.split(sep));
    }
    return out;
  },

  StringFromSid: ([source], node) => (ctx) => {
    const s = scalar(source(ctx));
    if (s === null || s === '') return null;
    const bytes = /^[A-Za-z0-9+/]*={0,2}$/.test(s.trim()) ? Buffer.from(s.trim(), 'base64') : Buffer.alloc(0);
    const count = bytes[1] ?? 0;
    if (bytes.length < 8 || bytes.length !== 8 + 4 * count) throw fault(node, `ObjectSID is not a base64 binary SID: ${quote(s)}`);
    const authority = bytes.readUIntBE(2, 6);
    const subAuthorities = Array.from({ length: count }, (_, i) => bytes.readUInt32LE(8 + 4 * i));
    return `S-${bytes[0]}-${authority}${subAuthorities.map((a) => `-${a}`).join('')}`;
  },

  StripSpaces: stringFunction((s) => s.replaceAll(' ', '')),

  Switch: ([source, defaultValue, ...pairs], node) => {
    const sourceAttributes = attributesIn(node.args[0]).map((name) => name.toLowerCase());
    return (ctx) => {
      const changed = ctx.options.switchDeltaQuirk?.changedAttributes;
      if (changed && sourceAttributes.length > 0 && !sourceAttributes.some((name) => isChanged(changed, name))) return null;
      const s = text(source(ctx));
      for (let i = 0; i < pairs.length; i += 2) {
        if (text(pairs[i](ctx)) === s) return pairs[i + 1](ctx);
      }
      return defaultValue(ctx);
    };
  },

  ToLower: ([source, culture], node) => (ctx) => caseChange(source(ctx), scalar(culture(ctx)), node, false),
  ToUpper: ([source, culture], node) => (ctx) => caseChange(source(ctx), scalar(culture(ctx)), node, true),

  Trim: stringFunction((s) => s.trim()),

  Word: strict(([source, wordNumber, delimiters], _ctx, node) => {
    const s = scalar(source);
    if (s === null) return '';
    const n = integer(wordNumber, node, 'wordNumber');
    const delims = text(delimiters);
    if (n < 1) return '';
    const words: string[] = [];
    let current = '';
    for (const c of s) {
      if (delims.includes(c)) {
        if (current !== '') words.push(current);
        current = '';
      } else current += c;
    }
    if (current !== '') words.push(current);
    return words[n - 1] ?? '';
  }),
};

function isChanged(changed: ReadonlySet<string>, lowerName: string): boolean {
  if (changed.has(lowerName)) return true;
  for (const name of changed) if (name.toLowerCase() === lowerName) return true;
  return false;
}

function caseChange(v: Val, culture: string | null, node: CallExpression, upper: boolean): Val {
  if (culture === null || culture === '') return perValue(v, upper ? invariantUpper : invariantLower);
  try {
    return perValue(v, upper ? (s) => s.toLocaleUpperCase(culture) : (s) => s.toLocaleLowerCase(culture));
  } catch {
    throw fault(node, `culture must be an RFC 4646 name such as en-US, got ${quote(culture)}`);
  }
}

/** The attributes read directly by a (condition) expression, not through function calls' inner logic. */
function attributesIn(node: Expression | null): string[] {
  if (node === null) return [];
  switch (node.kind) {
    case 'attribute':
      return [node.name];
    case 'binary':
      return [...attributesIn(node.left), ...attributesIn(node.right)];
    case 'call':
      return node.args.flatMap((arg) => attributesIn(arg));
    default:
      return [];
  }
}

/**
 * Replace's modes, chosen by which arguments are supplied (reference §5):
 * oldValue+replacementValue, oldValue+template, regexPattern+replacementValue,
 * regexPattern+regexGroupName+replacementValue, regexPattern+regexGroupName+replacementAttributeName.
 */
function replaceImpl(args: readonly Thunk[], node: CallExpression, present: readonly boolean[]): Thunk {
  const has = (i: number) => present[i] === true;
  const [source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttribute, template] = [0, 1, 2, 3, 4, 5, 6].map(
    (i) => args[i] ?? nullThunk,
  );
  const compile = (pattern: string, withIndices: boolean): RegExp => {
    try {
      return compileDotNetRegex(pattern, withIndices);
    } catch (error) {
      throw fault(node, `regexPattern ${quote(pattern)} is not a valid regular expression (${(error as Error).message})`);
    }
  };
  const constantPattern = constants.get(regexPattern);
  const withIndices = has(3) && !has(5);
  const fixed = constantPattern === undefined || !has(2) ? undefined : compile(constantPattern, withIndices);
  const regex = (ctx: Context, indices = false): RegExp => fixed ?? compile(text(regexPattern(ctx)), indices);
  if (has(1) && has(6)) {
    return (ctx) => {
      const s = scalar(source(ctx));
      if (s === null) return null;
      const t = scalar(template(ctx));
      if (t === null) return null;
      const old = text(oldValue(ctx));
      return old === '' ? t : t.replaceAll(old, () => s);
    };
  }
  if (has(1)) {
    if (!has(4)) return failing(node, 'oldValue needs replacementValue or template');
    return (ctx) =>
      perValue(source(ctx), (s) => {
        const old = text(oldValue(ctx));
        const replacement = text(replacementValue(ctx));
        // A function replacer: a literal Replace inserts `$$` or `$&` as typed, as .NET's String.Replace does.
        return old === '' ? s : s.replaceAll(old, () => replacement);
      });
  }
  if (has(2)) {
    if (has(3) && has(5)) {
      return (ctx) => {
        const s = scalar(source(ctx));
        if (s !== null && s !== '') return s;
        const other = scalar(replacementAttribute(ctx));
        if (other === null) return s;
        return firstGroup(other, regex(ctx), text(regexGroupName(ctx))) ?? s;
      };
    }
    if (has(3)) {
      if (!has(4)) return failing(node, 'regexGroupName needs replacementValue or replacementAttributeName');
      return (ctx) =>
        perValue(source(ctx), (s) => regexReplaceGroup(s, regex(ctx, true), text(regexGroupName(ctx)), text(replacementValue(ctx))));
    }
    if (!has(4)) return failing(node, 'regexPattern needs replacementValue');
    return (ctx) => perValue(source(ctx), (s) => regexReplace(s, regex(ctx), text(replacementValue(ctx))));
  }
  return failing(node, 'supply oldValue or regexPattern');
}

function failing(node: CallExpression, reason: string): Thunk {
  const error = fault(node, reason);
  return () => {
    throw error;
  };
}

