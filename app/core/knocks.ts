/**
 * The peers we knocked on (asked to dial us instead of waiting for them to offer; see
 * DIAL_YIELD_MS in app/net/mesh.ts), each with the time until which we wait for their
 * offer before dialing them ourselves. Bookkeeping only: the mesh sends the knocks.
 */

import type { PeerId } from './protocol.ts';

export class Knocks {
  private readonly waitingUntil = new Map<PeerId, number>();

  /** Notes a knock on `id`, waited for until `untilMs`; false when one is already waiting (knock once). */
  note(id: PeerId, untilMs: number): boolean {
    if (this.waitingUntil.has(id)) return false;
    this.waitingUntil.set(id, untilMs);
    return true;
  }

  /** An offer from `id`: whether it answers our knock, still waited for at `nowMs`. The knock is over either way. */
  answeredBy(id: PeerId, nowMs: number): boolean {
    const untilMs = this.waitingUntil.get(id);
    this.waitingUntil.delete(id);
    return untilMs !== undefined && untilMs >= nowMs;
  }

  /** Forgets the knock on `id`: it answered "busy", it left, or we dial it now. */
  forget(id: PeerId): void {
    this.waitingUntil.delete(id);
  }

  /** Forgets every knock: our relay id changed (answers cannot reach us), or the mesh is closing. */
  clear(): void {
    this.waitingUntil.clear();
  }
}
