/**
 * What the mesh knows about each peer it might dial, apart from where it is (that is
 * `peer-hints.ts`): the relay's list of present peers in our cells and their home cells,
 * a stable random rank per peer (see PeerView.rank), when each was first heard of, who
 * is not to be dialed before when (pruned, failed, or "busy" with a doubling backoff),
 * whom we could not reach (and whether a TURN server was why), and who has left. Pure:
 * the mesh passes the time in.
 */

import type { PeerId, PeerPresence } from './protocol.ts';
import type { TurnTrouble } from './turn-trouble.ts';

/** Peers remembered as departed: more than leave while one link connects. */
const MAX_DEPARTED_IDS = 1_000;
/**
 * How long a peer that said "busy" is left alone: 10 s at first (it prunes and makes room
 * in rounds of 5 s), doubling on each further refusal up to 5 min, so a full peer that
 * many want is not asked again and again; forgotten once a link with it opens.
 */
export const BUSY_BACKOFF_FIRST_MS = 10_000;
export const BUSY_BACKOFF_MAX_MS = 300_000;

export class CandidateBook {
  /** Present peers the relay told us about, by relay id → home cell. */
  private readonly homes = new Map<PeerId, string>();
  /** A stable random rank per peer we know (listed or linked). */
  private readonly ranks = new Map<PeerId, number>();
  private readonly firstSeen = new Map<PeerId, number>();
  /** Relay ids not to dial before the given time. */
  private readonly heldOffUntil = new Map<PeerId, number>();
  /** The next "busy" backoff per peer that refused us. */
  private readonly busyBackoffMs = new Map<PeerId, number>();
  /** Peers we could not connect to, and whether a TURN server was why (null: not that we can tell). */
  private readonly unreachableIds = new Map<PeerId, TurnTrouble | null>();
  /** Peers the relay said have left, latest last (relay ids are never reused). */
  private readonly departedIds = new Set<PeerId>();

  constructor(private readonly random: () => number = Math.random) {}

  /** A new relay identity: the old list means nothing now; ranks stay for peers we are linked to. */
  restart(isLinked: (id: PeerId) => boolean): void {
    this.homes.clear();
    for (const id of this.ranks.keys()) if (!isLinked(id)) this.ranks.delete(id);
  }

  /** The relay's answer to a join, replacing its list; the ids it now shows in another cell than before (they moved). */
  replace(peers: readonly PeerPresence[], nowMs: number): PeerId[] {
    const homesBefore = new Map(this.homes);
    this.homes.clear();
    return peers.filter((peer) => this.list(peer, homesBefore.get(peer.id), nowMs)).map((peer) => peer.id);
  }

  /** One peer present in our cells; true when it was listed in another cell before (it moved). */
  add(peer: PeerPresence, nowMs: number): boolean {
    return this.list(peer, this.homes.get(peer.id), nowMs);
  }

  /**
   * The relay lost sight of a peer (it left, or moved out of our cells); this says nothing
   * about a direct link to it. True when it had been listed as unreachable: someone who
   * has left is not someone we cannot reach.
   */
  remove(id: PeerId, isLinked: boolean): boolean {
    this.homes.delete(id);
    this.firstSeen.delete(id);
    this.busyBackoffMs.delete(id);
    if (!isLinked) this.ranks.delete(id);
    this.departedIds.add(id);
    if (this.departedIds.size > MAX_DEPARTED_IDS) this.departedIds.delete(this.departedIds.values().next().value as PeerId);
    return this.unreachableIds.delete(id);
  }

  /** The listed peers and their home cells. */
  listed(): IterableIterator<[PeerId, string]> {
    return this.homes.entries();
  }

  homeOf(id: PeerId): string | undefined {
    return this.homes.get(id);
  }

  rankOf(id: PeerId): number {
    let rank = this.ranks.get(id);
    if (rank === undefined) {
      rank = this.random();
      this.ranks.set(id, rank);
    }
    return rank;
  }

  /** When the relay first listed `id` (undefined once it is gone). */
  firstSeenAt(id: PeerId): number | undefined {
    return this.firstSeen.get(id);
  }

  /** Not to be dialed before `untilMs` (pruned, or failed). */
  holdOff(id: PeerId, untilMs: number): void {
    this.heldOffUntil.set(id, untilMs);
  }

  /** Until when `id` is not to be dialed (0: it may be dialed). */
  heldUntil(id: PeerId): number {
    return this.heldOffUntil.get(id) ?? 0;
  }

  /** `id` said "busy": held off for its current backoff, and the next one is doubled. */
  refusedBusy(id: PeerId, nowMs: number): void {
    const backoffMs = this.busyBackoffMs.get(id) ?? BUSY_BACKOFF_FIRST_MS;
    this.busyBackoffMs.set(id, Math.min(BUSY_BACKOFF_MAX_MS, backoffMs * 2));
    this.heldOffUntil.set(id, nowMs + backoffMs);
  }

  /** A link with `id` opened: it is reachable, and not busy any more. */
  linkOpened(id: PeerId): void {
    this.unreachableIds.delete(id);
    this.busyBackoffMs.delete(id);
  }

  /** A link with `id` failed: unreachable (unless it has left meanwhile), and held off until `retryAtMs`. */
  linkFailed(id: PeerId, turnTrouble: TurnTrouble | null, retryAtMs: number): void {
    if (!this.departedIds.has(id)) this.unreachableIds.set(id, turnTrouble);
    this.heldOffUntil.set(id, retryAtMs);
  }

  /** A link with `id` is gone; true when the relay still lists it (else its rank is forgotten too). */
  linkGone(id: PeerId): boolean {
    if (this.homes.has(id)) return true;
    this.ranks.delete(id);
    return false;
  }

  /** Relay ids of peers we could not connect to directly. */
  unreachable(): PeerId[] {
    return [...this.unreachableIds.keys()];
  }

  /**
   * Whether a TURN server is why peers are unreachable: 'refused' when it turned our
   * credentials down for any of them, else 'unreachable' when it did not answer; null
   * when no unreachable peer failed because of TURN.
   */
  turnTrouble(): TurnTrouble | null {
    const troubles = new Set(this.unreachableIds.values());
    if (troubles.has('refused')) return 'refused';
    return troubles.has('unreachable') ? 'unreachable' : null;
  }

  private list(peer: PeerPresence, homeBefore: string | undefined, nowMs: number): boolean {
    // Back in our cells (it had only moved out of them).
    this.departedIds.delete(peer.id);
    this.homes.set(peer.id, peer.home);
    if (!this.firstSeen.has(peer.id)) this.firstSeen.set(peer.id, nowMs);
    return homeBefore !== undefined && homeBefore !== peer.home;
  }
}
