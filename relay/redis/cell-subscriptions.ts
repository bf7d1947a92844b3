/**
 * Which precision-5 cells this relay follows on Redis, and how far each has been loaded.
 * Pure bookkeeping: the router does the I/O and reports back.
 *
 * A cell is followed while at least one local client watches a prefix inside it. Its
 * phase: `unsynced` (wanted, not loaded: Redis is down), `loading` (subscribed, snapshot
 * on its way; events are buffered so none is lost or applied out of order), `synced`.
 * Every load carries a token; a load superseded by a newer one, or by losing Redis, is
 * ignored when it finishes.
 */

import type { PresenceEvent } from './redis-messages.ts';

/** Events kept while a snapshot loads; past it the load is retried from scratch. */
export const MAX_BUFFERED_EVENTS = 10_000;

type Phase = 'unsynced' | 'loading' | 'synced';

interface CellState {
  refs: number;
  phase: Phase;
  token: number;
  buffer: PresenceEvent[];
  isOverflowing: boolean;
}

interface Waiter {
  readonly remaining: Set<string>;
  readonly resolve: () => void;
}

export class CellSubscriptions {
  private readonly cells = new Map<string, CellState>();
  private readonly waiters = new Set<Waiter>();
  private nextToken = 1;

  /** Number of cells followed. */
  get size(): number {
    return this.cells.size;
  }

  /** Every followed cell. */
  followed(): string[] {
    return [...this.cells.keys()];
  }

  isFollowed(cell: string): boolean {
    return this.cells.has(cell);
  }

  /** Followed cells not loaded (their load failed or timed out, or Redis was down). */
  unsynced(): string[] {
    return [...this.cells].filter(([, state]) => state.phase === 'unsynced').map(([cell]) => cell);
  }

  /** Counts one more watcher of each cell; returns the cells followed from now on. */
  add(cells: Iterable<string>): string[] {
    const added: string[] = [];
    for (const cell of cells) {
      const state = this.cells.get(cell);
      if (state !== undefined) {
        state.refs += 1;
        continue;
      }
      this.cells.set(cell, { refs: 1, phase: 'unsynced', token: 0, buffer: [], isOverflowing: false });
      added.push(cell);
    }
    return added;
  }

  /** Counts one watcher less of each cell; returns the cells nobody watches any more. */
  remove(cells: Iterable<string>): string[] {
    const removed: string[] = [];
    for (const cell of cells) {
      const state = this.cells.get(cell);
      if (state === undefined) continue;
      state.refs -= 1;
      if (state.refs > 0) continue;
      this.cells.delete(cell);
      this.settle(cell);
      removed.push(cell);
    }
    return removed;
  }

  /** Starts (or restarts) loading a followed cell; returns the load's token. */
  beginLoad(cell: string): number {
    const state = this.cells.get(cell);
    if (state === undefined) throw new Error(`cell ${cell} is not followed`);
    state.phase = 'loading';
    state.token = this.nextToken++;
    state.buffer = [];
    state.isOverflowing = false;
    return state.token;
  }

  /**
   * Keeps `event` for later when the cell is loading (true), or says to apply it now
   * (false). A buffer that overflows drops events; `finishLoad` then asks for a reload.
   */
  buffer(cell: string, event: PresenceEvent): boolean {
    const state = this.cells.get(cell);
    if (state?.phase !== 'loading') return false;
    if (state.buffer.length < MAX_BUFFERED_EVENTS) state.buffer.push(event);
    else state.isOverflowing = true;
    return true;
  }

  /**
   * Ends load `token`: returns the events buffered meanwhile (to apply after the
   * snapshot), `'stale'` when the load was superseded or the cell dropped, or `'reload'`
   * when events were lost to an overflow.
   */
  finishLoad(cell: string, token: number): PresenceEvent[] | 'stale' | 'reload' {
    const state = this.cells.get(cell);
    if (state === undefined || state.phase !== 'loading' || state.token !== token) return 'stale';
    if (state.isOverflowing) return 'reload';
    const buffered = state.buffer;
    state.buffer = [];
    state.phase = 'synced';
    this.settle(cell);
    return buffered;
  }

  /** Load `token` failed: the cell waits for the next recovery. */
  failLoad(cell: string, token: number): void {
    const state = this.cells.get(cell);
    if (state === undefined || state.token !== token || state.phase !== 'loading') return;
    state.phase = 'unsynced';
    state.buffer = [];
    this.settle(cell);
  }

  /** Redis is gone: nothing is loaded any more, and nobody should wait for a load. */
  markAllUnsynced(): void {
    for (const [cell, state] of this.cells) {
      state.phase = 'unsynced';
      state.buffer = [];
      state.token = this.nextToken++;
      this.settle(cell);
    }
  }

  /** Null when none of `cells` is loading; else a promise settled once none is. */
  whenLoaded(cells: Iterable<string>): Promise<void> | null {
    const remaining = new Set<string>();
    for (const cell of cells) if (this.cells.get(cell)?.phase === 'loading') remaining.add(cell);
    if (remaining.size === 0) return null;
    return new Promise((resolve) => this.waiters.add({ remaining, resolve }));
  }

  /** Releases every waiter (on close). */
  releaseAll(): void {
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters.clear();
  }

  private settle(cell: string): void {
    for (const waiter of this.waiters) {
      if (!waiter.remaining.delete(cell) || waiter.remaining.size > 0) continue;
      this.waiters.delete(waiter);
      waiter.resolve();
    }
  }
}
