// The Graph client's middleware chain: authentication → retry → fetch. The library's own
// AuthenticationHandler only signs https://graph.microsoft.com-style hosts, so the emulator on
// http://127.0.0.1 needs this small replacement; the retry handler adds 5xx and network retries.
import { HTTPMessageHandler, type AuthenticationProvider, type Context, type Middleware } from '@microsoft/microsoft-graph-client';

export class AuthMiddleware implements Middleware {
  private next: Middleware | undefined;
  constructor(private readonly provider: AuthenticationProvider) {}

  async execute(context: Context): Promise<void> {
    const token = await this.provider.getAccessToken();
    context.options ??= {};
    const headers = new Headers(context.options.headers as ConstructorParameters<typeof Headers>[0]);
    headers.set('Authorization', `Bearer ${token}`);
    context.options.headers = Object.fromEntries(headers.entries());
    await this.next!.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

export interface RetryEvent {
  attempt: number;
  delayMs: number;
  status: number | null;
  reason: string;
  method: string;
  url: string;
}

export interface RetryOptions {
  maxRetries: number;
  /** Backoff base when Graph sends no Retry-After: base × 2^attempt, capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  onRetry?: (event: RetryEvent) => void;
  sleep?: (ms: number) => Promise<void>;
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
const IDEMPOTENT = new Set(['GET', 'PUT', 'DELETE', 'HEAD', 'OPTIONS']);

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export class RetryMiddleware implements Middleware {
  private next: Middleware | undefined;
  constructor(private readonly options: RetryOptions) {}

  async execute(context: Context): Promise<void> {
    const method = (context.options?.method ?? 'GET').toUpperCase();
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let attempt = 1; ; attempt++) {
      let networkError: unknown;
      try {
        await this.next!.execute(context);
      } catch (error) {
        networkError = error;
      }
      const status = context.response?.status ?? null;
      const retryable = networkError !== undefined ? IDEMPOTENT.has(method) : status !== null && RETRY_STATUSES.has(status);
      if (!retryable || attempt > this.options.maxRetries) {
        if (networkError !== undefined) throw networkError;
        return;
      }
      const header = networkError === undefined ? context.response!.headers.get('retry-after') : null;
      const backoff = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.min(retryAfterMs(header) ?? backoff, Math.max(this.options.maxDelayMs, 120_000));
      // Drain the failed response so the connection can be reused.
      await context.response?.body?.cancel().catch(() => undefined);
      this.options.onRetry?.({
        attempt,
        delayMs,
        status,
        reason: networkError !== undefined ? String((networkError as { cause?: { code?: string } }).cause?.code ?? (networkError as Error).message) : `HTTP ${status}`,
        method,
        url,
      });
      context.response = undefined;
      await sleep(delayMs);
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

export function middlewareChain(provider: AuthenticationProvider, retry: RetryOptions): Middleware {
  const auth = new AuthMiddleware(provider);
  const retrying = new RetryMiddleware(retry);
  const http = new HTTPMessageHandler();
  auth.setNext(retrying);
  retrying.setNext(http);
  return auth;
}
