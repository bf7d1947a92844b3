/**
 * The set of direct links and the decisions about them: carrying out the link policy
 * (app/core/mesh-policy.ts: whom to dial, whom to prune, up to which degree to accept),
 * backing off from busy and failed peers, closing duplicate links, and which peers we
 * could not reach. What is said on each link is `link-entry.ts`; when rounds run,
 * `round-scheduler.ts`; the hints traded with neighbours (so the policy can choose the
 * nearest), `hint-exchange.ts`; chat logic, `chat-router.ts`.
 */

import { encodeLinkSignal, parseLinkSignal } from '../core/link-signal.ts';
import type { JsonValue } from '../core/json.ts';
import { decideLinks, isRepairRoundUseful, meshPolicyProblem, type LinkView, type MeshPolicyConfig, type PeerPlace, type PeerView } from '../core/mesh-policy.ts';
import type { PeerFrame, PeerHint, PresenceClaim } from '../core/peer-protocol.ts';
import { distanceBetween } from '../core/position.ts';
import { isInMutualRange } from '../core/visibility.ts';
import type { IceServer, PeerId, PeerPresence } from '../core/protocol.ts';
import type { DropReason } from '../core/chat-message.ts';
import type { TurnTrouble } from '../core/turn-trouble.ts';
import { HintExchange } from './hint-exchange.ts';
import { LinkEntry, type ChatFrame, type LinkEntryHost, type Neighbour } from './link-entry.ts';
import { PeerLink, type LinkFactory } from './peer-link.ts';
import { RoundScheduler } from './round-scheduler.ts';

export type { ChatFrame, Neighbour } from './link-entry.ts';

/** Peers remembered as departed (see departedIds): more than leave while one link connects. */
const MAX_DEPARTED_IDS = 1_000;
/** How long a peer that failed to connect or was pruned is left alone. */
const RETRY_AFTER_MS = 60_000;
/**
 * How long a peer that said "busy" is left alone: 10 s at first (it prunes and makes room
 * in rounds of 5 s), doubling on each further refusal up to 5 min, so a full peer that
 * many want is not asked again and again; forgotten once a link with it opens.
 */
const BUSY_BACKOFF_FIRST_MS = 10_000;
const BUSY_BACKOFF_MAX_MS = 300_000;
/**
 * Exploring dials (see mesh-policy.ts): the first as soon as we reach D (it is what joins
 * two groups that only know each other from the relay), then after this gap, doubling up
 * to the maximum. Each is a link that is usually pruned 30 s later, so not more often.
 */
const EXPLORE_FIRST_MS = 30_000;
const EXPLORE_MAX_MS = 300_000;
/**
 * How long the peer with the larger relay id waits for the other to dial before dialing
 * itself. Both dialing at once is handled by perfect negotiation, but Chromium then
 * sometimes never emits ICE candidates for the polite side's answer (the candidates of
 * its rolled-back offer are lost), so the first contact avoids glare on purpose.
 */
const DIAL_YIELD_MS = 2_500;

export interface MeshEvents {
  /** A neighbour said who it is, or updated it (position, radius, name). */
  onPresence(neighbour: Neighbour): void;
  /** A neighbour's link closed (or was dropped as a duplicate). */
  onNeighbourGone(linkKey: string): void;
  /** A chat frame (a message, history, or ids offered or asked for) from a neighbour. */
  onChatFrame(neighbour: Neighbour, frame: ChatFrame): Promise<void>;
  /** Something a neighbour sent was dropped. */
  onDrop(reason: DropReason): void;
  /** The number of links or unreachable peers changed. */
  onLinksChanged(): void;
  /** Audio from a neighbour arrived on its link. */
  onRemoteAudio(linkKey: string, stream: MediaStream): void;
}

export interface MeshOptions {
  readonly policy: MeshPolicyConfig;
  /** Most people we exchange audio with: voice links the policy keeps first. */
  readonly voiceCap: number;
  readonly events: MeshEvents;
  /** Signs presence payload text with the session key. */
  readonly signText: (payload: string) => Promise<string>;
  readonly verifyText: (key: string, payload: string, signature: string) => Promise<boolean>;
  /** Whether a claimed username is one this key may still use (receivers enforce the change limit). */
  readonly acceptsUsername: (key: string, username: string) => boolean;
  readonly sendSignal: (to: PeerId, data: JsonValue) => boolean;
  readonly now: () => number;
  readonly iceTransportPolicy?: RTCIceTransportPolicy;
  /** Makes links; WebRTC (`PeerLink`) by default, an in-memory or Node link in simulations. */
  readonly createLink?: LinkFactory;
}

