/**
 * When the app calls the relay again. Three cases:
 * - never connected yet, or away for long: exponential backoff with jitter (backoff.ts);
 * - a working connection just dropped (the relay restarted, a load balancer moved): every
 *   client of that relay lost it at the same moment, so each comes back at a random
 *   moment within a short window. All are back within seconds of the relay's return,
 *   spread over the window instead of arriving in the same second;
 * - the page wakes up (back from the background, unfrozen, restored from the back/forward
 *   cache, network back): no waiting at all, since a person is looking at the screen.
 */

import { retryDelayMs } from './backoff.ts';

/** After a working connection dropped, retries stay short for this long (ms). */
export const REJOIN_WINDOW_MS = 60_000;
/** Shortest wait before a rejoin attempt (ms): the relay needs a moment to come back. */
export const REJOIN_MIN_MS = 500;
/**
 * Rejoin attempts are spread uniformly over this much time after REJOIN_MIN_MS (ms): a
 * relay that comes back sees its clients return over about 3.5 s, and each client's
 * next try is never more than REJOIN_MIN_MS + REJOIN_SPREAD_MS after its return.
 */
export const REJOIN_SPREAD_MS = 3_500;

export interface ReconnectInput {
  /** Attempts failed in a row (1 for the first retry). */
  readonly failures: number;
  /** How long ago (ms) a working (welcomed) connection was lost; null if there never was one. */
  readonly msSinceLost: number | null;
  readonly random?: () => number;
}

/** How long to wait before the next attempt (ms). */
export function reconnectDelayMs(input: ReconnectInput): number {
  const random = input.random ?? Math.random;
  if (input.msSinceLost !== null && input.msSinceLost < REJOIN_WINDOW_MS) return REJOIN_MIN_MS + random() * REJOIN_SPREAD_MS;
  return retryDelayMs(input.failures, random);
}

/** Why the page woke up; each calls the relay at once and re-dials. */
export type WakeReason = 'online' | 'visible' | 'resume' | 'pageshow';
