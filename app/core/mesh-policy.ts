/**
 * Whom to keep direct links with, in the spirit of libp2p gossipsub's degree bounds: a
 * target degree D with low and high water marks, counting every link (ours and those
 * others dialed). Pure: the mesh (app/net/mesh.ts) feeds it what it knows and carries out
 * the decision.
 *
 * The links a peer wants, in order of priority:
 * 1. Voice: the nearest voice participants in mutual range (up to the voice cap) when we
 *    are in voice ourselves; audio rides on the link, so these come first and may go
 *    beyond D (never beyond D_high).
 * 2. The nearest peer in each of several sectors around us (a Yao graph): links in every
 *    direction keep the overlay of the people in any circle connected, where "nearest
 *    only" would let tight clusters close in on themselves. A peer we are linked to keeps
 *    its sector unless the nearest there is much nearer (no link traded for a few metres).
 * 3. A few random peers within our radius (D / 3 of them): each peer draws a rank for
 *    every peer it hears of and keeps the lowest-ranked ones, so the choice is random
 *    but stable (no churn). These long links make the overlay a small world: a message
 *    crosses a crowd in a handful of hops where nearest-only links need dozens. Only
 *    placed peers count: most peers the relay lists are outside our radius, and picking
 *    relay-only peers meant dialing them one after another only to prune each.
 * 4. The nearest others, until D.
 * Rounds caused by events dial up to the low mark, periodic rounds up to D: wanted peers
 * first, then others from the relay (same home cell first, in rank order, so newcomers
 * do not all herd onto the relay's first names). At D, a periodic round adds at most one
 * wanted link, and now and then explores one peer known only from the relay, which is how
 * two groups that only know each other from the relay meet. Links we dialed and no longer
 * want are pruned one per round when we are above D, and only after a grace period, so
 * the overlay does not churn. Links others dialed are theirs to prune. Nothing goes
 * beyond D_high: incoming dials are refused with "busy" at D_high, counting links that
 * are still connecting.
 * D counts every link, so a peer that others' dials brought to D only adds wanted links
 * one per round. The links others want with us still come on top of the ones we want, so
 * in a crowd the mean settles between D and D_high (about 9.5 at 6 / 4 / 12 in the
 * simulation); full peers are rarer than when D counted our own dials only, and the
 * stable ranks and the doubling "busy" backoff (app/net/mesh.ts) keep dialers from
 * queuing at the same full peers.
 */

import { distanceBetween, type Position } from './position.ts';
import { isInMutualRange } from './visibility.ts';

export interface MeshPolicyConfig {
  /** Target number of links (dialed and accepted). */
  readonly degree: number;
  /** Fewer links than this: dial at once rather than at the next periodic round. */
  readonly degreeLow: number;
  /** Never more links than this (dialed and accepted, open or connecting). */
  readonly degreeHigh: number;
}

export const DEFAULT_MESH_POLICY: MeshPolicyConfig = { degree: 6, degreeLow: 4, degreeHigh: 12 };

/** Largest degree accepted from configuration (WebRTC connections are not free). */
export const MAX_DEGREE = 64;

/** A link we dialed and no longer want is kept at least this long (no churn). */
export const PRUNE_GRACE_MS = 30_000;

/** A linked peer keeps its sector unless the nearest there is this much nearer (factor, then metres). */
const SECTOR_KEEP_FACTOR = 1.5;
const SECTOR_KEEP_SLACK_M = 50;

/** Why a configuration is not usable, or null. */
export function meshPolicyProblem(config: MeshPolicyConfig): string | null {
  const { degree, degreeLow, degreeHigh } = config;
  if (![degree, degreeLow, degreeHigh].every((value) => Number.isInteger(value) && value >= 1 && value <= MAX_DEGREE)) {
    return `degrees must be whole numbers from 1 to ${MAX_DEGREE}`;
  }
  if (!(degreeLow <= degree && degree <= degreeHigh)) return 'the degrees must satisfy low ≤ degree ≤ high';
  return null;
}

/** The marks gossipsub would use around a target degree: low two thirds of it, high twice it. */
export function policyForDegree(degree: number): MeshPolicyConfig {
  return { degree, degreeLow: Math.max(1, Math.ceil((degree * 2) / 3)), degreeHigh: Math.min(MAX_DEGREE, degree * 2) };
}

/** Where a peer is, by its signed claim on a link or a neighbour's hint. */
export interface PeerPlace {
  readonly position: Position;
  readonly radiusM: number;
  readonly inVoice: boolean;
}

export interface PeerView<Id extends string = string> {
  readonly id: Id;
  /** Null when we know the peer only from the relay (a home cell, no position). */
  readonly place: PeerPlace | null;
  /** In our home cell (the relay's coarse hint, used for peers without a place). */
  readonly isSameCell: boolean;
  /**
   * A random number in [0, 1) the mesh drew for this peer when it first heard of it and
   * keeps while it knows the peer: the order of random links and of relay-only dials.
   */
  readonly rank: number;
}

