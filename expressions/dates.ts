/** Date handling: CDate's input forms, the M/d/yyyy h:mm:ss tt output, VBA DateAdd/DateDiff, .NET custom formats. */

const dayMs = 86_400_000;
/** Milliseconds between 1601-01-01 (FILETIME epoch) and 1970-01-01. */
const fileTimeEpochOffsetMs = 11_644_473_600_000n;

const isoPattern =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const usPattern =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?\s*([AP]M)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

const parseCache = new Map<string, number | undefined>();
const formatCache = new Map<number, string>();
const cacheLimit = 10_000;

/** Parses the date forms CDate accepts (reference §4); `undefined` if it is not a date. No offset means UTC. */
export function parseDate(text: string): number | undefined {
  const cached = parseCache.get(text);
  if (cached !== undefined || parseCache.has(text)) return cached;
  const ms = parseDateUncached(text);
  if (parseCache.size >= cacheLimit) parseCache.clear();
  parseCache.set(text, ms);
  return ms;
}

function parseDateUncached(text: string): number | undefined {
  const s = text.trim();
  let m = isoPattern.exec(s);
  if (m) return build(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7], undefined, m[8]);
  m = usPattern.exec(s);
  if (m) return build(+m[3], +m[1], +m[2], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7], m[8], m[9]);
  return undefined;
}

function build(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fraction: string | undefined,
  ampm: string | undefined,
  offset: string | undefined,
): number | undefined {
  if (ampm) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (ampm.toUpperCase() === 'PM' ? 12 : 0);
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const ms = fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;
  const local = utc(year, month, day, hour, minute, second, ms);
  return local - offsetMinutes(offset) * 60_000;
}

function offsetMinutes(offset: string | undefined): number {
  if (!offset || offset.toUpperCase() === 'Z') return 0;
  const sign = offset[0] === '-' ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0));
}

