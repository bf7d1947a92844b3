/**
 * When the simulator's own event loop was blocked: a timer every few milliseconds notes how
 * late it ran. A timer due at t − lag that ran at t says the loop was busy over
 * [t − lag, t]; `blockedWithin(a, b)` adds up how much of [a, b] such spans cover. The
 * delivery breakdown uses it to tell the simulator's queueing (every peer shares one
 * process) from the mesh's own latency. Owns one interval, stopped by `stop()`.
 */

const SAMPLE_EVERY_MS = 5;

export class LoopLag {
  /** Sample times and lags, in time order. */
  private readonly atMs: number[] = [];
  private readonly lagMs: number[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly clock: () => number) {}

  start(): void {
    if (this.timer !== undefined) return;
    let dueMs = this.clock() + SAMPLE_EVERY_MS;
    this.timer = setInterval(() => {
      const nowMs = this.clock();
      const lag = nowMs - dueMs;
      if (lag > 1) this.record(nowMs, lag);
      dueMs = nowMs + SAMPLE_EVERY_MS;
    }, SAMPLE_EVERY_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Records that the loop was busy for `lagMs` up to `atMs` (tests feed it directly). */
  record(atMs: number, lagMs: number): void {
    this.atMs.push(atMs);
    this.lagMs.push(lagMs);
  }

  /** The samples recorded, as plain arrays (sent from a worker thread). */
  samples(): { readonly atMs: readonly number[]; readonly lagMs: readonly number[] } {
    return { atMs: [...this.atMs], lagMs: [...this.lagMs] };
  }

  /** Milliseconds of [fromMs, toMs] during which the loop was blocked. */
  blockedWithin(fromMs: number, toMs: number): number {
    if (toMs <= fromMs) return 0;
    // First sample ending after fromMs (spans end at their sample time).
    let low = 0;
    let high = this.atMs.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.atMs[middle] ?? 0) <= fromMs) low = middle + 1;
      else high = middle;
    }
    let blocked = 0;
    for (let index = low; index < this.atMs.length; index += 1) {
      const endMs = this.atMs[index] ?? 0;
      const startMs = endMs - (this.lagMs[index] ?? 0);
      if (startMs >= toMs) break;
      blocked += Math.max(0, Math.min(endMs, toMs) - Math.max(startMs, fromMs));
    }
    return blocked;
  }
}
