// Retry delays for webhook deliveries: exponential growth capped at `maxMs`, with "full jitter"
// (a uniform draw below the cap) so receivers that come back are not hit by every replica at once.

export interface BackoffPolicy {
  /** Delay ceiling of the first retry. */
  baseMs: number;
  /** Delays never exceed this. */
  maxMs: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 1_000, maxMs: 10 * 60_000 };

/** Delay before retry number `attempt` (1 = first retry). `random` returns [0, 1). */
export function retryDelayMs(attempt: number, policy: BackoffPolicy = defaultBackoff, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  // Never below a tenth of the ceiling, so a failing receiver is not retried in a tight loop.
  return Math.round(ceiling * (0.1 + 0.9 * random()));
}
