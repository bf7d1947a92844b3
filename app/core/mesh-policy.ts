/**
 * Whom to keep direct links with, in the spirit of libp2p gossipsub's degree bounds: a
 * target degree D with low and high water marks. Pure: the mesh (app/net/mesh.ts) feeds
 * it what it knows and carries out the decision.
 *
 * The links a peer wants, in order of priority:
 * 1. Voice: the nearest voice participants in mutual range (up to the voice cap) when we
 *    are in voice ourselves; audio rides on the link, so these come first and may go
 *    beyond D (never beyond D_high).
 * 2. The nearest peer in each of several sectors around us (a Yao graph): links in every
 *    direction keep the overlay of the people in any circle connected, where "nearest
 *    only" would let tight clusters close in on themselves.
 * 3. The nearest others, until D.
 * D counts the links we dialed; others' dials to us come on top, up to D_high.
 * Below D we also dial peers we know only from the relay (same home cell first), and now
 * and then one of them even at D (exploring): two groups that only know each other from
 * the relay would otherwise never learn where the others are, and stay apart. Links
 * we dialed and no longer want are pruned one per round, and only after a grace period,
 * so the overlay does not churn. Links others dialed are theirs to prune. Nothing goes
 * beyond D_high: incoming dials are refused with "busy" at D_high, counting links that
 * are still connecting.
 */

import { distanceBetween, type Position } from './position.ts';
import { isInMutualRange } from './visibility.ts';

export interface MeshPolicyConfig {
  /** Target number of links we dial ourselves. */
  readonly degree: number;
  /** Fewer dialed links than this: dial at once rather than at the next periodic round. */
  readonly degreeLow: number;
  /** Never more links than this (dialed and accepted, open or connecting). */
  readonly degreeHigh: number;
}

export const DEFAULT_MESH_POLICY: MeshPolicyConfig = { degree: 6, degreeLow: 4, degreeHigh: 12 };

/** Largest degree accepted from configuration (WebRTC connections are not free). */
export const MAX_DEGREE = 64;

/** A link we dialed and no longer want is kept at least this long (no churn). */
export const PRUNE_GRACE_MS = 30_000;

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
}

/** Sectors around us: as many as the degree allows, from 2 to 6. */
export function sectorCount(degree: number): number {
  return Math.max(2, Math.min(6, degree));
}

/** Ids we want links with, most important first (see the file comment). */
export function wantedPeers<Id extends string>(self: PolicyInput['self'], config: MeshPolicyConfig, peers: readonly PeerView<Id>[]): Id[] {
  const placed = peers
    .filter((peer): peer is PeerView<Id> & { place: PeerPlace } => peer.place !== null)
    .map((peer) => ({ id: peer.id, place: peer.place, distance: distanceBetween(self.position, peer.place.position) }))
    .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1));
  const wanted: Id[] = [];
  if (self.inVoice) {
    const voice = placed.filter((peer) => peer.place.inVoice && isInMutualRange(peer.distance, self.radiusM, peer.place.radiusM));
    for (const peer of voice.slice(0, self.voiceCap)) wanted.push(peer.id);
  }
  const voiceCount = wanted.length;
  const sectors = sectorCount(config.degree);
  const sectorTaken = new Set<number>();
  const bySector: Id[] = [];
  for (const peer of placed) {
    const sector = sectorOf(self.position, peer.place.position, sectors);
    if (sectorTaken.has(sector)) continue;
    sectorTaken.add(sector);
    bySector.push(peer.id);
  }
  const rest = placed.map((peer) => peer.id);
  for (const id of [...bySector, ...rest]) {
    if (wanted.length - voiceCount >= config.degree) break;
    if (!wanted.includes(id)) wanted.push(id);
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

export function decideLinks<Id extends string>(input: PolicyInput<Id>): PolicyDecision<Id> {
  const { self, config, links, candidates, isPeriodic, mayExplore } = input;
  const wanted = wantedPeers(self, config, [...links, ...candidates]);
  const wantedSet = new Set(wanted);
  const linked = new Set(links.map((link) => link.id));
  const dialable = new Set(candidates.map((candidate) => candidate.id));
  const voiceWanted = self.inVoice ? wanted.filter((id) => isVoicePeer(id, [...links, ...candidates], self)) : [];

  const dial: Id[] = [];
  const prune: Id[] = [];
  let total = links.length;
  // D counts the links we dialed: a peer whose room others filled still reaches out on its
  // own, or groups that dialed each other could close in on themselves and never meet.
  let dialed = links.filter((link) => link.isDialed).length;
  const addDial = (id: Id): void => {
    dial.push(id);
    total += 1;
    dialed += 1;
  };

  // Voice first, at any round, up to D_high; at the cap, one unwanted link makes room.
  const missingVoice = voiceWanted.filter((id) => !linked.has(id) && dialable.has(id));
  for (const id of missingVoice) {
    if (total >= config.degreeHigh) break;
    addDial(id);
  }
  if (missingVoice.some((id) => !dial.includes(id))) {
    const victim = farthestUnwanted(links, wantedSet, self, () => true);
    if (victim !== undefined) prune.push(victim);
  }

  const missingWanted = wanted.filter((id) => !linked.has(id) && dialable.has(id) && !dial.includes(id));
  const mayFill = isPeriodic || dialed < config.degreeLow;
  if (mayFill && dialed < config.degree) {
    const others = candidates
      .filter((candidate) => !wantedSet.has(candidate.id))
      .sort((a, b) => Number(b.isSameCell) - Number(a.isSameCell) || Number(a.place !== null) - Number(b.place !== null));
    for (const id of [...missingWanted, ...others.map((candidate) => candidate.id)]) {
      if (dialed >= config.degree || total >= config.degreeHigh) break;
      if (!dial.includes(id)) addDial(id);
    }
  } else if (isPeriodic && missingWanted.length > 0 && total < config.degreeHigh) {
    // At D, a better link than the ones we have comes in one at a time; the prune of a
    // later round brings our count back down.
    addDial(missingWanted[0] as Id);
  }

  if (isPeriodic && mayExplore && total < config.degreeHigh) {
    const unknown = candidates.find((candidate) => candidate.place === null && !dial.includes(candidate.id));
    if (unknown !== undefined) addDial(unknown.id);
  }

  if (isPeriodic && prune.length === 0 && links.filter((link) => link.isDialed).length > config.degree) {
    const victim = farthestUnwanted(links, wantedSet, self, (link) => link.isDialed && link.ageMs >= PRUNE_GRACE_MS);
    if (victim !== undefined) prune.push(victim);
  }
  return { dial, prune };
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
