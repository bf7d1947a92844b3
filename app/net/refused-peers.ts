/**
 * Relay ids whose dials we answer "busy" whatever our room, as a full peer would, so that
 * nothing tells them why: those under which a key we blocked showed up (until we unblock
 * it), and those whose key came without a valid proof of work (for a while: each of their
 * dials would otherwise cost us a handshake before their claim shows the key is unpaid
 * for, over and over). Pure bookkeeping; the mesh closes the links and holds off dialing.
 */

import type { PeerId } from '../core/protocol.ts';

export class RefusedPeers {
  /** Relay id → the blocked key it showed up with. */
  private readonly blocked = new Map<PeerId, string>();
  /** Relay id → until when (ms) it is refused for an unpaid key. */
  private readonly unproven = new Map<PeerId, number>();

  /** `id` showed up with `key`, which we blocked. */
  block(id: PeerId, key: string): void {
    this.blocked.set(id, key);
  }

  /** We unblocked `key`: the relay ids it showed up under, no longer refused. */
  unblock(key: string): PeerId[] {
    const freed = [...this.blocked].filter(([, blockedKey]) => blockedKey === key).map(([id]) => id);
    for (const id of freed) this.blocked.delete(id);
    return freed;
  }

  /** `id`'s key came without a valid proof: refused until `untilMs`. */
  refuseUnproven(id: PeerId, nowMs: number, untilMs: number): void {
    // Swept here, so ids that never dial again do not pile up.
    for (const [otherId, until] of [...this.unproven]) if (until <= nowMs) this.unproven.delete(otherId);
    this.unproven.set(id, untilMs);
  }

  /** Whether a dial from `id` is answered "busy" at `nowMs`. */
  refuses(id: PeerId, nowMs: number): boolean {
    if (this.blocked.has(id)) return true;
    const until = this.unproven.get(id);
    if (until === undefined) return false;
    if (until > nowMs) return true;
    this.unproven.delete(id);
    return false;
  }

  /** `id` left the relay: an unpaid key's refusal goes with it (a block stays with the key's ids until unblocked). */
  forget(id: PeerId): void {
    this.unproven.delete(id);
  }
}
