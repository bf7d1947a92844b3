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
/**
 * Where a peer we were linked to last said it was is kept this long after the link
 * closes (unless the relay says it moved cells or left, see `forget`). Without it a peer
 * pruned for being outside our radius is "place unknown" again at once, looks like a fine
 * random pick, and is dialed, placed and pruned over and over: in the simulation that was
 * a good part of the mesh's churn.
 */
export const FORMER_LINK_TTL_MS = 600_000;

interface Sighting {
  readonly place: PeerPlace;
  readonly atMs: number;
}

export class PeerHints {
  private readonly hints = new Map<PeerId, Sighting>();
  /** Places of peers we were linked to (their own signed claims), kept apart from hints: never passed on. */
  private readonly formerLinks = new Map<PeerId, Sighting>();

  constructor(private readonly now: () => number) {}

  /** Where `id` is: the newer of a neighbour's hint (within its TTL) and its own last claim on a former link, or null. */
  placeOf(id: PeerId): PeerPlace | null {
    const hint = this.fresh(this.hints, id, HINT_TTL_MS);
    const former = this.fresh(this.formerLinks, id, FORMER_LINK_TTL_MS);
    if (hint === undefined || former === undefined) return (hint ?? former)?.place ?? null;
    return hint.atMs >= former.atMs ? hint.place : former.place;
  }

  /** Remembers where a peer whose link just closed last said it was. */
  rememberFormerLink(id: PeerId, place: PeerPlace): void {
    remember(this.formerLinks, id, { place, atMs: this.now() });
  }

  /** Forgets where `id` is (the relay says it moved to another cell, or left ours). */
  forget(id: PeerId): void {
    this.hints.delete(id);
    this.formerLinks.delete(id);
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
      remember(this.hints, hint.id, { place, atMs });
    }
    return peers.some((hint) => hint.inVoice);
  }

  /** `id`'s sighting in `sightings` if younger than `ttlMs` (an older one is dropped). */
  private fresh(sightings: Map<PeerId, Sighting>, id: PeerId, ttlMs: number): Sighting | undefined {
    const sighting = sightings.get(id);
    if (sighting === undefined || this.now() - sighting.atMs <= ttlMs) return sighting;
    sightings.delete(id);
    return undefined;
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

/** Sets `id`'s sighting as the newest entry, dropping the oldest beyond MAX_HINTS. */
function remember(sightings: Map<PeerId, Sighting>, id: PeerId, sighting: Sighting): void {
  sightings.delete(id);
  sightings.set(id, sighting);
  while (sightings.size > MAX_HINTS) {
    const oldest = sightings.keys().next().value;
    if (oldest === undefined) break;
    sightings.delete(oldest);
  }
}

function samePlace(a: PeerPlace, b: PeerPlace): boolean {
  return a.position.lat === b.position.lat && a.position.lon === b.position.lon && a.radiusM === b.radiusM && a.inVoice === b.inVoice;
}
