// Per-tenant fixed-window rate limit (requests per minute) → 429 with Retry-After.
import { ScimError } from './errors.js';

export class TenantRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws a 429 ScimError when the tenant is over its limit. */
  check(tenant: string): void {
    if (this.perMinute <= 0) return;
    const t = this.now();
    let w = this.windows.get(tenant);
    if (!w || t - w.start >= 60_000) {
      w = { start: t, count: 0 };
      this.windows.set(tenant, w);
    }
    w.count++;
    if (w.count > this.perMinute) {
      const retryAfter = Math.max(1, Math.ceil((w.start + 60_000 - t) / 1000));
      throw new ScimError(429, `this tenant sent more than ${this.perMinute} requests in a minute; retry after ${retryAfter} s`, undefined, { 'retry-after': String(retryAfter) });
    }
  }
}
