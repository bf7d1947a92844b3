/**
 * Who should get a message, from what the simulation knows and the peers do not: every
 * peer's shared position and radius over time. Uses the app's own distance and range
 * rules on the quantized positions the app shares. Pure.
 *
 * The rule: peer P is an intended recipient of message M (author A, sent at t) when
 * - P is not A, and P had described itself (joined) at or before t;
 * - P was still there at the deadline t + W (it did not leave in between);
 * - P did not move or change radius in (t, t + W] (a moving target is excluded: where it
 *   stands decides whether it should get M, and that changed while M travelled);
 * - at t, P was in mutual range of M: distance(M.position, P) ≤ min(M.radiusM, P.radiusM).
 */

import { distanceBetween, type Position } from '../../app/core/position.ts';
import { isInMutualRange } from '../../app/core/visibility.ts';

/** One description a peer gave of itself, from `atMs` on. */
export interface PeerState {
  readonly atMs: number;
  /** The shared (quantized) position, as the app sends it. */
  readonly position: Position;
  readonly radiusM: number;
}

export interface PeerTimeline {
  readonly index: number;
  /** In time order; the first is the peer's arrival. Empty if it never got that far. */
  readonly states: readonly PeerState[];
  readonly leftAtMs: number | null;
}

/** A message as sent, with what the ground truth needs of it. */
export interface SentMessage {
  readonly id: string;
  readonly authorIndex: number;
  readonly sentAtMs: number;
  readonly position: Position;
  readonly radiusM: number;
}

/** The state in force at `atMs` (the last one at or before it), if any. */
export function stateAt(timeline: PeerTimeline, atMs: number): PeerState | undefined {
  let found: PeerState | undefined;
  for (const state of timeline.states) {
    if (state.atMs > atMs) break;
    found = state;
  }
  return found;
}

/** The most peers present at the same moment (arrival to departure, or still there). */
export function mostPresentAtOnce(timelines: readonly PeerTimeline[]): number {
  // Departures before arrivals at the same instant: a peer that left as another came is not counted twice.
  const events: Array<readonly [atMs: number, change: number]> = [];
  for (const timeline of timelines) {
    const arrivedAtMs = timeline.states[0]?.atMs;
    if (arrivedAtMs === undefined) continue;
    events.push([arrivedAtMs, 1]);
    if (timeline.leftAtMs !== null) events.push([timeline.leftAtMs, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let present = 0;
  let most = 0;
  for (const [, change] of events) {
    present += change;
    most = Math.max(most, present);
  }
  return most;
}

/** Whether `timeline`'s peer should get `message` within `windowMs` (see the rule above). */
export function isIntendedRecipient(message: SentMessage, timeline: PeerTimeline, windowMs: number): boolean {
  if (timeline.index === message.authorIndex) return false;
  const deadlineMs = message.sentAtMs + windowMs;
  if (timeline.leftAtMs !== null && timeline.leftAtMs <= deadlineMs) return false;
  const state = stateAt(timeline, message.sentAtMs);
  if (state === undefined) return false;
  if (timeline.states.some((later) => later.atMs > message.sentAtMs && later.atMs <= deadlineMs)) return false;
  return isInMutualRange(distanceBetween(message.position, state.position), message.radiusM, state.radiusM);
}

/** Indexes of every intended recipient of `message`. */
export function intendedRecipients(message: SentMessage, timelines: readonly PeerTimeline[], windowMs: number): number[] {
  return timelines.filter((timeline) => isIntendedRecipient(message, timeline, windowMs)).map((timeline) => timeline.index);
}