const linkKeyOf = (localId: PeerId, remoteId: PeerId): string => `${localId}|${remoteId}`;

export class Mesh {
  private readonly links = new Map<string, LinkEntry>();
  /** Present peers the relay told us about, by relay id → home cell. */
  private readonly candidates = new Map<PeerId, string>();
  /** Relay ids not to dial before the given time (busy, or failed). */
  private readonly backoffUntil = new Map<PeerId, number>();
  /** The next "busy" backoff per peer that refused us (doubles on each refusal). */
  private readonly busyBackoffMs = new Map<PeerId, number>();
  /** A stable random rank per peer we know (candidate or linked): see PeerView.rank. */
  private readonly ranks = new Map<PeerId, number>();
  /** Peers we could not connect to, and whether a TURN server was why (null: not that we can tell). */
  private readonly unreachableIds = new Map<PeerId, TurnTrouble | null>();
  /** Peers the relay said have left, latest last (relay ids are never reused). */
  private readonly departedIds = new Set<PeerId>();
  /** When each candidate was first heard of (for DIAL_YIELD_MS). */
  private readonly firstSeenAt = new Map<PeerId, number>();
  /** What neighbours told us about peers they are linked to, and what we tell them. */
  private readonly hints: HintExchange;
  /** When policy rounds run (periodic, after events, when a held-back candidate is due). */
  private readonly rounds: RoundScheduler;
  private nextExploreAtMs = 0;
  private exploreEveryMs = EXPLORE_FIRST_MS;
  private localId: PeerId | null = null;
  private iceServers: readonly IceServer[] = [];
  private myHome = '';
  private myClaim: Omit<PresenceClaim, 'signature'> | null = null;
  /** What every link entry may ask of us: keys, and the decisions that are ours. */
  private readonly entryHost: LinkEntryHost;

  constructor(private readonly options: MeshOptions) {
    this.hints = new HintExchange(options.now, () => this.links.values());
    this.rounds = new RoundScheduler(options.now, (isPeriodic) => this.rebalance(isPeriodic));
    const problem = meshPolicyProblem(options.policy);
    if (problem !== null) throw new TypeError(`mesh policy: ${problem}`);
    this.entryHost = {
      signText: options.signText,
      verifyText: options.verifyText,
      acceptsUsername: options.acceptsUsername,
      isHeld: (entry) => this.links.get(entry.key) === entry,
      onPresence: (entry, neighbour, isFirstClaim) => this.takePresence(entry, neighbour, isFirstClaim),
      onHints: (entry, peers) => this.receiveHints(entry.link.localId, peers),
      onChatFrame: (neighbour, frame) => this.options.events.onChatFrame(neighbour, frame),
      onDrop: (reason) => this.options.events.onDrop(reason),
    };
  }

  /** Most links, dialed and accepted, open or connecting. */
  get hardCap(): number {
    return this.options.policy.degreeHigh;
  }

