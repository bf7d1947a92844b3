/**
 * One tab per browser profile runs NearTalk: the identity is the profile's, and two tabs
 * under one key would fight (two links per neighbour, presence numbers racing). The tab
 * that holds the Web Lock runs the session; another shows "NearTalk is open in another
 * tab" with "Use here", which takes the lock over (the first tab then stops and says so).
 */

/** The part of `navigator.locks` this needs; injected so Node tests can drive it. */
export interface LockManagerLike {
  request(name: string, options: LockOptions, callback: (lock: Lock | null) => Promise<unknown> | unknown): Promise<unknown>;
}

const LOCK_NAME = 'neartalk-identity';
/**
 * How long a starting tab waits for the lock before saying NearTalk is open elsewhere
 * (ms): after a reload the old page's lock is released a moment after the new page runs.
 */
const START_WAIT_MS = 1_500;

export type TabState = 'starting' | 'here' | 'elsewhere';

export class TabLock {
  private stateValue: TabState = 'starting';
  private readonly listeners = new Set<() => void>();
  /** Ends our hold on the lock (resolving the callback's promise releases it). */
  private release: (() => void) | null = null;
  private isDisposed = false;

  constructor(
    private readonly locks: LockManagerLike | undefined,
    /** Runs while this tab holds the lock: start the session. */
    private readonly onHeld: () => void,
    /** Another tab took the lock over: stop the session. */
    private readonly onLost: () => void,
  ) {}

  get state(): TabState {
    return this.stateValue;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes the lock if no other tab holds it; else the state says 'elsewhere'. */
  start(): void {
    // A browser without Web Locks cannot tell tabs apart: each runs (as before).
    if (this.locks === undefined) return this.hold();
    void this.request({ signal: AbortSignal.timeout(START_WAIT_MS) });
  }

  /** "Use here": takes the lock from the other tab, which stops. */
  useHere(): void {
    if (this.stateValue !== 'elsewhere') return;
    if (this.locks === undefined) return this.hold();
    void this.request({ steal: true });
  }

  dispose(): void {
    this.isDisposed = true;
    this.release?.();
    this.release = null;
    this.listeners.clear();
  }

  private async request(options: LockOptions): Promise<void> {
    try {
      await this.locks?.request(LOCK_NAME, options, (lock) => {
        if (lock === null) return this.setState('elsewhere');
        this.hold();
        return new Promise<void>((resolve) => {
          this.release = resolve;
        });
      });
    } catch (err: unknown) {
      // Another tab held the lock all the while we waited to start.
      if (err instanceof DOMException && err.name === 'TimeoutError' && this.stateValue === 'starting') return this.setState('elsewhere');
      // A tab that stole the lock: our request rejects with an AbortError, the session stops.
      if (!(err instanceof DOMException && err.name === 'AbortError')) {
        console.warn('the tab lock failed:', err instanceof Error ? err.message : String(err));
      }
      if (this.stateValue === 'here' && !this.isDisposed) {
        this.release = null;
        this.setState('elsewhere');
        this.onLost();
      }
    }
  }

  private hold(): void {
    if (this.isDisposed) return;
    this.setState('here');
    this.onHeld();
  }

  private setState(state: TabState): void {
    this.stateValue = state;
    for (const listener of this.listeners) listener();
  }
}
