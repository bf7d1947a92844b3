/**
 * Which position fixes become location updates: the first at once, then at most one
 * every 10 s and only after a real move, so walking around does not re-join cells and
 * re-announce presence on every GPS jitter.
 */

import { distanceBetween, type Position } from './position.ts';

/** Shortest time between two applied updates. */
export const MIN_UPDATE_INTERVAL_MS = 10_000;
/** Smallest move that counts (GPS jitter is often 10–20 m). */
export const MIN_MOVE_M = 25;

export type FixDecision =
  | { readonly kind: 'apply' }
  | { readonly kind: 'ignore' }
  /** Apply the latest fix at `atMs` unless a newer decision replaces it. */
  | { readonly kind: 'defer'; readonly atMs: number };

export class MoveThrottle {
  private applied: { readonly position: Position; readonly atMs: number } | null = null;

  /** Decides what to do with a new fix taken at `nowMs`. */
  decide(position: Position, nowMs: number): FixDecision {
    if (this.applied === null) return { kind: 'apply' };
    if (distanceBetween(this.applied.position, position) < MIN_MOVE_M) return { kind: 'ignore' };
    const dueMs = this.applied.atMs + MIN_UPDATE_INTERVAL_MS;
    return nowMs >= dueMs ? { kind: 'apply' } : { kind: 'defer', atMs: dueMs };
  }

  /** Records that `position` was applied at `nowMs`. */
  markApplied(position: Position, nowMs: number): void {
    this.applied = { position, atMs: nowMs };
  }
}
