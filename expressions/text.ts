/** String helpers for the evaluator: diacritics, title case, .NET regular expressions, random text. */

/** Letters that do not decompose under NFD (the doc's table: æ→ae, ß→ss, ø→oe, ł→l, ı→i …). */
const specialLetters: Record<string, string> = {
  æ: 'ae',
  Æ: 'AE',
  ß: 'ss',
  ø: 'oe',
  Ø: 'OE',
  ł: 'l',
  Ł: 'L',
  ı: 'i',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'TH',
  œ: 'oe',
  Œ: 'OE',
  ħ: 'h',
  Ħ: 'H',
  ŀ: 'l',
  Ŀ: 'L',
};
const combiningMarks = /\p{M}+/gu;

function normalizeOne(c: string): string {
  return (specialLetters[c] ?? c).normalize('NFD').replace(combiningMarks, '').normalize('NFC');
}

/** Precomputed replacements for U+0080–U+024F (Latin-1 and Latin Extended-A/B), the common case for names. */
const latinTable: string[] = [];
for (let code = 0x80; code <= 0x24f; code++) latinTable.push(normalizeOne(String.fromCharCode(code)));

/** Accented letters → plain letters, case kept (reference §5 NormalizeDiacritics). */
export function normalizeDiacritics(s: string): string {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) < 0x80) i++;
  if (i === s.length) return s;
  let out = s.slice(0, i);
  for (; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x80) out += s[i];
    else if (code <= 0x24f) out += latinTable[code - 0x80];
    else {
      // Outside the table: decompose the rest (combining marks after a base letter are dropped here too).
      return out + normalizeOne(s.slice(i)).replace(combiningMarks, '');
    }
  }
  return out;
}

const nonAscii = /[^\x00-\x7f]/;

/**
 * .NET's invariant culture maps case one character to one character; JavaScript applies Unicode's expanding
 * mappings (ß → SS, İ → i̇). Keep .NET's behaviour: characters whose mapping would change length stay as they are,
 * except İ, whose simple lower-case mapping is i.
 */
export function invariantUpper(s: string): string {
  if (!nonAscii.test(s)) return s.toUpperCase();
  let out = '';
  for (const c of s) {
    const u = c.toUpperCase();
    out += u.length === c.length ? u : c;
  }
  return out;
}

export function invariantLower(s: string): string {
  if (!nonAscii.test(s)) return s.toLowerCase();
  let out = '';
  for (const c of s) {
    if (c === '\u0130') {
      out += 'i';
      continue;
    }
    const l = c.toLowerCase();
    out += l.length === c.length ? l : c;
  }
  return out;
}

const letter = /\p{L}/u;
/** The Unicode categories .NET's ToTitleCase treats as word separators (listed in the PCase doc). */
const titleCaseSeparator = /[\p{Z}\p{Cc}\p{Cf}\p{Pc}\p{Pd}\p{Ps}\p{Pe}\p{Pi}\p{Pf}\p{Po}\p{Sm}\p{Sc}\p{Sk}\p{So}]/u;

/**
 * Proper case. With separators: only those characters split words; each word's first character upper-case, the
 * rest lower-case. Without: .NET `TextInfo.ToTitleCase` over the lower-cased text — a word starts at a letter and
 * runs until a separator category; an apostrophe inside a word does not split it (`o'neil` → `O'neil`) and a letter
 * after a leading digit starts a word (`3rd` → `3Rd`), as in .NET.
 */
