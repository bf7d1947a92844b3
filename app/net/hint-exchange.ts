/**
 * The hints we trade with our neighbours (`peers` frames): what they told us about the
 * peers they are linked to, which the link policy reads, and what we tell each of them in
 * turn. Which place may go to whom is decided in `app/core/peer-hints.ts`; this owns the
 * one timer and sends the lists on the links.
 */

import type { PeerPlace } from '../core/mesh-policy.ts';
import { PeerHints } from '../core/peer-hints.ts';
import type { PeerHint } from '../core/peer-protocol.ts';
import type { PeerId } from '../core/protocol.ts';
import type { LinkEntry } from './link-entry.ts';

/** Our hints to neighbours go out at most this often (one timer for all links). */
const HINTS_DELAY_MS = 1_000;

export class HintExchange {
  private readonly hints: PeerHints;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private isDisposed = false;

  /** `entries` are the mesh's links, open or not, read each time hints go out. */
  constructor(
    now: () => number,
    private readonly entries: () => Iterable<LinkEntry>,
  ) {
    this.hints = new PeerHints(now);
  }

  /** Where `id` is, as a neighbour said lately, or null. */
  placeOf(id: PeerId): PeerPlace | null {
    return this.hints.placeOf(id);
  }

  /** Remembers a neighbour's hints, never about `ownIds`; hints about voice are passed on soon. */
  receive(peers: readonly PeerHint[], ownIds: readonly (PeerId | null)[]): void {
    if (this.hints.receive(peers, ownIds)) this.schedule();
  }

  /** Remembers where a peer whose link just closed last said it was (see FORMER_LINK_TTL_MS). */
  rememberFormerLink(id: PeerId, place: PeerPlace): void {
    this.hints.rememberFormerLink(id, place);
  }

  /** Forgets where `id` is: the relay says it moved to another cell or left ours. */
  forget(id: PeerId): void {
    this.hints.forget(id);
  }

  /** Sends our hints soon (one timer for all links: changes come in bursts). */
  schedule(): void {
    if (this.timer !== undefined || this.isDisposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.send();
    }, HINTS_DELAY_MS);
  }

  dispose(): void {
    this.isDisposed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Tells each neighbour about our other neighbours it may see: only those in mutual
   * range of it (with the usual hysteresis), so a position never reaches anyone outside
   * its owner's radius this way. Nearest first, unchanged lists not sent again.
   */
  private send(): void {
    const entries = [...this.entries()];
    const known: Array<{ readonly entry: LinkEntry; readonly hint: PeerHint }> = [];
    for (const entry of entries) {
      const place = entry.place;
      if (place !== null && entry.link.state === 'open') known.push({ entry, hint: { id: entry.link.remoteId, ...place } });
    }
    const linkedIds = new Set(entries.map((entry) => entry.link.remoteId));
    const direct = known.map(({ hint }) => hint);
    for (const { entry, hint } of known) entry.sendHints(this.hints.forNeighbour(hint, direct, linkedIds));
  }
}
