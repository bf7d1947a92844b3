/**
 * Joins and leaves on their way into the hub. Each one is sent to everyone watching the
 * cell (thousands, in a crowd), so a client's changes are applied only within its
 * presence budget and while the relay's outbox has room. A change beyond that is held:
 * only a client's latest held change is kept (where it ends up is all that matters), and
 * it is applied, oldest client first, as soon as both allow. Nothing is lost, and what
 * one client makes the relay send stays bounded.
 */

import type { TokenBucket } from './token-bucket.ts';

/** How often held changes are retried (a budget refills with time, not with an event). */
const SWEEP_MS = 100;

/** A client as the gate sees it. */
export interface GatedClient {
  readonly presenceBudget: TokenBucket;
  readonly isClosing: boolean;
}

export class PresenceGate<C extends GatedClient, F> {
  private readonly held = new Map<C, F>();
  private sweep: NodeJS.Timeout | undefined;
  private isDisposed = false;

  constructor(
    /** True while nothing may be applied (the outbox is past its cap). */
    private readonly isBlocked: () => boolean,
    /** Applies one change for real. */
    private readonly apply: (client: C, frame: F) => void,
    /** Told each time a change is held (metrics). */
    private readonly onHeld: () => void,
  ) {}

  /** Changes held now (one at most per client). */
  get heldCount(): number {
    return this.held.size;
  }

  /** Applies `frame` now, or holds it in place of the client's earlier held change. */
  submit(client: C, frame: F): void {
    if (this.isDisposed) return;
    if (this.held.has(client) || this.isBlocked() || !client.presenceBudget.take()) {
      this.held.set(client, frame);
      this.onHeld();
      this.sweep ??= setInterval(() => this.retry(), SWEEP_MS);
      return;
    }
    this.apply(client, frame);
  }

  /** Applies what budgets and the outbox allow now; called by the sweep and when the outbox drains. */
  retry(): void {
    // Oldest first, so one client's changes cannot starve another's.
    for (const [client, frame] of this.held) {
      if (this.isBlocked()) return;
      if (client.isClosing || !client.presenceBudget.take()) continue;
      this.held.delete(client);
      this.apply(client, frame);
    }
    if (this.held.size === 0) this.stopSweep();
  }

  /** Drops a disconnected client's held change. */
  forget(client: C): void {
    this.held.delete(client);
    if (this.held.size === 0) this.stopSweep();
  }

  /** Drops everything held and stops the sweep (the relay is closing). */
  dispose(): void {
    this.isDisposed = true;
    this.held.clear();
    this.stopSweep();
  }

  private stopSweep(): void {
    clearInterval(this.sweep);
    this.sweep = undefined;
  }
}
