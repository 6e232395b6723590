// Entra's SCIM client: one HTTP connection pool per job, every request recorded (method, path,
// query, body, status) so tests can compare the exact sequence with the documented one.
// 429 responses are honoured by waiting `Retry-After` and retrying only the failed request
// (entra-scim-client.md §1.2 "Errors, retries, throttling").

export interface RecordedRequest {
  method: string;
  /** Path relative to the tenant URL, e.g. `/Users/123`. */
  path: string;
  /** Decoded query parameters, in the order sent. */
  query: Record<string, string>;
  body: unknown;
  status: number;
  /** Parsed response body (null for 204 or an unreachable endpoint). */
  response: unknown;
}

export interface ScimResponse {
  status: number;
  body: Record<string, unknown> | null;
  retryAfterSeconds: number | null;
}

export class ScimUnreachableError extends Error {
  constructor(readonly url: string, cause: unknown) {
    super(`The SCIM endpoint ${url} could not be reached (${(cause as { cause?: { code?: string } })?.cause?.code ?? (cause as Error)?.message ?? 'network error'}).`);
    this.name = 'ScimUnreachableError';
  }
}

export interface TenantUrl {
  /** Base URL without the query string: Entra appends `/Users`, `/Groups` to it. */
  base: string;
  /** `aadOptscim062020` in the query string switches PATCH to RFC 7644 shapes (MS-Compat). */
  rfcPatch: boolean;
}

export function parseTenantUrl(text: string): TenantUrl {
  const url = new URL(text);
  const flags = [...url.searchParams.keys()].map((k) => k.toLowerCase());
  const rfcPatch = flags.includes('aadoptscim062020') && !flags.includes('azureadscimpatch2017');
  url.search = '';
  url.hash = '';
  return { base: url.toString().replace(/\/+$/, ''), rfcPatch };
}

export interface ScimClientOptions {
  tenantUrl: TenantUrl;
  token: string;
  record: (request: RecordedRequest) => void;
  /** Upper bound for one Retry-After wait, so a misbehaving server cannot stall a cycle for hours. */
  maxRetryAfterSeconds: number;
  maxThrottleRetries: number;
  signal?: AbortSignal;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ScimClient {
  throttled = 0;
  constructor(private readonly options: ScimClientOptions) {}

  get rfcPatch(): boolean {
    return this.options.tenantUrl.rfcPatch;
  }

  async send(method: string, path: string, query: [string, string][] = [], body?: unknown): Promise<ScimResponse> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.once(method, path, query, body);
      if (response.status !== 429 || attempt >= this.options.maxThrottleRetries) return response;
      this.throttled++;
      const wait = Math.min(response.retryAfterSeconds ?? 1, this.options.maxRetryAfterSeconds);
      await sleep(wait * 1000);
    }
  }

  private async once(method: string, path: string, query: [string, string][], body: unknown): Promise<ScimResponse> {
    // URLSearchParams encodes like Entra: spaces as '+', quotes as %22 (azure-docs#94189).
    const search = query.length ? `?${new URLSearchParams(query).toString()}` : '';
    const url = `${this.options.tenantUrl.base}${path}${search}`;
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}` };
    if (body !== undefined) headers['content-type'] = 'application/scim+json; charset=utf-8';
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: this.options.signal });
    } catch (error) {
      this.options.record({ method, path, query: Object.fromEntries(query), body: body ?? null, status: 0, response: null });
      throw new ScimUnreachableError(this.options.tenantUrl.base, error);
    }
    const text = await res.text();
    let parsed: Record<string, unknown> | null = null;
    if (text) {
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = { detail: text.slice(0, 500) };
      }
    }
    this.options.record({ method, path, query: Object.fromEntries(query), body: body ?? null, status: res.status, response: parsed });
    return { status: res.status, body: parsed, retryAfterSeconds: parseRetryAfter(res.headers.get('retry-after')) };
  }
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
