/**
 * Slow motion for the simulator (`--slow-motion K`): every clock and timer the peers, the
 * relay and the memory links read runs K times slower than real time, so a thread that
 * hosts thousands of peers has K times the CPU per simulated second. On a phone each peer
 * has a core of its own; on this machine 10,000 peers share two, and without this their
 * latency would measure the simulator's queueing rather than the mesh (time dilation, as
 * network emulators do it). It patches the globals (`Date.now`, `performance.now`,
 * `setTimeout`, `setInterval`) because the app reads them directly, as a browser's would.
 * Every thread of a run installs it with the same anchor so their clocks agree.
 * Real-time machinery (libdatachannel's timers) cannot be slowed, hence memory links only.
 */

type TimerFunction = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => ReturnType<typeof setTimeout>;

/** `timer` with every delay `factor` times longer. */
function stretched(timer: TimerFunction, factor: number): TimerFunction {
  return (callback, ms, ...args) => timer(callback, Math.max(0, Number(ms) || 0) * factor, ...args);
}

let installed: SlowMotion | null = null;

export class SlowMotion {
  private readonly realDateNow = Date.now;
  private readonly realPerformanceNow = performance.now;
  private readonly realSetTimeout = globalThis.setTimeout;
  private readonly realSetInterval = globalThis.setInterval;

  private constructor(
    readonly factor: number,
    private readonly anchorEpochMs: number,
  ) {}

  /**
   * Slows this thread's time by `factor` from the real epoch time `anchorEpochMs` on (a
   * moment at or before now): simulated time then equals real time, and runs 1/factor as
   * fast after it. Returns null (nothing patched) for a factor of 1.
   */
  static start(factor: number, anchorEpochMs: number): SlowMotion | null {
    if (!Number.isFinite(factor) || factor < 1) throw new TypeError(`slow motion needs a factor ≥ 1, got ${factor}`);
    if (installed !== null) throw new Error('slow motion is already on in this thread');
    if (factor === 1) return null;
    const slow = new SlowMotion(factor, anchorEpochMs);
    slow.install();
    installed = slow;
    return slow;
  }

  /** Simulated milliseconds for a span of real ones (an event-loop delay, say). */
  toSimulatedMs(realMs: number): number {
    return realMs / this.factor;
  }

  /** Real time again. */
  stop(): void {
    if (installed !== this) return;
    Date.now = this.realDateNow;
    performance.now = this.realPerformanceNow;
    Reflect.set(globalThis, 'setTimeout', this.realSetTimeout);
    Reflect.set(globalThis, 'setInterval', this.realSetInterval);
    installed = null;
  }

  private simulatedEpochMs(realEpochMs: number): number {
    return this.anchorEpochMs + (realEpochMs - this.anchorEpochMs) / this.factor;
  }

  private install(): void {
    const { realDateNow, realPerformanceNow, factor } = this;
    const realEpochNow = (): number => performance.timeOrigin + realPerformanceNow.call(performance);
    Date.now = () => Math.floor(this.simulatedEpochMs(realDateNow()));
    performance.now = () => this.simulatedEpochMs(realEpochNow()) - performance.timeOrigin;
    Reflect.set(globalThis, 'setTimeout', stretched(this.realSetTimeout, factor));
    Reflect.set(globalThis, 'setInterval', stretched(this.realSetInterval, factor));
  }
}
