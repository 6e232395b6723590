// A sliding-window limiter: at most `limit` calls in any `windowMs`. Provision on demand allows
// 5 requests per 10 seconds (reference §3.10), so the scripts wait instead of being throttled.

export class SlidingWindowLimiter {
  private readonly starts: number[] = [];
  /** How many times take() had to wait (visible in tests and --verbose). */
  waits = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Resolves when one more call fits in the window, and records it. */
  async take(onWait?: (ms: number) => void): Promise<void> {
    for (;;) {
      const now = this.now();
      while (this.starts.length > 0 && now - this.starts[0] >= this.windowMs) this.starts.shift();
      if (this.starts.length < this.limit) {
        this.starts.push(now);
        return;
      }
      const wait = this.windowMs - (now - this.starts[0]) + 5;
      this.waits++;
      onWait?.(wait);
      await this.sleep(wait);
    }
  }
}

/** The documented provision-on-demand limit, shared by every caller in the process. */
export const provisionOnDemandLimiter = new SlidingWindowLimiter(
  Number(process.env.PROVISION_ON_DEMAND_LIMIT ?? 5),
  Number(process.env.PROVISION_ON_DEMAND_WINDOW_MS ?? 10_000),
);