  /** Number of open links. */
  get openLinkCount(): number {
    return [...this.links.values()].filter((entry) => entry.link.state === 'open').length;
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

  /** Neighbours that have said who they are. */
  neighbours(): Neighbour[] {
    const result: Neighbour[] = [];
    for (const entry of this.links.values()) {
      const neighbour = entry.neighbour();
      if (neighbour !== null && entry.link.state === 'open') result.push(neighbour);
    }
    return result;
  }

  /** The relay gave us an id (first time or after a reconnect); old links keep theirs. */
  setRelayIdentity(id: PeerId, iceServers: readonly IceServer[]): void {
    this.localId = id;
    this.setIceServers(iceServers);
    this.candidates.clear();
    for (const id of this.ranks.keys()) if (!this.isLinkedTo(id)) this.ranks.delete(id);
  }

  /** A fresh ICE server list (renewed TURN credentials): for new links, and given to open ones. */
  setIceServers(iceServers: readonly IceServer[]): void {
    if (JSON.stringify(iceServers) === JSON.stringify(this.iceServers)) return;
    this.iceServers = iceServers;
    for (const entry of this.links.values()) entry.link.setIceServers?.(iceServers);
  }

  /** Our own claim changed (position, radius, username): tell every neighbour. */
  setSelf(claim: Omit<PresenceClaim, 'signature'>, home: string): void {
    this.myClaim = claim;
    this.myHome = home;
    for (const entry of this.links.values()) if (entry.link.state === 'open') void entry.sendPresence(claim);
    this.rounds.startPeriodic();
    // Moving or joining voice changes whom we want: repair soon.
    this.rounds.requestRepair();
  }

  /** The relay's answer to a join: the present peers in our cells. */
  setCandidates(peers: readonly PeerPresence[]): void {
    const homesBefore = new Map(this.candidates);
    this.candidates.clear();
    for (const peer of peers) this.rememberCandidate(peer, homesBefore.get(peer.id));
    this.rounds.requestRepair();
  }

  addCandidate(peer: PeerPresence): void {
    this.rememberCandidate(peer);
    this.rounds.requestRepair();
  }

  removeCandidate(id: PeerId): void {
    // The relay losing sight of a peer says nothing about our direct link to it.
    this.candidates.delete(id);
    this.hints.forget(id);
    this.firstSeenAt.delete(id);
    this.busyBackoffMs.delete(id);
    if (!this.isLinkedTo(id)) this.ranks.delete(id);
    // Someone who has left is not someone we cannot reach: the notice must stop naming them,
    // and a link to them that fails later must not name them again.
    this.departedIds.add(id);
    if (this.departedIds.size > MAX_DEPARTED_IDS) this.departedIds.delete(this.departedIds.values().next().value as PeerId);
    if (this.unreachableIds.delete(id)) this.options.events.onLinksChanged();
  }

  private rememberCandidate(peer: PeerPresence, knownHome = this.candidates.get(peer.id)): void {
    // Back in our cells (it had only moved out of them).
    this.departedIds.delete(peer.id);
    // In another cell: it has moved, so where it was is no guide any more.
    if (knownHome !== undefined && knownHome !== peer.home) this.hints.forget(peer.id);
    this.candidates.set(peer.id, peer.home);
    if (!this.firstSeenAt.has(peer.id)) this.firstSeenAt.set(peer.id, this.options.now());
  }

  private rankOf(id: PeerId): number {
    let rank = this.ranks.get(id);
    if (rank === undefined) {
      rank = Math.random();
      this.ranks.set(id, rank);
    }
    return rank;
  }

  private isLinkedTo(id: PeerId): boolean {
    return this.localId !== null && this.links.has(linkKeyOf(this.localId, id));
  }

  /** A relay signal from `from`: for an existing link, a new incoming link, or a refusal. */
  receiveSignal(from: PeerId, data: JsonValue): void {
    if (this.localId === null) return;
    const entry = this.links.get(linkKeyOf(this.localId, from));
    const signal = parseLinkSignal(data);
    if (signal === null) return;
    if (signal.kind === 'busy') {
      entry?.link.close();
      const backoffMs = this.busyBackoffMs.get(from) ?? BUSY_BACKOFF_FIRST_MS;
      this.busyBackoffMs.set(from, Math.min(BUSY_BACKOFF_MAX_MS, backoffMs * 2));
      this.backoffUntil.set(from, this.options.now() + backoffMs);
      this.rounds.requestRepair();
      return;
    }
    if (entry !== undefined) {
      void entry.link.receiveSignal(data);
      return;
    }
    // Only an offer starts a link (the dialer sends it before any candidate). Anything else
    // for a link we do not have is left over from one that closed: an answer or candidates
    // still on their way. Made into a new link, it would take a place and fail 20 s later.
    if (signal.kind !== 'description' || signal.type !== 'offer') return;
    if (this.links.size >= this.hardCap && !this.makeRoomForVoice(from)) {
      this.options.sendSignal(from, encodeLinkSignal({ kind: 'busy' }));
      return;
    }
    void this.openLink(from, false).link.receiveSignal(data);
  }

  /** Sends a frame to one neighbour; false if its link cannot take it now. */
  sendTo(linkKey: string, frame: PeerFrame): boolean {
    return this.links.get(linkKey)?.send(frame) ?? false;
  }

  /** Sets whether (and with which microphone track) we exchange audio with one neighbour. */
  setAudio(linkKey: string, track: MediaStreamTrack | null, isExchanging: boolean): void {
    void this.links.get(linkKey)?.link.setAudio(track, isExchanging);
  }

  /** Closes every link and clears every timer. */
  dispose(): void {
    this.rounds.dispose();
    this.hints.dispose();
    this.localId = null;
    // Forgotten before they close, so their closes start no round, hint or event.
    const entries = [...this.links.values()];
    this.links.clear();
    for (const entry of entries) entry.link.close();
  }

  /**
   * One round of the link policy: what we know goes in, dials and prunes come out. The
   * peer with the larger relay id holds off its first dial for DIAL_YIELD_MS (see there);
   * the policy keeps asking for the same peer meanwhile, so it keeps its place.
   */
  private rebalance(isPeriodic: boolean): void {
    const localId = this.localId;
    const claim = this.myClaim;
    if (localId === null || claim === null) return;
    // Most event rounds can decide nothing (see isRepairRoundUseful); in a crowd they come
    // by the hundred, and a round looks at every peer the relay lists.
    if (!isPeriodic && !isRepairRoundUseful(this.options.policy, this.links.size, claim.inVoice)) return;
    const nowMs = this.options.now();
    const links: LinkView<PeerId>[] = [...this.links.values()].map((entry) => ({
      id: entry.link.remoteId,
      place: this.placeOf(entry),
      isSameCell: this.candidates.get(entry.link.remoteId) === this.myHome,
      rank: this.rankOf(entry.link.remoteId),
      isDialed: entry.isDialed,
      ageMs: nowMs - entry.openedAtMs,
    }));
    const linkedIds = new Set(links.map((link) => link.id));
    const candidates: PeerView<PeerId>[] = [];
    let nextCheckMs = Number.POSITIVE_INFINITY;
    for (const [id, home] of this.candidates) {
      if (linkedIds.has(id)) continue;
      const backoffUntilMs = this.backoffUntil.get(id) ?? 0;
      if (backoffUntilMs > nowMs) {
        nextCheckMs = Math.min(nextCheckMs, backoffUntilMs);
        continue;
      }
      candidates.push({ id, place: this.hints.placeOf(id), isSameCell: home === this.myHome, rank: this.rankOf(id) });
    }
    const mayExplore = isPeriodic && nowMs >= this.nextExploreAtMs;
    const decision = decideLinks({
      self: { position: claim.position, radiusM: claim.radiusM, inVoice: claim.inVoice, voiceCap: this.options.voiceCap },
      config: this.options.policy,
      links,
      candidates,
      isPeriodic,
      mayExplore,
    });
    for (const id of decision.prune) {
      const entry = this.links.get(linkKeyOf(localId, id)) ?? [...this.links.values()].find((candidate) => candidate.link.remoteId === id);
      // Not dialed again soon by us: the other side may still dial us if it wants the link.
      this.backoffUntil.set(id, nowMs + RETRY_AFTER_MS);
      entry?.link.close();
    }
    const placeless = new Set(candidates.filter((candidate) => candidate.place === null).map((candidate) => candidate.id));
    for (const id of decision.dial) {
      if (mayExplore && placeless.has(id) && links.length >= this.options.policy.degree) {
        this.nextExploreAtMs = nowMs + this.exploreEveryMs;
        this.exploreEveryMs = Math.min(EXPLORE_MAX_MS, this.exploreEveryMs * 2);
      }
      const yieldUntilMs = id < localId ? (this.firstSeenAt.get(id) ?? nowMs) + DIAL_YIELD_MS : 0;
      if (yieldUntilMs > nowMs) nextCheckMs = Math.min(nextCheckMs, yieldUntilMs);
      else this.openLink(id, true);
    }
    // The earliest candidate held back (backoff or yield) gets a round of its own.
    this.rounds.wakeAt(nextCheckMs);
  }

  /**
   * At the high mark, a dial from a voice participant in range (as neighbours' hints say)
   * while we are in voice closes our farthest link that carries no voice, instead of
   * being refused: otherwise two full peers would refuse each other's voice dials and
   * both back off. True when room was made.
   */
  private makeRoomForVoice(from: PeerId): boolean {
    const claim = this.myClaim;
    const place = this.hints.placeOf(from);
    if (claim === null || !claim.inVoice || place === null || !place.inVoice) return false;
    if (!isInMutualRange(distanceBetween(claim.position, place.position), claim.radiusM, place.radiusM)) return false;
    let victim: LinkEntry | undefined;
    let victimDistance = -1;
    for (const entry of this.links.values()) {
      if (entry.presence?.inVoice === true) continue;
      const distance = entry.presence === null ? Number.POSITIVE_INFINITY : distanceBetween(claim.position, entry.presence.position);
      if (distance > victimDistance) {
        victim = entry;
        victimDistance = distance;
      }
    }
    if (victim === undefined) return false;
    this.backoffUntil.set(victim.link.remoteId, this.options.now() + RETRY_AFTER_MS);
    victim.link.close();
    return true;
  }

  /** Where a linked peer is: its signed claim, else what a neighbour told us. */
  private placeOf(entry: LinkEntry): PeerPlace | null {
    return entry.place ?? this.hints.placeOf(entry.link.remoteId);
  }

  private openLink(remoteId: PeerId, isDialed: boolean): LinkEntry {
    const localId = this.localId;
    if (localId === null) throw new Error('openLink before the relay gave us an id');
    const key = linkKeyOf(localId, remoteId);
    const entry: LinkEntry = new LinkEntry({
      key,
      isDialed,
      openedAtMs: this.options.now(),
      host: this.entryHost,
      createLink: this.options.createLink ?? ((linkOptions) => new PeerLink(linkOptions)),
      link: {
        localId,
        remoteId,
        iceServers: this.iceServers,
        ...(this.options.iceTransportPolicy === undefined ? {} : { iceTransportPolicy: this.options.iceTransportPolicy }),
        sendViaRelay: (data) => this.options.sendSignal(remoteId, data),
        onOpen: () => {
          this.unreachableIds.delete(remoteId);
          this.busyBackoffMs.delete(remoteId);
          if (this.myClaim !== null) void entry.sendPresence(this.myClaim);
          this.hints.schedule();
          this.options.events.onLinksChanged();
        },
        onClose: (state, turnTrouble) => this.forget(entry, state, turnTrouble ?? null),
        onRemoteAudio: (stream) => this.options.events.onRemoteAudio(key, stream),
      },
    });
    this.links.set(key, entry);
    return entry;
  }

  private forget(entry: LinkEntry, state: 'failed' | 'closed', turnTrouble: TurnTrouble | null): void {
    if (this.links.get(entry.key) !== entry) return;
    this.links.delete(entry.key);
    if (state === 'failed') {
      // A peer that left the relay meanwhile is not one we cannot reach: it is gone.
      if (!this.departedIds.has(entry.link.remoteId)) this.unreachableIds.set(entry.link.remoteId, turnTrouble);
      this.backoffUntil.set(entry.link.remoteId, this.options.now() + RETRY_AFTER_MS);
    }
    if (!this.candidates.has(entry.link.remoteId)) this.ranks.delete(entry.link.remoteId);
    else if (entry.place !== null) this.hints.rememberFormerLink(entry.link.remoteId, entry.place);
    if (entry.presence !== null) this.options.events.onNeighbourGone(entry.key);
    this.options.events.onLinksChanged();
    this.hints.schedule();
    this.rounds.requestRepair();
  }

  /** A neighbour's claim was taken; its first one may show the link to be a duplicate. */
  private takePresence(entry: LinkEntry, neighbour: Neighbour, isFirstClaim: boolean): void {
    if (isFirstClaim && this.closeIfDuplicate(entry)) return;
    this.hints.schedule();
    this.options.events.onPresence(neighbour);
  }

  /** Remembers where a neighbour's neighbours are, then lets the policy use it. */
  private receiveHints(localId: PeerId, peers: readonly PeerHint[]): void {
    this.hints.receive(peers, [localId, this.localId]);
    this.rounds.requestRepair();
  }

  /**
   * After a relay reconnect the same person can be reached under a new relay id, giving
   * two links to one key. Both ends keep the link whose pair of relay ids sorts first.
   */
  private closeIfDuplicate(entry: LinkEntry): boolean {
    const pairOf = (candidate: LinkEntry): string => [candidate.link.localId, candidate.link.remoteId].sort().join('|');
    for (const other of this.links.values()) {
      if (other === entry || other.presence?.key !== entry.presence?.key) continue;
      const loser = pairOf(entry) < pairOf(other) ? other : entry;
      loser.link.close();
      return loser === entry;
    }
    return false;
  }
}

