// Entra's SCIM client: one keep-alive connection pool per cycle, every request recorded (method,
// path, query, body, status, response) so tests can compare the exact sequence with the documented
// one. 429 responses are honoured by waiting `Retry-After` and retrying only the failed request
// (entra-scim-client.md §1.2 "Errors, retries, throttling").
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

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
    const c = cause as { code?: string; cause?: { code?: string }; message?: string } | null;
    super(`The SCIM endpoint ${url} could not be reached (${c?.code ?? c?.cause?.code ?? c?.message ?? 'network error'}).`);
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

/** A request Entra gets no answer to within this time counts as the endpoint being unreachable. */
const REQUEST_TIMEOUT_MS = 60_000;

export class ScimClient {
  throttled = 0;
  private httpAgent: HttpAgent | undefined;
  private httpsAgent: HttpsAgent | undefined;
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
    const url = new URL(`${this.options.tenantUrl.base}${path}${search}`);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = { authorization: `Bearer ${this.options.token}` };
    if (payload !== undefined) {
      headers['content-type'] = 'application/scim+json; charset=utf-8';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    let res: { status: number; text: string; retryAfter: string | null };
    try {
      res = await this.request(url, method, headers, payload);
    } catch (error) {
      this.options.record({ method, path, query: Object.fromEntries(query), body: body ?? null, status: 0, response: null });
      throw new ScimUnreachableError(this.options.tenantUrl.base, error);
    }
    let parsed: Record<string, unknown> | null = null;
    if (res.text) {
      try {
        parsed = JSON.parse(res.text) as Record<string, unknown>;
      } catch {
        parsed = { detail: res.text.slice(0, 500) };
      }
    }
    this.options.record({ method, path, query: Object.fromEntries(query), body: body ?? null, status: res.status, response: parsed });
    return { status: res.status, body: parsed, retryAfterSeconds: parseRetryAfter(res.retryAfter) };
  }

  /** One HTTP exchange on the job's keep-alive connection pool (node:http is far cheaper per request than fetch). */
  private request(url: URL, method: string, headers: Record<string, string | number>, payload: string | undefined, retried = false): Promise<{ status: number; text: string; retryAfter: string | null }> {
    const secure = url.protocol === 'https:';
    // Idle pooled sockets are dropped before typical server keep-alive timeouts (5 s in Node).
    const agent = secure ? (this.httpsAgent ??= new HttpsAgent({ keepAlive: true, timeout: 4_000 })) : (this.httpAgent ??= new HttpAgent({ keepAlive: true, timeout: 4_000 }));
    const send = secure ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { method, headers, agent, timeout: REQUEST_TIMEOUT_MS, signal: this.options.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), retryAfter: typeof retryAfter === 'string' ? retryAfter : null });
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })));
      req.on('error', (error: NodeJS.ErrnoException) => {
        // A pooled connection the server closed while idle: send once more on a fresh one.
        if (!retried && req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
          resolve(this.request(url, method, headers, payload, true));
          return;
        }
        reject(error);
      });
      req.end(payload);
    });
  }

  /** Closes the pooled connections (end of a cycle). */
  close(): void {
    this.httpAgent?.destroy();
    this.httpsAgent?.destroy();
  }
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
