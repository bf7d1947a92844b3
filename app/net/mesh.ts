/**
 * The set of direct links and the decisions about them: carrying out the link policy
 * (app/core/mesh-policy.ts: whom to dial, whom to prune, up to which degree to accept),
 * backing off from busy and failed peers, closing duplicate links. Whom the relay lists,
 * their ranks and backoffs, and whom we could not reach: `candidate-book.ts`; what is
 * said on each link: `link-entry.ts`; when rounds run: `round-scheduler.ts`; hints traded
 * with neighbours (so the policy can choose the nearest): `hint-exchange.ts`.
 */

import { CandidateBook } from '../core/candidate-book.ts';
import { Knocks } from '../core/knocks.ts';
import { encodeLinkSignal, parseLinkSignal, type LinkSignal } from '../core/link-signal.ts';
import type { JsonValue } from '../core/json.ts';
import { decideLinks, isRepairRoundUseful, meshPolicyProblem, type LinkView, type MeshPolicyConfig, type PeerPlace, type PeerView } from '../core/mesh-policy.ts';
import type { PeerFrame, PeerHint, PresenceClaim } from '../core/peer-protocol.ts';
import type { ProofOfWork } from '../core/proof-of-work.ts';
import { distanceBetween } from '../core/position.ts';
import { isInMutualRange } from '../core/visibility.ts';
import type { IceServer, PeerId, PeerPresence } from '../core/protocol.ts';
import type { DropReason } from '../core/chat-message.ts';
import type { TurnTrouble } from '../core/turn-trouble.ts';
import { PresenceSeqMemory } from '../core/presence-seq-memory.ts';
import { HintExchange } from './hint-exchange.ts';
import { LinkEntry, type ChatFrame, type LinkEntryHost, type Neighbour } from './link-entry.ts';
import { PeerLink, type LinkFactory } from './peer-link.ts';
import { RefusedPeers } from './refused-peers.ts';
import { RoundScheduler } from './round-scheduler.ts';

export type { ChatFrame, Neighbour } from './link-entry.ts';

/** How long a peer that failed to connect or was pruned is left alone. */
const RETRY_AFTER_MS = 60_000;
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
 * its rolled-back offer are lost), so the first contact avoids glare on purpose. It
 * knocks at once instead (a `knock` signal: "dial me"), which the other answers with an
 * offer or "busy" within a relay round trip; the wait is only the fallback for a knock
 * that gets no answer. Without the knock, a newcomer whose wanted peers all had smaller
 * ids sat 2.5 s outside the mesh, the tail of `npm run bench:mesh`'s latency.
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
  /** Whether a neighbour's proof of work is valid for its key now (app/core/proof-of-work.ts). */
  readonly acceptsProof: (key: string, proof: ProofOfWork) => boolean;
  /** Whether we blocked this key: never linked, its dials answered "busy". */
  readonly isBlocked?: (key: string) => boolean;
  readonly sendSignal: (to: PeerId, data: JsonValue) => boolean;
  readonly now: () => number;
  readonly iceTransportPolicy?: RTCIceTransportPolicy;
  /** Makes links; WebRTC (`PeerLink`) by default, an in-memory or Node link in simulations. */
  readonly createLink?: LinkFactory;
}

const linkKeyOf = (localId: PeerId, remoteId: PeerId): string => `${localId}|${remoteId}`;

