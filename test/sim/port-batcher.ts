/**
 * Posts messages to a port in batches: every message posted during one turn of the event
 * loop goes in a single `postMessage` (an array) at the next `setImmediate`. Order is kept;
 * a thread with thousands of peers posts thousands of frames a second, and each
 * `postMessage` costs a structured clone and a wake-up of the other thread.
 */

export interface BatchTarget<T> {
  postMessage(batch: readonly T[]): void;
}

export class PortBatcher<T> {
  private batch: T[] = [];
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private isClosed = false;

  constructor(private readonly target: BatchTarget<T>) {}

  post(message: T): void {
    if (this.isClosed) return;
    this.batch.push(message);
    this.immediate ??= setImmediate(() => this.flush());
  }

  /** Sends what is waiting now. */
  flush(): void {
    clearImmediate(this.immediate);
    this.immediate = undefined;
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.target.postMessage(batch);
  }

  /** Sends what is waiting, then drops whatever comes later. */
  close(): void {
    this.flush();
    this.isClosed = true;
  }
}