export function properCase(s: string, separators: string | null): string {
  if (separators) {
    let out = '';
    let startOfWord = true;
    for (const c of s) {
      if (separators.includes(c)) {
        out += c;
        startOfWord = true;
      } else {
        out += startOfWord ? invariantUpper(c) : invariantLower(c);
        startOfWord = false;
      }
    }
    return out;
  }
  const chars = [...invariantLower(s)];
  let out = '';
  for (let i = 0; i < chars.length; ) {
    if (!letter.test(chars[i])) {
      out += chars[i++];
      continue;
    }
    out += invariantUpper(chars[i++]);
    while (i < chars.length && (chars[i] === "'" || !titleCaseSeparator.test(chars[i]))) out += chars[i++];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// .NET regular expressions on JavaScript's engine.

const regexCache = new Map<string, RegExp>();

/**
 * Compiles a .NET pattern (named groups `(?<n>…)` work as is). Translated: `(?'n'…)` → `(?<n>…)`, a leading
 * `(?i)` → the `i` flag, `\A` → `^`, `\z`/`\Z` → `$`. Throws SyntaxError for patterns JavaScript cannot compile.
 */
export function compileDotNetRegex(pattern: string, withIndices = false): RegExp {
  const key = withIndices ? `d:${pattern}` : `g:${pattern}`;
  let regex = regexCache.get(key);
  if (regex) return regex;
  let source = pattern;
  let flags = withIndices ? 'gd' : 'g';
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    if (inline[1].includes('i')) flags += 'i';
    if (inline[1].includes('m')) flags += 'm';
    if (inline[1].includes('s')) flags += 's';
  }
  source = source.replace(/\(\?'([A-Za-z_][A-Za-z0-9_]*)'/g, '(?<$1>').replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  regex = new RegExp(source, flags);
  if (regexCache.size > 1000) regexCache.clear();
  regexCache.set(key, regex);
  return regex;
}

/** Expands a .NET substitution (`$1`, `${name}`, `$$`, `$&`, `` $` ``, `$'`, `$_`) for one match. */
export function substitute(template: string, match: RegExpExecArray, input: string): string {
  if (!template.includes('$')) return template;
  return template.replace(/\$(?:\{([^}]+)\}|(\d+)|([$&`'_+]))/g, (whole, name: string | undefined, num: string | undefined, sym: string | undefined) => {
    if (name !== undefined) {
      if (/^\d+$/.test(name)) return match[Number(name)] ?? whole;
      return match.groups && name in match.groups ? (match.groups[name] ?? '') : whole;
    }
    if (num !== undefined) return Number(num) < match.length ? (match[Number(num)] ?? '') : whole;
    switch (sym) {
      case '$':
        return '$';
      case '&':
        return match[0];
      case '`':
        return input.slice(0, match.index);
      case "'":
        return input.slice(match.index + match[0].length);
      case '_':
        return input;
      default:
        return match[match.length - 1] ?? '';
    }
  });
}

const templateCache = new WeakMap<RegExp, Map<string, string | null>>();

/**
 * A .NET substitution as a JavaScript replacement string, or null when it has no JavaScript equivalent (`$_`,
 * `$+`). `${name}` becomes `$<name>` when the pattern defines that group; otherwise it stays literal, as in .NET.
 */
function javascriptTemplate(regex: RegExp, template: string): string | null {
  let perRegex = templateCache.get(regex);
  if (!perRegex) {
    perRegex = new Map();
    templateCache.set(regex, perRegex);
  }
  const cached = perRegex.get(template);
  if (cached !== undefined) return cached;
  let translated: string | null = template.replace(/\$(?:\{([^}]+)\}|(\d+)|([$&`'_+])|)/g, (whole, name: string | undefined, num: string | undefined, sym: string | undefined) => {
    if (name !== undefined) {
      if (/^\d+$/.test(name)) return Number(name) === 0 ? '$&' : Number(name) < 10 ? `$0${Number(name)}` : `$${Number(name)}`;
      return regex.source.includes(`(?<${name}>`) ? `$<${name}>` : `$$\{${name}}`;
    }
    if (num !== undefined) return Number(num) === 0 ? '$&' : whole;
    if (sym === '_' || sym === '+') return '\u0000unsupported';
    if (sym !== undefined) return whole;
    return '$$';
  });
  if (translated.includes('\u0000unsupported')) translated = null;
  if (perRegex.size > 100) perRegex.clear();
  perRegex.set(template, translated);
  return translated;
}

/** Regex.Replace(input, pattern, replacement): every match replaced by the expanded substitution. */
export function regexReplace(input: string, regex: RegExp, replacement: string): string {
  const template = replacement.includes('$') ? javascriptTemplate(regex, replacement) : replacement.replaceAll('$', '$$');
  if (template !== null) return input.replace(regex, template);
  return replaceMatches(input, regex, (match) => substitute(replacement, match, input));
}

/** Within every match, the text of group `group` replaced by `replacement` (the rest of the match is kept). */
export function regexReplaceGroup(input: string, regex: RegExp, group: string, replacement: string): string {
  return replaceMatches(input, regex, (match) => {
    const indices = match.indices?.groups?.[group];
    if (!indices) return match[0];
    const [start, end] = indices;
    return match[0].slice(0, start - match.index) + replacement + match[0].slice(end - match.index);
  });
}

function replaceMatches(input: string, regex: RegExp, replace: (match: RegExpExecArray) => string): string {
  regex.lastIndex = 0;
  let out = '';
  let last = 0;
  for (let match = regex.exec(input); match; match = regex.exec(input)) {
    out += input.slice(last, match.index) + replace(match);
    last = match.index + match[0].length;
    if (match[0].length === 0) regex.lastIndex++;
  }
  regex.lastIndex = 0;
  return out + input.slice(last);
}

/** The named group's text in the first match, or undefined when nothing matches. */
export function firstGroup(input: string, regex: RegExp, group: string): string | undefined {
  regex.lastIndex = 0;
  const match = regex.exec(input);
  regex.lastIndex = 0;
  return match?.groups?.[group];
}

// ---------------------------------------------------------------------------------------------------------------
// Random values.

export const randomCharacterSets = {
  numbers: '0123456789',
  /** Windows password-complexity special characters. */
  special: '~!@#$%^&*_-+=`|\\(){}[]:;"\'<>,.?/',
  capital: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lower: 'abcdefghijklmnopqrstuvwxyz',
} as const;

function pick(chars: string, random: () => number): string {
  return chars[Math.min(chars.length - 1, Math.floor(random() * chars.length))];
}

/** A random string with the given minimum counts per character class; fill characters come from the classes asked for. */
export function randomString(
  length: number,
  minimums: { numbers: number; special: number; capital: number; lower: number },
  avoid: string,
  random: () => number,
): string {
  const sets = (Object.keys(randomCharacterSets) as (keyof typeof randomCharacterSets)[]).map((key) => ({
    key,
    chars: [...randomCharacterSets[key]].filter((c) => !avoid.includes(c)).join(''),
    min: minimums[key],
  }));
  const chars: string[] = [];
  for (const set of sets) for (let i = 0; i < set.min; i++) chars.push(pick(set.chars, random));
  const wanted = sets.filter((set) => set.min > 0 && set.chars.length > 0);
  const fill = (wanted.length > 0 ? wanted : sets).map((set) => set.chars).join('');
  while (chars.length < length) chars.push(pick(fill, random));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(random() * (i + 1)));
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}

/** A version-4 GUID from the random source, lower-case. */
export function randomGuid(random: () => number): string {
  let hex = '';
  for (let i = 0; i < 16; i++) {
    let byte = Math.min(255, Math.floor(random() * 256));
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    if (i === 8) byte = (byte & 0x3f) | 0x80;
    hex += byte.toString(16).padStart(2, '0');
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
