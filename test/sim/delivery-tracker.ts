/**
 * When each message first reached each peer's store: the simulation subscribes to every
 * peer's `router.store` and, on each change, checks the messages still inside their
 * delivery window. Later arrivals are not timed (they count as missed, see the report).
 */

import type { ChatMessage } from '../../app/core/chat-message.ts';
import type { MessageStore } from '../../app/core/message-store.ts';
import type { SentMessage } from './ground-truth.ts';

interface Watched {
  readonly index: number;
  readonly store: MessageStore<ChatMessage>;
}

export class DeliveryTracker {
  /** message id → peer index → simulation time it was first stored there. */
  readonly firstStored = new Map<string, Map<number, number>>();
  private open: SentMessage[] = [];
  private readonly watched = new Map<number, Watched>();

  constructor(
    private readonly clock: () => number,
    private readonly windowMs: number,
  ) {}

  /** Follows one peer's store; returns the unsubscribe. */
  watch(index: number, store: MessageStore<ChatMessage>): () => void {
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
    this.firstStored.set(message.id, new Map());
    this.open.push(message);
    for (const watched of this.watched.values()) this.check(watched);
  }

  private check(watched: Watched): void {
    const nowMs = this.clock();
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
}
