/**
 * How long a shown message has left before every peer deletes it, and how far through its
 * life it is (the list fades it as it ages). Minutes are rounded up: a message sent just
 * now has "30 min left", and "1 min left" covers its last minute.
 */

import { MESSAGE_TTL_MS } from './message-store.ts';

export interface MessageExpiry {
  /** Whole minutes left, rounded up; 0 once expired. */
  readonly minutesLeft: number;
  /** 0 when just sent, 1 at expiry; clamped (a clock slightly behind the sender's gives 0). */
  readonly ageFraction: number;
}

export function messageExpiry(sentAtMs: number, nowMs: number, ttlMs: number = MESSAGE_TTL_MS): MessageExpiry {
  const leftMs = sentAtMs + ttlMs - nowMs;
  return {
    minutesLeft: Math.max(0, Math.min(Math.ceil(ttlMs / 60_000), Math.ceil(leftMs / 60_000))),
    ageFraction: Math.min(1, Math.max(0, (nowMs - sentAtMs) / ttlMs)),
  };
}

/** "12 min left"; "expiring" once the time is up (until the store drops it). */
export function formatTimeLeft(minutesLeft: number): string {
  return minutesLeft <= 0 ? 'expiring' : `${minutesLeft} min left`;
}
