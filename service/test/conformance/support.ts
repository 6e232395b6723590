// Real service on port 0 (SQLite in memory) and a raw fetch client that sends exactly the headers a check asks for.
import { randomBytes } from 'node:crypto';
import { startService, type RunningService } from '../../src/index.js';

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: Record<string, unknown> | undefined;
}

export interface Target {
  service: RunningService;
  /** The tenant URL a client is configured with: `${url}/scim/${tenant}`. */
  base: string;
  token: string;
  send(method: string, path: string, options?: { body?: string; headers?: Record<string, string> }): Promise<RawResponse>;
}

export async function startTarget(tenant = 'conformance'): Promise<Target> {
  const token = randomBytes(24).toString('base64url');
  const service = await startService({
    port: 0,
    host: '127.0.0.1',
    databaseUrl: 'sqlite::memory:',
    logLevel: 'silent',
    tenant,
    token,
  });
  const base = `${service.url}/scim/${tenant}`;
  return {
    service,
    base,
    token,
    async send(method, path, options = {}) {
      const response = await fetch(base + path, { method, headers: options.headers ?? {}, body: options.body });
      const text = await response.text();
      let json: Record<string, unknown> | undefined;
      try {
        const parsed: unknown = text ? JSON.parse(text) : undefined;
        json = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json };
    },
  };
}

/** Runscope-style property lookup: `Resources[0].name.familyName`. */
export function property(json: unknown, path: string): unknown {
  let current: unknown = json;
  for (const part of path.split('.')) {
    const match = /^([^[]+)(?:\[(\d+)\])?$/.exec(part);
    if (!match || current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[match[1]];
    if (match[2] !== undefined) current = Array.isArray(current) ? current[Number(match[2])] : undefined;
  }
  return current;
}

/** Runscope's `not_empty`: present and not an empty string/array/object (false and 0 count as values). */
export function notEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string' || Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}