export interface LinkView<Id extends string = string> extends PeerView<Id> {
  /** We dialed it (ours to prune); false when the other side did. */
  readonly isDialed: boolean;
  /** Since the link was made. */
  readonly ageMs: number;
}

export interface PolicyInput<Id extends string = string> {
  readonly self: PeerPlace & { readonly voiceCap: number };
  readonly config: MeshPolicyConfig;
  /** Every link, open or connecting. */
  readonly links: readonly LinkView<Id>[];
  /** Peers we may dial now (the relay lists them, not linked, not backing off). */
  readonly candidates: readonly PeerView<Id>[];
  /** Periodic rounds may fill up to D and prune; rounds caused by events only repair. */
  readonly isPeriodic: boolean;
  /** This periodic round may dial one peer known only from the relay, to learn where it is. */
  readonly mayExplore: boolean;
}

export interface PolicyDecision<Id extends string = string> {
  readonly dial: readonly Id[];
  readonly prune: readonly Id[];
  /** The dial that explores (also in `dial`), or null: the mesh backs off exploring after one. */
  readonly explored: Id | null;
}

/** Sectors around us: what the degree leaves after the random links, from 2 to 6. */
export function sectorCount(degree: number): number {
  return Math.max(2, Math.min(6, degree - randomLinkCount(degree)));
}

/** Random (long) links wanted at a degree: a third of it, so D 6 has 2 and D 2 has none. */
export function randomLinkCount(degree: number): number {
  return Math.floor(degree / 3);
}

/** Ids we want links with, most important first (see the file comment). */
export function wantedPeers<Id extends string>(
  self: PolicyInput['self'],
  config: MeshPolicyConfig,
  peers: readonly PeerView<Id>[],
  linkedIds: ReadonlySet<Id> = new Set(),
): Id[] {
  const placed = peers
    .filter((peer): peer is PeerView<Id> & { place: PeerPlace } => peer.place !== null)
    .map((peer) => ({ id: peer.id, place: peer.place, distance: distanceBetween(self.position, peer.place.position) }))
    .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1));
  const wanted: Id[] = [];
  const wantedSet = new Set<Id>();
  const want = (id: Id): void => {
    if (wantedSet.has(id)) return;
    wanted.push(id);
    wantedSet.add(id);
  };
  if (self.inVoice) {
    const voice = placed.filter((peer) => peer.place.inVoice && isInMutualRange(peer.distance, self.radiusM, peer.place.radiusM));
    for (const peer of voice.slice(0, self.voiceCap)) want(peer.id);
  }
  const voiceCount = wanted.length;
  const isFull = (): boolean => wanted.length - voiceCount >= config.degree;
  const sectors = sectorCount(config.degree);
  const sectorTaken = new Set<number>();
  for (const peer of placed) {
    if (isFull()) break;
    const sector = sectorOf(self.position, peer.place.position, sectors);
    if (sectorTaken.has(sector)) continue;
    sectorTaken.add(sector);
    // A peer we are linked to in the same sector and not much farther keeps the sector:
    // replacing it for one a few metres nearer would cost a link for nothing.
    const keep = linkedIds.has(peer.id)
      ? undefined
      : placed.find(
          (other) =>
            linkedIds.has(other.id) &&
            other.distance <= peer.distance * SECTOR_KEEP_FACTOR + SECTOR_KEEP_SLACK_M &&
            sectorOf(self.position, other.place.position, sectors) === sector,
        );
    want((keep ?? peer).id);
  }
  // Random links: placed peers within our radius (see the file comment).
  const randomPool = peers
    .filter((peer) => peer.place !== null && distanceBetween(self.position, peer.place.position) <= self.radiusM)
    .sort((a, b) => a.rank - b.rank);
  let randomLeft = randomLinkCount(config.degree);
  for (const peer of randomPool) {
    if (randomLeft === 0 || isFull()) break;
    if (wantedSet.has(peer.id)) continue;
    want(peer.id);
    randomLeft -= 1;
  }
  for (const peer of placed) {
    if (isFull()) break;
    want(peer.id);
  }
  return wanted.slice(0, config.degreeHigh);
}

/** Which of `sectors` equal angles around `from` the direction to `to` falls in. */
export function sectorOf(from: Position, to: Position, sectors: number): number {
  const north = to.lat - from.lat;
  const east = (to.lon - from.lon) * Math.cos((from.lat * Math.PI) / 180);
  // Clockwise from north, in [0, 2π).
  const angle = (Math.atan2(east, north) + 2 * Math.PI) % (2 * Math.PI);
  return Math.min(sectors - 1, Math.floor((angle / (2 * Math.PI)) * sectors));
}

