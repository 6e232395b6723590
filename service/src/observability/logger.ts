// pino options for the service: JSON logs with the request id, credentials always redacted, and personal
// data (userName, emails, display names, …) written only at debug/trace level (issue 2 §11).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerOptions } from 'pino';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Redacted at every level, wherever they appear in a logged object (one or two levels deep). */
const secretKeys = ['authorization', 'token', 'secret', 'password', 'accessToken', 'adminToken', 'cookie', 'apiKey'];
export const redactPaths: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  ...secretKeys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
];

/** Keys holding personal data (compared case-insensitively); their values are logged only at debug and below. */
export const personalDataKeys: ReadonlySet<string> = new Set([
  'username', 'displayname', 'name', 'givenname', 'familyname', 'formatted', 'nickname', 'emails', 'email', 'phonenumbers',
  'addresses', 'ims', 'photos', 'manager', 'title', 'employeenumber', 'query', 'filter', 'body',
]);
const personalPlaceholder = '[personal data: logged at debug level only]';
const debugLevel = 20;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A copy of `value` with personal-data keys replaced (plain objects and arrays only, a few levels deep). */
export function scrubPersonalData(value: unknown, depth = 0): unknown {
  if (depth > 5) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const s = scrubPersonalData(v, depth + 1);
      if (s !== v) changed = true;
      return s;
    });
    return changed ? out : value;
  }
  if (!isPlainObject(value)) return value;
  let out: Record<string, unknown> | undefined;
  for (const [key, v] of Object.entries(value)) {
    const lower = key.toLowerCase();
    const s = personalDataKeys.has(lower) || lower.startsWith('urn:') ? personalPlaceholder : scrubPersonalData(v, depth + 1);
    if (s !== v) {
      out ??= { ...value };
      out[key] = s;
    }
  }
  return out ?? value;
}

/** The path of a URL without its query string (filters carry userNames and emails). */
export function pathOnly(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export function isLogLevel(value: string): value is LogLevel {
  return (logLevels as readonly string[]).includes(value);
}

/** pino options for `Fastify({ logger })`. */
export function loggerOptions(level: LogLevel = 'info'): LoggerOptions {
  return {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: {
      // Method and path only: no headers (credentials), no query string (personal data), no client address.
      req: (req: IncomingMessage & { id?: string; routeOptions?: { url?: string } }) => ({
        method: req.method,
        url: pathOnly(req.url),
      }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    hooks: {
      logMethod(args, method, levelValue) {
        if (levelValue > debugLevel && args.length > 0 && typeof args[0] === 'object' && args[0] !== null) {
          const [first, ...rest] = args as unknown[];
          return method.apply(this, [scrubPersonalData(first), ...rest] as Parameters<typeof method>);
        }
        return method.apply(this, args);
      },
    },
  };
}
