/**
 * A token bucket: `capacity` tokens, refilled continuously at `refillPerSecond`.
 * Used for per-connection frame rate limits and for counting strikes of bad frames.
 * Pure: the clock is injected.
 */
export class TokenBucket {
  private tokens: number;
  private lastRefillMs: number;

  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
    private readonly now: () => number,
  ) {
    if (!(capacity >= 1) || !Number.isFinite(capacity)) throw new TypeError(`capacity must be a finite number ≥ 1: ${capacity}`);
    if (!(refillPerSecond > 0) || !Number.isFinite(refillPerSecond)) {
      throw new TypeError(`refillPerSecond must be a finite number > 0: ${refillPerSecond}`);
    }
    this.tokens = capacity;
    this.lastRefillMs = now();
  }

  /** Takes one token; false (and nothing taken) when the bucket is empty. */
  take(): boolean {
    const nowMs = this.now();
    const elapsedMs = Math.max(0, nowMs - this.lastRefillMs);
    this.lastRefillMs = nowMs;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsedMs / 1000) * this.refillPerSecond);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
