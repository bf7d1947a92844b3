/**
 * When the mesh's policy rounds run: periodic ones, event-driven ones coalesced, and one
 * wake-up for the earliest candidate that may be dialed later. What a round does is the
 * mesh's call (`runRound`); this only owns the three timers.
 */

/**
 * Rounds caused by events (a peer arrived, a link closed, hints came) wait this long, so a
 * burst of them makes one round: in a crowd, arrivals come many a second.
 */
const REPAIR_DELAY_MS = 100;
/** Periodic policy rounds (fill to D, prune, explore), jittered by ±20 % so peers do not beat in step. */
export const REBALANCE_EVERY_MS = 5_000;

export class RoundScheduler {
  private periodicTimer: ReturnType<typeof setTimeout> | undefined;
  private repairTimer: ReturnType<typeof setTimeout> | undefined;
  private wakeTimer: ReturnType<typeof setTimeout> | undefined;
  private wakeDueMs = Number.POSITIVE_INFINITY;
  /** Once disposed, no timer starts again (a late call from an await must not revive one). */
  private isDisposed = false;

  constructor(
    private readonly now: () => number,
    private readonly runRound: (isPeriodic: boolean) => void,
  ) {}

  /** Starts the periodic rounds unless they run already. */
  startPeriodic(): void {
    if (this.periodicTimer === undefined && !this.isDisposed) this.schedulePeriodic();
  }

  /** One event-driven round soon, for however many events come before it. */
  requestRepair(): void {
    if (this.repairTimer !== undefined || this.isDisposed) return;
    this.repairTimer = setTimeout(() => {
      this.repairTimer = undefined;
      this.runRound(false);
    }, REPAIR_DELAY_MS);
  }

  /** An event-driven round at `atMs` (infinite: none); replaces the wake-up set before. */
  wakeAt(atMs: number): void {
    if (atMs === this.wakeDueMs) return;
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeDueMs = atMs;
    if (atMs === Number.POSITIVE_INFINITY || this.isDisposed) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeDueMs = Number.POSITIVE_INFINITY;
      this.runRound(false);
    }, Math.max(0, atMs - this.now()));
  }

  /** Clears every timer for good. */
  dispose(): void {
    this.isDisposed = true;
    clearTimeout(this.wakeTimer);
    clearTimeout(this.periodicTimer);
    clearTimeout(this.repairTimer);
    this.wakeTimer = undefined;
    this.periodicTimer = undefined;
    this.repairTimer = undefined;
  }

  private schedulePeriodic(): void {
    const delayMs = REBALANCE_EVERY_MS * (0.8 + Math.random() * 0.4);
    this.periodicTimer = setTimeout(() => {
      this.periodicTimer = undefined;
      this.runRound(true);
      if (!this.isDisposed) this.schedulePeriodic();
    }, delayMs);
  }
}
