/**
 * When each message first reached each peer's store: the simulation subscribes to every
 * peer's `router.store` and, on each change, checks the messages still inside their
 * delivery window. Later arrivals are not timed (they count as missed, see the report).
 *
 * Over worker processes the note that a message was sent can reach a worker after the
 * message itself (the note goes through the main process, the message over WebRTC); with
 * `timesUnannounced` every store change also times ids not yet announced, so such copies
 * keep their arrival time.
 */

import type { Expiring, MessageStore } from '../../app/core/message-store.ts';
import type { SentMessage } from './ground-truth.ts';

/** What the tracker reads of a peer's store (a peer's `router.store`). */
export type WatchedStore = Pick<MessageStore<Expiring>, 'has' | 'list' | 'subscribe'>;

interface Watched {
  readonly index: number;
  readonly store: WatchedStore;
}

export class DeliveryTracker {
  /** message id → peer index → simulation time it was first stored there. */
  readonly firstStored = new Map<string, Map<number, number>>();
  /**
   * Copies stored before this tracker heard the message was sent. With `timesUnannounced`
   * they keep their arrival time; without, they are timed when the note comes (late).
   */
  storedBeforeNote = 0;
  private open: SentMessage[] = [];
  private readonly watched = new Map<number, Watched>();
  /** With `timesUnannounced`: id → peer → when stored, for ids not announced yet. */
  private readonly unannounced = new Map<string, Map<number, number>>();
  /** With `timesUnannounced`: the ids each peer's store has been seen to hold. */
  private readonly seenIds = new Map<number, Set<string>>();

  constructor(
    private readonly clock: () => number,
    private readonly windowMs: number,
    private readonly timesUnannounced = false,
  ) {}

  /** Follows one peer's store; returns the unsubscribe. */
  watch(index: number, store: WatchedStore): () => void {
    const watched = { index, store };
    this.watched.set(index, watched);
    const unsubscribe = store.subscribe(() => this.check(watched));
    return () => {
      unsubscribe();
      this.watched.delete(index);
    };
  }

  /** A message was sent: time its arrivals from now on (and catch any already there). */
  sent(message: SentMessage): void {
    const early = this.unannounced.get(message.id) ?? new Map<number, number>();
    this.unannounced.delete(message.id);
    early.delete(message.authorIndex);
    this.firstStored.set(message.id, early);
    this.open.push(message);
    for (const watched of this.watched.values()) this.check(watched);
    this.storedBeforeNote += this.firstStored.get(message.id)?.size ?? 0;
  }

  private check(watched: Watched): void {
    const nowMs = this.clock();
    if (this.timesUnannounced) this.timeUnannounced(watched, nowMs);
    if (this.open.some((message) => nowMs > message.sentAtMs + this.windowMs)) {
      this.open = this.open.filter((message) => nowMs <= message.sentAtMs + this.windowMs);
    }
    for (const message of this.open) {
      if (message.authorIndex === watched.index) continue;
      const arrivals = this.firstStored.get(message.id);
      if (arrivals === undefined || arrivals.has(watched.index)) continue;
      if (watched.store.has(message.id)) arrivals.set(watched.index, nowMs);
    }
  }

  private timeUnannounced(watched: Watched, nowMs: number): void {
    const seen = this.seenIds.get(watched.index) ?? new Set<string>();
    this.seenIds.set(watched.index, seen);
    for (const message of watched.store.list()) {
      if (seen.has(message.id)) continue;
      seen.add(message.id);
      if (this.firstStored.has(message.id)) continue;
      const arrivals = this.unannounced.get(message.id) ?? new Map<number, number>();
      arrivals.set(watched.index, nowMs);
      this.unannounced.set(message.id, arrivals);
    }
  }
}
