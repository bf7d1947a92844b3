/**
 * The bounded store of chat messages, modelled on node-lru-cache's habits (Map-shaped,
 * injectable clock, lazy expiry on read, one sweep, reason-tagged eviction) but ordered
 * by send time, which is what both expiry and display need: every message is gone
 * exactly `ttlMs` after it was sent, with one timer for the whole store.
 */

/** Every message lives 30 minutes from the time it was sent. */
export const MESSAGE_TTL_MS = 30 * 60 * 1000;

/** What the store needs of a message. */
export interface Expiring {
  readonly id: string;
  readonly sentAtMs: number;
}

export type EvictionReason = 'expired' | 'full';

/** The timer functions the store uses; injected so tests and fake clocks drive it. */
export interface StoreTimers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface MessageStoreOptions<T extends Expiring> {
  /** Most messages held; the oldest-sent goes first when full. Required: no unbounded store. */
  readonly maxMessages: number;
  readonly ttlMs?: number;
  readonly now: () => number;
  readonly timers: StoreTimers;
  /** Called for each message removed by expiry or to make room. */
  readonly onEvict?: (message: T, reason: EvictionReason) => void;
}

export type AddResult = 'added' | 'duplicate' | 'expired' | 'too-old-for-full-store';

export class MessageStore<T extends Expiring> {
  /** Sorted by sentAtMs, oldest first (ties by arrival). */
  private readonly ordered: T[] = [];
  private readonly byId = new Map<string, T>();
  private readonly listeners = new Set<() => void>();
  private readonly ttlMs: number;
  private timer: unknown = undefined;
  private timerDueMs = Number.POSITIVE_INFINITY;
  private isDisposed = false;

  constructor(private readonly options: MessageStoreOptions<T>) {
    if (!Number.isInteger(options.maxMessages) || options.maxMessages < 1) {
      throw new TypeError(`maxMessages must be a positive integer, got ${String(options.maxMessages)}`);
    }
    this.ttlMs = options.ttlMs ?? MESSAGE_TTL_MS;
    if (!(this.ttlMs > 0) || !Number.isFinite(this.ttlMs)) throw new TypeError(`ttlMs must be finite and > 0`);
  }

  get size(): number {
    this.sweep();
    return this.ordered.length;
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** The message with `id`, unless it has expired (lazily removed on read). */
  get(id: string): T | undefined {
    const message = this.byId.get(id);
    if (message === undefined) return undefined;
    if (this.isExpired(message)) {
      this.sweep();
      return undefined;
    }
    return message;
  }

  /** Live messages, oldest first. */
  list(): readonly T[] {
    this.sweep();
    return [...this.ordered];
  }

  /** Adds a message unless it is known, expired, or older than everything in a full store. */
  add(message: T): AddResult {
    if (this.isDisposed) throw new Error('the message store is disposed');
    this.sweep();
    if (this.byId.has(message.id)) return 'duplicate';
    if (this.isExpired(message)) return 'expired';
    const oldest = this.ordered[0];
    if (this.ordered.length >= this.options.maxMessages && oldest !== undefined) {
      if (message.sentAtMs < oldest.sentAtMs) return 'too-old-for-full-store';
      this.remove(0, 'full');
    }
    this.ordered.splice(this.insertionIndex(message.sentAtMs), 0, message);
    this.byId.set(message.id, message);
    this.armTimer();
    this.notify();
    return 'added';
  }

  /** Calls `listener` after every change (add, expiry, eviction); returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Removes every expired message now; returns how many. Also run by the store's one timer. */
  sweep(): number {
    let removed = 0;
    for (let first = this.ordered[0]; first !== undefined && this.isExpired(first); first = this.ordered[0]) {
      this.remove(0, 'expired');
      removed += 1;
    }
    if (removed > 0) {
      this.armTimer();
      this.notify();
    }
    return removed;
  }

  /** Clears the timer and every listener; the store holds nothing afterwards. */
  dispose(): void {
    this.isDisposed = true;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
    this.ordered.length = 0;
    this.byId.clear();
  }

  private isExpired(message: T): boolean {
    return this.options.now() >= message.sentAtMs + this.ttlMs;
  }

  private remove(index: number, reason: EvictionReason): void {
    const [message] = this.ordered.splice(index, 1);
    if (message === undefined) return;
    this.byId.delete(message.id);
    this.options.onEvict?.(message, reason);
  }

  /** First index whose message was sent after `sentAtMs` (binary search). */
  private insertionIndex(sentAtMs: number): number {
    let low = 0;
    let high = this.ordered.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.ordered[mid]?.sentAtMs ?? 0) <= sentAtMs) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Keeps exactly one timer, due when the oldest message expires. */
  private armTimer(): void {
    if (this.isDisposed) return;
    const oldest = this.ordered[0];
    const dueMs = oldest === undefined ? Number.POSITIVE_INFINITY : oldest.sentAtMs + this.ttlMs;
    if (dueMs === this.timerDueMs && this.timer !== undefined) return;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueMs = dueMs;
    if (dueMs === Number.POSITIVE_INFINITY) return;
    this.timer = this.options.timers.setTimeout(() => {
      this.timer = undefined;
      this.timerDueMs = Number.POSITIVE_INFINITY;
      this.sweep();
      this.armTimer();
    }, Math.max(0, dueMs - this.options.now()));
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
