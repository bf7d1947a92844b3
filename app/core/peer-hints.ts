/**
 * What neighbours told us about peers they are linked to (`peers` frames), and what we
 * tell each neighbour in turn. Pure: the mesh feeds it frames and time, and sends the
 * lists it returns. A position is passed on only to peers in mutual range of its owner
 * (with the usual hysteresis), so hints never reach anyone outside the owner's radius.
 */

import type { PeerPlace } from './mesh-policy.ts';
import { MAX_PEERS_PER_FRAME, type PeerHint } from './peer-protocol.ts';
import { distanceBetween } from './position.ts';
import type { PeerId } from './protocol.ts';
import { RANGE_HYSTERESIS_M } from './visibility.ts';

/** Hints are kept this long, and this many at most. */
export const HINT_TTL_MS = 120_000;
const MAX_HINTS = 1_000;

export class PeerHints {
  private readonly hints = new Map<PeerId, { readonly place: PeerPlace; readonly atMs: number }>();

  constructor(private readonly now: () => number) {}

  /** Where `id` is, as a neighbour said within the TTL, or null. */
  placeOf(id: PeerId): PeerPlace | null {
    const hint = this.hints.get(id);
    if (hint === undefined) return null;
    if (this.now() - hint.atMs > HINT_TTL_MS) {
      this.hints.delete(id);
      return null;
    }
    return hint.place;
  }

  /** Remembers a neighbour's hints (never about ourselves); true when one is about voice. */
  receive(peers: readonly PeerHint[], ownIds: readonly (PeerId | null)[]): boolean {
    const nowMs = this.now();
    for (const hint of peers) {
      if (ownIds.includes(hint.id)) continue;
      const previous = this.hints.get(hint.id);
      const place: PeerPlace = { position: hint.position, radiusM: hint.radiusM, inVoice: hint.inVoice };
      // A hint that only comes back round does not make itself young again.
      const atMs = previous !== undefined && samePlace(previous.place, place) ? previous.atMs : nowMs;
      this.hints.delete(hint.id);
      this.hints.set(hint.id, { place, atMs });
    }
    while (this.hints.size > MAX_HINTS) {
      const oldest = this.hints.keys().next().value;
      if (oldest === undefined) break;
      this.hints.delete(oldest);
    }
    return peers.some((hint) => hint.inVoice);
  }

  /**
   * The hints for one neighbour: our other neighbours, and the voice participants we
   * heard of and are not linked to (so someone in voice finds a partner several links
   * away), those in mutual range of the neighbour only, nearest first.
   */
  forNeighbour(target: PeerHint, neighbours: readonly PeerHint[], linkedIds: ReadonlySet<PeerId>): PeerHint[] {
    const nowMs = this.now();
    const heardVoices: PeerHint[] = [];
    for (const [id, hint] of this.hints) {
      if (hint.place.inVoice && !linkedIds.has(id) && nowMs - hint.atMs <= HINT_TTL_MS) heardVoices.push({ id, ...hint.place });
    }
    return [...neighbours, ...heardVoices]
      .filter((hint) => hint.id !== target.id)
      .map((hint) => ({ hint, distance: distanceBetween(hint.position, target.position) }))
      .filter(({ hint, distance }) => distance <= Math.min(hint.radiusM, target.radiusM) + RANGE_HYSTERESIS_M)
      .sort((a, b) => a.distance - b.distance)
      .slice(0, MAX_PEERS_PER_FRAME)
      .map(({ hint }) => hint);
  }
}

function samePlace(a: PeerPlace, b: PeerPlace): boolean {
  return a.position.lat === b.position.lat && a.position.lon === b.position.lon && a.radiusM === b.radiusM && a.inVoice === b.inVoice;
}
