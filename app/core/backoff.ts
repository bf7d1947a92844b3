/** Reconnection delays: exponential, capped, with jitter. */

/** First retry after about this long; each further failure doubles it. */
export const FIRST_RETRY_MS = 1_000;
/** Retries never wait longer than this. */
export const MAX_RETRY_MS = 30_000;

/**
 * Wait before retry number `failures` (1-based). Equal jitter: never less than half the
 * step (no hot loop), and clients that lost the same relay at the same moment do not
 * all come back at once. `random` is injectable for tests.
 */
export function retryDelayMs(failures: number, random: () => number = Math.random): number {
  const ceilingMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(Math.max(0, failures - 1), 16));
  return ceilingMs / 2 + (random() * ceilingMs) / 2;
}