/**
 * Whether a round caused by an event (not the periodic one) can decide anything: only
 * when we are in voice or below the low mark. Lets the mesh skip the work otherwise.
 */
export function isRepairRoundUseful(config: MeshPolicyConfig, linkCount: number, inVoice: boolean): boolean {
  return inVoice || linkCount < config.degreeLow;
}

export function decideLinks<Id extends string>(input: PolicyInput<Id>): PolicyDecision<Id> {
  const { self, config, links, candidates, isPeriodic, mayExplore } = input;
  const linkedIds = new Set(links.map((link) => link.id));
  const wanted = wantedPeers(self, config, [...links, ...candidates], linkedIds);
  const wantedSet = new Set(wanted);
  const dialable = new Set(candidates.map((candidate) => candidate.id));
  const voiceWanted = self.inVoice ? wanted.filter((id) => isVoicePeer(id, [...links, ...candidates], self)) : [];

  const dial: Id[] = [];
  const prune: Id[] = [];
  let total = links.length;
  const addDial = (id: Id): void => {
    dial.push(id);
    total += 1;
  };

  // Voice first, at any round, up to D_high; at the cap, one unwanted link makes room.
  const missingVoice = voiceWanted.filter((id) => !linkedIds.has(id) && dialable.has(id));
  for (const id of missingVoice) {
    if (total >= config.degreeHigh) break;
    addDial(id);
  }
  if (missingVoice.some((id) => !dial.includes(id))) {
    const victim = farthestUnwanted(links, wantedSet, self, () => true);
    if (victim !== undefined) prune.push(victim);
  }

  const missingWanted = wanted.filter((id) => !linkedIds.has(id) && dialable.has(id) && !dial.includes(id));
  // Rounds caused by events repair up to the low mark only: a newcomer's first links are
  // mostly blind (peers known only from the relay), and the periodic round that follows
  // fills the rest with peers its first neighbours' hints have placed.
  const fillTo = isPeriodic ? config.degree : config.degreeLow;
  if (total < fillTo) {
    const others = candidates
      .filter((candidate) => !wantedSet.has(candidate.id))
      .sort(
        (a, b) =>
          Number(b.isSameCell) - Number(a.isSameCell) || Number(a.place !== null) - Number(b.place !== null) || a.rank - b.rank,
      );
    for (const id of [...missingWanted, ...others.map((candidate) => candidate.id)]) {
      if (total >= fillTo) break;
      if (!dial.includes(id)) addDial(id);
    }
  } else if (isPeriodic && missingWanted.length > 0 && total < config.degreeHigh) {
    // At D, a better link than the ones we have comes in one at a time; the prune of a
    // later round brings our count back down.
    addDial(missingWanted[0] as Id);
  }

  // Only at D: below it the fill dials peers known only from the relay anyway.
  let explored: Id | null = null;
  if (isPeriodic && mayExplore && links.length >= config.degree && total < config.degreeHigh) {
    const unknown = candidates
      .filter((candidate) => candidate.place === null && !dial.includes(candidate.id))
      .reduce<PeerView<Id> | undefined>((best, candidate) => (best === undefined || candidate.rank < best.rank ? candidate : best), undefined);
    if (unknown !== undefined) {
      explored = unknown.id;
      addDial(unknown.id);
    }
  }

  if (isPeriodic && prune.length === 0 && links.length > config.degree) {
    const victim = farthestUnwanted(links, wantedSet, self, (link) => link.isDialed && link.ageMs >= PRUNE_GRACE_MS);
    if (victim !== undefined) prune.push(victim);
  }
  return { dial, prune, explored };
}

function isVoicePeer<Id extends string>(id: Id, peers: readonly PeerView<Id>[], self: PolicyInput['self']): boolean {
  const place = peers.find((peer) => peer.id === id)?.place;
  if (place === undefined || place === null || !place.inVoice) return false;
  return isInMutualRange(distanceBetween(self.position, place.position), self.radiusM, place.radiusM);
}

/** The unwanted link farthest from us among those `eligible` (unknown places count as farthest). */
function farthestUnwanted<Id extends string>(
  links: readonly LinkView<Id>[],
  wanted: ReadonlySet<Id>,
  self: PolicyInput['self'],
  eligible: (link: LinkView<Id>) => boolean,
): Id | undefined {
  let victim: Id | undefined;
  let victimDistance = -1;
  for (const link of links) {
    if (wanted.has(link.id) || !eligible(link)) continue;
    const distance = link.place === null ? Number.POSITIVE_INFINITY : distanceBetween(self.position, link.place.position);
    if (distance > victimDistance) {
      victim = link.id;
      victimDistance = distance;
    }
  }
  return victim;
}
