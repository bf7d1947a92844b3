/**
 * Which ICE servers each client gets: the operator's fixed list, plus, when a TURN
 * secret is configured, a TURN entry with credentials made for that client. Credentials
 * expire, so a client is due for a fresh list once half their lifetime has passed; the
 * relay sends it in an `ice-servers` frame (one sweep timer in `create-relay.ts`, not
 * one timer per client).
 */

import type { IceServer, PeerId } from '../app/core/protocol.ts';
import { turnIceServer, type TurnOptions } from './turn-credentials.ts';

/** Bounds of the renewal sweep interval: often enough for short TTLs, rare for long ones. */
const MIN_SWEEP_MS = 500;
const MAX_SWEEP_MS = 60_000;

export class IceServerIssuer {
  /**
   * Client id → when (on `now`'s clock) its credentials are due for renewal. Every client
   * gets the same lifetime, so insertion order is due order: a renewed client is moved to
   * the end, and the sweep stops at the first one not yet due.
   */
  private readonly renewAtMs = new Map<PeerId, number>();

  /**
   * @param fixed the operator's list (`--ice-servers`), handed out as it is
   * @param turn the TURN service to make credentials for, or null for none
   * @param now monotonic milliseconds, for scheduling renewals
   * @param wallClockMs milliseconds since the epoch, for the credentials' expiry
   */
  constructor(
    private readonly fixed: readonly IceServer[],
    private readonly turn: TurnOptions | null,
    private readonly now: () => number,
    private readonly wallClockMs: () => number = () => Date.now(),
  ) {}

  /**
   * How often the relay should look for clients due for renewal; null without TURN (a
   * fixed list never changes). A tenth of the TTL: a credential is renewed with at least
   * 40 % of its lifetime left.
   */
  get sweepIntervalMs(): number | null {
    if (this.turn === null) return null;
    return Math.min(MAX_SWEEP_MS, Math.max(MIN_SWEEP_MS, (this.turn.ttlSeconds * 1000) / 10));
  }

  /** The list for client `id` now; with TURN, fresh credentials, due for renewal after half their TTL. */
  issue(id: PeerId): readonly IceServer[] {
    if (this.turn === null) return this.fixed;
    this.renewAtMs.delete(id);
    this.renewAtMs.set(id, this.now() + (this.turn.ttlSeconds * 1000) / 2);
    return [...this.fixed, turnIceServer(this.turn, id, this.wallClockMs())];
  }

  /** A client left: no renewal for it. */
  forget(id: PeerId): void {
    this.renewAtMs.delete(id);
  }

  /** Clients whose credentials are past half their lifetime, oldest first; `issue` each again. */
  due(): PeerId[] {
    const nowMs = this.now();
    const ids: PeerId[] = [];
    for (const [id, atMs] of this.renewAtMs) {
      if (atMs > nowMs) break;
      ids.push(id);
    }
    return ids;
  }

  /** Clients waiting for a renewal (for tests and metrics). */
  get scheduledCount(): number {
    return this.renewAtMs.size;
  }
}
