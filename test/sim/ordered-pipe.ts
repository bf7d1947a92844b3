/**
 * Delivers items in the order they were pushed, each no earlier than its own due time, so
 * an item that is late (retransmitted) holds back every item behind it: head-of-line
 * blocking, as on TCP (the relay's WebSocket) or an ordered SCTP data channel. One timer
 * per pipe, armed only while something is in flight.
 */

interface InFlight<T> {
  readonly dueMs: number;
  readonly item: T;
}

/** Whoever must be able to stop every pipe with something in flight (e.g. at shutdown). */
export type BusyPipes = Set<{ dispose(): void }>;

export class OrderedPipe<T> {
  private queue: InFlight<T>[] = [];
  private head = 0;
  private lastDueMs = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private isDisposed = false;

  /**
   * `busy`, if given, holds this pipe exactly while it has items in flight, so an owner
   * can dispose every pipe that still has a timer without keeping idle ones alive.
   */
  constructor(
    private readonly deliver: (item: T) => void,
    private readonly busy?: BusyPipes,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Number of items still in flight. */
  get size(): number {
    return this.queue.length - this.head;
  }

  /** Sends `item`; it arrives after `delayMs`, or after the item before it, whichever is later. */
  push(item: T, delayMs: number): void {
    if (this.isDisposed) return;
    const dueMs = Math.max(this.now() + delayMs, this.lastDueMs);
    this.lastDueMs = dueMs;
    this.queue.push({ dueMs, item });
    if (this.size === 1) this.arm();
  }

  /** Drops whatever is in flight and clears the timer. Idempotent. */
  dispose(): void {
    this.isDisposed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.head = 0;
    this.busy?.delete(this);
  }

  private arm(): void {
    clearTimeout(this.timer);
    const next = this.queue[this.head];
    if (next === undefined) {
      this.timer = undefined;
      this.busy?.delete(this);
      return;
    }
    this.busy?.add(this);
    this.timer = setTimeout(() => this.flush(), Math.max(0, next.dueMs - this.now()));
  }

  private flush(): void {
    this.timer = undefined;
    const nowMs = this.now();
    for (let next = this.queue[this.head]; next !== undefined && next.dueMs <= nowMs + 0.5; next = this.queue[this.head]) {
      this.head += 1;
      this.deliver(next.item);
      if (this.isDisposed) return;
    }
    // Compact now and then so a long-lived pipe does not keep every delivered item.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.arm();
  }
}