export class Mesh {
  private readonly links = new Map<string, LinkEntry>();
  /** The peers the relay lists, their ranks and backoffs, and whom we could not reach. */
  private readonly book = new CandidateBook();
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
  /** The highest presence number each key has claimed on any link (replays are refused). */
  private readonly seqs = new PresenceSeqMemory();
  /** Relay ids answered "busy" whatever our room: blocked keys, and keys without a valid proof. */
  private readonly refused = new RefusedPeers();
  /** Peers we asked to dial us, and until when we wait for their offer before dialing. */
  private readonly knocks = new Knocks();
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
      isStaleClaim: (key, seq) => this.seqs.isStale(key, seq),
      acceptsProof: options.acceptsProof,
      // Not linked: closed like a pruned link (nothing tells it why) and not dialed again soon.
      onNoProof: (entry) => this.refuseUnproven(entry),
      isBlocked: (key) => options.isBlocked?.(key) === true,
      onBlocked: (entry, key) => this.refuseBlocked(entry.link.remoteId, key),
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
    return this.book.unreachable();
  }

  /** Whether a TURN server is why peers are unreachable (see CandidateBook.turnTrouble). */
  turnTrouble(): TurnTrouble | null {
    return this.book.turnTrouble();
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
    // Knocks were for our former relay id: their answers cannot reach us.
    this.knocks.clear();
    this.setIceServers(iceServers);
    this.book.restart((peerId) => this.isLinkedTo(peerId));
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
    // A peer in another cell has moved: where it was is no guide any more.
    for (const movedId of this.book.replace(peers, this.options.now())) this.hints.forget(movedId);
    this.rounds.requestRepair();
  }

  addCandidate(peer: PeerPresence): void {
    if (this.book.add(peer, this.options.now())) this.hints.forget(peer.id);
    this.rounds.requestRepair();
  }

  removeCandidate(id: PeerId): void {
    this.hints.forget(id);
    this.refused.forget(id);
    this.knocks.forget(id);
    // Someone who has left is not someone we cannot reach: the notice must stop naming them.
    if (this.book.remove(id, this.isLinkedTo(id))) this.options.events.onLinksChanged();
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
    // A blocked or unpaid-for key's dial gets the answer any full peer gives: nothing tells them why.
    if (this.refused.refuses(from, this.options.now())) {
      if (isLinkRequest(signal)) this.options.sendSignal(from, encodeLinkSignal({ kind: 'busy' }));
      return;
    }
    if (signal.kind === 'busy') {
      this.knocks.forget(from);
      entry?.link.close();
      this.book.refusedBusy(from, this.options.now());
      this.rounds.requestRepair();
      return;
    }
    if (signal.kind === 'knock') {
      this.answerKnock(from, entry);
      return;
    }
    if (entry !== undefined) {
      void entry.link.receiveSignal(data, 'relay');
      return;
    }
    // Only an offer starts a link (the dialer sends it before any candidate). Anything else
    // for a link we do not have is left over from one that closed: an answer or candidates
    // still on their way. Made into a new link, it would take a place and fail 20 s later.
    if (signal.kind !== 'description' || signal.type !== 'offer') return;
    if (this.answeredBusy(from)) return;
    // The answer to our knock is a link we asked for: ours to prune, as if we had dialed.
    const isOurKnock = this.knocks.answeredBy(from, this.options.now());
    void this.openLink(from, isOurKnock).link.receiveSignal(data, 'relay');
  }

  /** At the hard cap with no room to make for voice: `from`'s request (offer or knock) is answered "busy". */
  private answeredBusy(from: PeerId): boolean {
    if (this.links.size < this.hardCap || this.makeRoomForVoice(from)) return false;
    this.options.sendSignal(from, encodeLinkSignal({ kind: 'busy' }));
    return true;
  }

  /**
   * A peer with a larger relay id asks us to dial it: taken like its offer would be (room
   * up to the hard cap, else busy), but we make the offer, so there is no glare. The link
   * is the knocker's (it wanted it): ours to keep or close like any link a peer opened.
   */
  private answerKnock(from: PeerId, entry: LinkEntry | undefined): void {
    const localId = this.localId;
    if (localId === null || entry !== undefined || !(from > localId)) return;
    if (this.answeredBusy(from)) return;
    this.openLink(from, false);
  }

  /**
   * The page woke up: links lost meanwhile are replaced now (a repair round) rather than
   * at the next periodic round. After a network change (`online`) every open link also
   * restarts ICE, so it finds its way over the new network and keeps its place.
   */
  wake(isNetworkChange: boolean): void {
    if (isNetworkChange) for (const entry of this.links.values()) if (entry.link.state === 'open') entry.link.restartIce?.();
    this.rounds.requestRepair();
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
    this.knocks.clear();
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
      isSameCell: this.book.homeOf(entry.link.remoteId) === this.myHome,
      rank: this.book.rankOf(entry.link.remoteId),
      isDialed: entry.isDialed,
      ageMs: nowMs - entry.openedAtMs,
    }));
    const linkedIds = new Set(links.map((link) => link.id));
    const candidates: PeerView<PeerId>[] = [];
    let nextCheckMs = Number.POSITIVE_INFINITY;
    for (const [id, home] of this.book.listed()) {
      if (linkedIds.has(id)) continue;
      const heldUntilMs = this.book.heldUntil(id);
      if (heldUntilMs > nowMs) {
        nextCheckMs = Math.min(nextCheckMs, heldUntilMs);
        continue;
      }
      candidates.push({ id, place: this.hints.placeOf(id), isSameCell: home === this.myHome, rank: this.book.rankOf(id) });
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
      this.book.holdOff(id, nowMs + RETRY_AFTER_MS);
      entry?.link.close();
    }
    if (decision.explored !== null) {
      this.nextExploreAtMs = nowMs + this.exploreEveryMs;
      this.exploreEveryMs = Math.min(EXPLORE_MAX_MS, this.exploreEveryMs * 2);
    }
    for (const id of decision.dial) {
      const yieldUntilMs = id < localId ? (this.book.firstSeenAt(id) ?? nowMs) + DIAL_YIELD_MS : 0;
      if (yieldUntilMs > nowMs) {
        nextCheckMs = Math.min(nextCheckMs, yieldUntilMs);
        if (this.knocks.note(id, yieldUntilMs)) this.options.sendSignal(id, encodeLinkSignal({ kind: 'knock' }));
      } else {
        this.knocks.forget(id);
        this.openLink(id, true);
      }
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
    this.book.holdOff(victim.link.remoteId, this.options.now() + RETRY_AFTER_MS);
    victim.link.close();
    return true;
  }

  /** We blocked `key`: its links close now (as after a prune; it is not told), and stay closed. */
  block(key: string): void {
    for (const entry of [...this.links.values()]) {
      if (entry.presence?.key === key) this.refuseBlocked(entry.link.remoteId, key);
    }
  }

  /** We unblocked `key`: its relay ids may be dialed and may dial us again. */
  unblock(key: string): void {
    for (const id of this.refused.unblock(key)) this.book.holdOff(id, 0);
    this.rounds.requestRepair();
  }

  private refuseBlocked(remoteId: PeerId, key: string): void {
    this.refused.block(remoteId, key);
    this.book.holdOff(remoteId, Number.POSITIVE_INFINITY);
    const entry = this.localId === null ? undefined : this.links.get(linkKeyOf(this.localId, remoteId));
    entry?.link.close();
  }

  /** A key without a valid proof: its link closes as after a prune, and its dials are refused for as long. */
  private refuseUnproven(entry: LinkEntry): void {
    const nowMs = this.options.now();
    this.refused.refuseUnproven(entry.link.remoteId, nowMs, nowMs + RETRY_AFTER_MS);
    this.dropPeer(entry);
  }

  /** Closes a link we will not keep and leaves its peer alone for a while, as after a prune. */
  private dropPeer(entry: LinkEntry): void {
    this.book.holdOff(entry.link.remoteId, this.options.now() + RETRY_AFTER_MS);
    entry.link.close();
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
          this.book.linkOpened(remoteId);
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
    const remoteId = entry.link.remoteId;
    if (state === 'failed') this.book.linkFailed(remoteId, turnTrouble, this.options.now() + RETRY_AFTER_MS);
    if (this.book.linkGone(remoteId) && entry.place !== null) this.hints.rememberFormerLink(remoteId, entry.place);
    if (entry.presence !== null) this.options.events.onNeighbourGone(entry.key);
    this.options.events.onLinksChanged();
    this.hints.schedule();
    this.rounds.requestRepair();
  }

  /** A neighbour's claim was taken; its first one may show the link to be a duplicate. */
  private takePresence(entry: LinkEntry, neighbour: Neighbour, isFirstClaim: boolean): void {
    this.seqs.remember(neighbour.presence.key, neighbour.presence.seq);
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
   * Two links to one key. A person who came back (a reload, a page reopened: a new relay
   * id, and a claim numbered above everything its old link said) replaces the old link's
   * entry: that link belongs to a page that is gone. Otherwise it is one page reached
   * under two relay ids after a relay reconnect, and both ends keep the link whose pair
   * of relay ids sorts first.
   */
  private closeIfDuplicate(entry: LinkEntry): boolean {
    const pairOf = (candidate: LinkEntry): string => [candidate.link.localId, candidate.link.remoteId].sort().join('|');
    for (const other of this.links.values()) {
      if (other === entry || other.presence?.key !== entry.presence?.key) continue;
      const isRejoin = other.presence !== null && entry.presence !== null && entry.presence.seq > other.presence.seq;
      const loser = isRejoin || pairOf(entry) < pairOf(other) ? other : entry;
      loser.link.close();
      return loser === entry;
    }
    return false;
  }
}

/** Signals that ask us for a link: an offer, or a knock. */
function isLinkRequest(signal: LinkSignal): boolean {
  return signal.kind === 'knock' || (signal.kind === 'description' && signal.type === 'offer');
}
