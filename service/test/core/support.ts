// Test helpers: a real service listening on port 0 (SQLite in memory) and a small fetch-based SCIM client.
import { expect } from 'vitest';
import { startService, type RunningService } from '../../src/index.js';
import type { ServiceConfig } from '../../src/config.js';

export const scimJson = 'application/scim+json';

export interface Harness {
  service: RunningService;
  /** `${url}/scim/${tenant}` */
  base: string;
  token: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimResponse>;
}

export interface ScimResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- SCIM JSON under test
  text: string;
}

export async function request(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimResponse> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/scim+json; charset=utf-8';
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export async function startHarness(config: Partial<ServiceConfig> = {}, tenant = 'acme', token = 'secret-token-acme'): Promise<Harness> {
  const service = await startService({ port: 0, host: '127.0.0.1', databaseUrl: 'sqlite::memory:', logLevel: 'silent', tenant, token, ...config });
  const base = `${service.url}/scim/${tenant}`;
  return {
    service,
    base,
    token,
    call: (method, path, body, headers = {}) => request(base + path, method, body, { authorization: `Bearer ${token}`, ...headers }),
  };
}

export const patchOp = (...Operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations });

export function newUser(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    userName,
    active: true,
    displayName: userName.split('@')[0],
    name: { givenName: 'Given', familyName: 'Family' },
    emails: [{ primary: true, type: 'work', value: userName }],
    externalId: userName.split('@')[0],
    ...extra,
  };
}

/** A SCIM error body (RFC 7644 §3.12): schemas, status as a string, scimType, a detail that says what to fix, no stack trace. */
export function expectScimError(res: ScimResponse, status: number, scimType?: string, detail?: RegExp): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  expect(res.body.status).toBe(String(status));
  if (scimType) expect(res.body.scimType).toBe(scimType);
  expect(typeof res.body.detail).toBe('string');
  expect(res.body.detail.length).toBeGreaterThan(5);
  if (detail) expect(res.body.detail).toMatch(detail);
  expect(res.text).not.toMatch(/at .*\.ts:\d+/); // no stack trace
}