function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime();
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeap(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** `M/d/yyyy h:mm:ss tt` in UTC, en-US (reference §2): `3/16/2020 7:00:00 AM`. */
export function formatDate(ms: number): string {
  const cached = formatCache.get(ms);
  if (cached !== undefined) return cached;
  const text = formatDateUncached(ms);
  if (formatCache.size >= cacheLimit) formatCache.clear();
  formatCache.set(ms, text);
  return text;
}

function formatDateUncached(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 || 12}:${pad(d.getUTCMinutes())}:${pad(
    d.getUTCSeconds(),
  )} ${h < 12 ? 'AM' : 'PM'}`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

export const dateIntervals = ['yyyy', 'q', 'm', 'y', 'd', 'w', 'ww', 'h', 'n', 's'] as const;
export type DateInterval = (typeof dateIntervals)[number];

export function isDateInterval(s: string): s is DateInterval {
  return (dateIntervals as readonly string[]).includes(s);
}

/** VBA DateAdd: months and years clamp the day to the end of the target month. */
export function dateAdd(interval: DateInterval, amount: number, ms: number): number {
  switch (interval) {
    case 'yyyy':
      return addMonths(ms, amount * 12);
    case 'q':
      return addMonths(ms, amount * 3);
    case 'm':
      return addMonths(ms, amount);
    case 'y':
    case 'd':
    case 'w':
      return ms + amount * dayMs;
    case 'ww':
      return ms + amount * 7 * dayMs;
    case 'h':
      return ms + amount * 3_600_000;
    case 'n':
      return ms + amount * 60_000;
    case 's':
      return ms + amount * 1000;
  }
}

function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const day = Math.min(d.getUTCDate(), daysInMonth(year, month));
  return utc(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/** VBA DateDiff: the number of interval boundaries between date1 and date2 (negative if date2 is earlier). */
export function dateDiff(interval: DateInterval, ms1: number, ms2: number): number {
  switch (interval) {
    case 'yyyy':
    case 'q':
    case 'm':
      return calendarDiff(interval, new Date(ms1), new Date(ms2));
    case 'y':
    case 'd':
      return floorDiv(ms2, dayMs) - floorDiv(ms1, dayMs);
    case 'w':
      // Whole 7-day periods.
      return Math.trunc((floorDiv(ms2, dayMs) - floorDiv(ms1, dayMs)) / 7);
    case 'ww':
      // Sundays crossed: 1970-01-01 was a Thursday, so day index + 4 puts week starts on Sundays.
      return floorDiv(floorDiv(ms2, dayMs) + 4, 7) - floorDiv(floorDiv(ms1, dayMs) + 4, 7);
    case 'h':
      return floorDiv(ms2, 3_600_000) - floorDiv(ms1, 3_600_000);
    case 'n':
      return floorDiv(ms2, 60_000) - floorDiv(ms1, 60_000);
    case 's':
      return floorDiv(ms2, 1000) - floorDiv(ms1, 1000);
  }
}

function calendarDiff(interval: 'yyyy' | 'q' | 'm', a: Date, b: Date): number {
  if (interval === 'yyyy') return b.getUTCFullYear() - a.getUTCFullYear();
  if (interval === 'q') {
    return b.getUTCFullYear() * 4 + Math.floor(b.getUTCMonth() / 3) - (a.getUTCFullYear() * 4 + Math.floor(a.getUTCMonth() / 3));
  }
  return b.getUTCFullYear() * 12 + b.getUTCMonth() - (a.getUTCFullYear() * 12 + a.getUTCMonth());
}

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

/** AD FILETIME (100-ns ticks since 1601-01-01 UTC) → epoch milliseconds. */
export function fileTimeToMs(ticks: bigint): number {
  return Number(ticks / 10_000n - fileTimeEpochOffsetMs);
}

/** Epoch milliseconds → AD FILETIME. */
export function msToFileTime(ms: number): bigint {
  return (BigInt(Math.round(ms)) + fileTimeEpochOffsetMs) * 10_000n;
}

// ---------------------------------------------------------------------------------------------------------------
// .NET custom date and time format strings (FormatDateTime).

type FormatToken = { kind: 'field'; letter: string; count: number } | { kind: 'literal'; text: string };

const fieldLetters = new Set(['d', 'f', 'F', 'g', 'h', 'H', 'K', 'm', 'M', 's', 't', 'y', 'z']);
const tokenCache = new Map<string, FormatToken[]>();

function tokenize(format: string): FormatToken[] {
  const cached = tokenCache.get(format);
  if (cached) return cached;
  const tokens: FormatToken[] = [];
  for (let i = 0; i < format.length; ) {
    const c = format[i];
    if (c === "'" || c === '"') {
      const end = format.indexOf(c, i + 1);
      const stop = end === -1 ? format.length : end;
      tokens.push({ kind: 'literal', text: format.slice(i + 1, stop) });
      i = stop + 1;
    } else if (c === '\\' && i + 1 < format.length) {
      tokens.push({ kind: 'literal', text: format[i + 1] });
      i += 2;
    } else if (c === '%' && i + 1 < format.length && fieldLetters.has(format[i + 1])) {
      i += 1;
    } else if (fieldLetters.has(c)) {
      let j = i;
      while (format[j] === c) j++;
      tokens.push({ kind: 'field', letter: c, count: j - i });
      i = j;
    } else {
      tokens.push({ kind: 'literal', text: c });
      i += 1;
    }
  }
  if (tokenCache.size > 500) tokenCache.clear();
  tokenCache.set(format, tokens);
  return tokens;
}

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A parsed date: the instant plus the offset it was written in (kept so output shows the same wall clock). */
export interface ParsedDate {
  ms: number;
  offsetMinutes: number | undefined;
}

/** Parses `text` with a .NET custom format (invariant culture, leading/trailing white space allowed). */
export function parseWithFormat(text: string, format: string): ParsedDate | undefined {
  const s = text.trim();
  let pos = 0;
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let ms = 0;
  let pm: boolean | undefined;
  let hour12 = false;
  let offset: number | undefined;
  const digits = (min: number, max: number): number | undefined => {
    let end = pos;
    while (end < s.length && end - pos < max && s[end] >= '0' && s[end] <= '9') end++;
    if (end - pos < min) return undefined;
    const n = Number(s.slice(pos, end));
    pos = end;
    return n;
  };
  for (const token of tokenize(format)) {
    if (token.kind === 'literal') {
      if (s.startsWith(token.text, pos)) pos += token.text.length;
      else if (token.text.trim() === '' && /\s/.test(s[pos] ?? '')) pos += 1;
      else return undefined;
      continue;
    }
    const { letter, count } = token;
    let n: number | undefined;
    switch (letter) {
      case 'y':
        n = count <= 2 ? digits(count === 1 ? 1 : 2, 2) : digits(count, Math.max(count, 4));
        if (n === undefined) return undefined;
        year = count <= 2 ? (n < 30 ? 2000 + n : 1900 + n) : n;
        break;
      case 'M':
        if (count >= 3) {
          const names = monthNames.map((m) => (count === 3 ? m.slice(0, 3) : m));
          const index = names.findIndex((name) => s.slice(pos, pos + name.length).toLowerCase() === name.toLowerCase());
          if (index < 0) return undefined;
          pos += names[index].length;
          month = index + 1;
        } else {
          n = digits(count, 2);
          if (n === undefined) return undefined;
          month = n;
        }
        break;
      case 'd':
        if (count >= 3) {
          const names = dayNames.map((d) => (count === 3 ? d.slice(0, 3) : d));
          const index = names.findIndex((name) => s.slice(pos, pos + name.length).toLowerCase() === name.toLowerCase());
          if (index < 0) return undefined;
          pos += names[index].length;
        } else {
          n = digits(count, 2);
          if (n === undefined) return undefined;
          day = n;
        }
        break;
      case 'h':
      case 'H':
        n = digits(1, 2);
        if (n === undefined) return undefined;
        hour = n;
        if (letter === 'h') hour12 = true;
        break;
      case 'm':
        n = digits(1, 2);
        if (n === undefined) return undefined;
        minute = n;
        break;
      case 's':
        n = digits(1, 2);
        if (n === undefined) return undefined;
        second = n;
        break;
      case 'f':
      case 'F': {
        const start = pos;
        n = digits(letter === 'f' ? count : 0, count);
        if (n === undefined) return undefined;
        const text = s.slice(start, pos);
        ms = text === '' ? 0 : Math.floor(Number(`0.${text}`) * 1000);
        break;
      }
      case 't': {
        const m = /^([AP])(M?)/i.exec(s.slice(pos));
        if (!m || (count >= 2 && !m[2])) return undefined;
        pm = m[1].toUpperCase() === 'P';
        pos += count >= 2 ? 2 : 1;
        break;
      }
      case 'z':
      case 'K': {
        const m = /^(?:Z|([+-])(\d{1,2})(?::?(\d{2}))?)/i.exec(s.slice(pos));
        if (!m) {
          if (letter === 'K') break;
          return undefined;
        }
        pos += m[0].length;
        offset = m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
        break;
      }
      case 'g':
        if (/^A\.?D\.?/i.test(s.slice(pos))) pos += s.slice(pos).match(/^A\.?D\.?/i)![0].length;
        break;
    }
  }
  if (pos !== s.length) return undefined;
  if (hour12 || pm !== undefined) {
    if (hour12 && (hour < 1 || hour > 12)) return undefined;
    if (pm !== undefined) hour = (hour % 12) + (pm ? 12 : 0);
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const local = utc(year, month, day, hour, minute, second, ms);
  return { ms: local - (offset ?? 0) * 60_000, offsetMinutes: offset };
}

/** Prints a date with a .NET custom format, in the offset it was parsed with (UTC when it had none). */
export function formatWithFormat(date: ParsedDate, format: string): string {
  const offset = date.offsetMinutes ?? 0;
  const d = new Date(date.ms + offset * 60_000);
  let out = '';
  for (const token of tokenize(format)) {
    if (token.kind === 'literal') {
      out += token.text;
      continue;
    }
    const { letter, count } = token;
    switch (letter) {
      case 'y': {
        const y = d.getUTCFullYear();
        out += count === 2 ? pad(y % 100) : count === 1 ? String(y % 100) : pad(y, count);
        break;
      }
      case 'M': {
        const m = d.getUTCMonth();
        out += count >= 4 ? monthNames[m] : count === 3 ? monthNames[m].slice(0, 3) : pad(m + 1, count);
        break;
      }
      case 'd': {
        out += count >= 4 ? dayNames[d.getUTCDay()] : count === 3 ? dayNames[d.getUTCDay()].slice(0, 3) : pad(d.getUTCDate(), count);
        break;
      }
      case 'h':
        out += pad(d.getUTCHours() % 12 || 12, Math.min(count, 2));
        break;
      case 'H':
        out += pad(d.getUTCHours(), Math.min(count, 2));
        break;
      case 'm':
        out += pad(d.getUTCMinutes(), Math.min(count, 2));
        break;
      case 's':
        out += pad(d.getUTCSeconds(), Math.min(count, 2));
        break;
      case 'f':
      case 'F': {
        const fraction = pad(d.getUTCMilliseconds(), 3).padEnd(7, '0').slice(0, count);
        out += letter === 'F' ? fraction.replace(/0+$/, '') : fraction;
        break;
      }
      case 't': {
        const ampm = d.getUTCHours() < 12 ? 'AM' : 'PM';
        out += count >= 2 ? ampm : ampm[0];
        break;
      }
      case 'z': {
        const sign = offset < 0 ? '-' : '+';
        const abs = Math.abs(offset);
        const hh = Math.floor(abs / 60);
        out += count === 1 ? `${sign}${hh}` : count === 2 ? `${sign}${pad(hh)}` : `${sign}${pad(hh)}:${pad(abs % 60)}`;
        break;
      }
      case 'K': {
        if (date.offsetMinutes === undefined || date.offsetMinutes === 0) out += 'Z';
        else {
          const sign = offset < 0 ? '-' : '+';
          const abs = Math.abs(offset);
          out += `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
        }
        break;
      }
      case 'g':
        out += 'A.D.';
        break;
    }
  }
  return out;
}
