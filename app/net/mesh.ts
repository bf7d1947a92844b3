/**
 * The set of direct links: whom to dial (nearest cells first, within a budget), whom to
 * accept, who said what about themselves, and which links to drop. Chat logic lives
 * elsewhere (`chat-router.ts`); this file only moves frames.
 */

import { encodeLinkSignal, parseLinkSignal } from '../core/link-signal.ts';
import type { JsonValue } from '../core/json.ts';
import { parsePeerFrame, presencePayload, PEER_PROTOCOL_VERSION, type PeerFrame, type PresenceClaim } from '../core/peer-protocol.ts';
import type { IceServer, PeerId, PeerPresence } from '../core/protocol.ts';
import type { DropReason } from '../core/chat-message.ts';
import type { TurnTrouble } from '../core/turn-trouble.ts';
import { PeerLink, type LinkFactory, type MeshLink } from './peer-link.ts';

/** Default number of direct links a peer opens itself. */
export const DEFAULT_LINK_BUDGET = 16;
/** How long a peer that said "busy" or failed to connect is left alone. */
const RETRY_AFTER_MS = 60_000;
/**
 * How long the peer with the larger relay id waits for the other to dial before dialing
 * itself. Both dialing at once is handled by perfect negotiation, but Chromium then
 * sometimes never emits ICE candidates for the polite side's answer (the candidates of
 * its rolled-back offer are lost), so the first contact avoids glare on purpose.
 */
const DIAL_YIELD_MS = 2_500;

/** One direct neighbour, once it has said who it is. */
export interface Neighbour {
  readonly linkKey: string;
  readonly remoteId: PeerId;
  readonly presence: PresenceClaim;
}

export interface MeshEvents {
  /** A neighbour said who it is, or updated it (position, radius, name). */
  onPresence(neighbour: Neighbour): void;
  /** A neighbour's link closed (or was dropped as a duplicate). */
  onNeighbourGone(linkKey: string): void;
  /** A chat or history frame from a neighbour. */
  onChatFrame(neighbour: Neighbour, frame: Extract<PeerFrame, { type: 'chat' | 'history' }>): Promise<void>;
  /** Something a neighbour sent was dropped. */
  onDrop(reason: DropReason): void;
  /** The number of links or unreachable peers changed. */
  onLinksChanged(): void;
  /** Audio from a neighbour arrived on its link. */
  onRemoteAudio(linkKey: string, stream: MediaStream): void;
}

export interface MeshOptions {
  readonly budget: number;
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

interface LinkEntry {
  readonly key: string;
  readonly link: MeshLink;
  presence: PresenceClaim | null;
  /**
   * Frames are handled one after another: a presence claim is verified (asynchronously)
   * before the chat frames sent after it are judged against it.
   */
  /** We dialed this link (it counts against our budget); false for links the peer opened. */
  readonly isDialed: boolean;
  queue: Promise<void>;
  queuedFrames: number;
  /**
   * Frames for this neighbour held back until our first presence claim (signed
   * asynchronously) has gone out, so the neighbour always knows who we are before it
   * judges our chat; null once it has.
   */
  outbox: string[] | null;
}

/** Frames waiting on one link before further ones are dropped (a flood must not grow memory). */
const MAX_QUEUED_FRAMES = 1_000;
/** Frames held for a neighbour until our presence is out (history is sent in chunks of 20). */
const MAX_OUTBOX_FRAMES = 100;

const linkKeyOf = (localId: PeerId, remoteId: PeerId): string => `${localId}|${remoteId}`;

export class Mesh {
  private readonly links = new Map<string, LinkEntry>();
  /** Present peers the relay told us about, by relay id → home cell. */
  private readonly candidates = new Map<PeerId, string>();
  /** Relay ids not to dial before the given time (busy, or failed). */
  private readonly backoffUntil = new Map<PeerId, number>();
  /** Peers we could not connect to, and whether a TURN server was why (null: not that we can tell). */
  private readonly unreachableIds = new Map<PeerId, TurnTrouble | null>();
  /** When each candidate was first heard of (for DIAL_YIELD_MS). */
  private readonly firstSeenAt = new Map<PeerId, number>();
  private dialTimer: ReturnType<typeof setTimeout> | undefined;
  private dialTimerDueMs = Number.POSITIVE_INFINITY;
  private localId: PeerId | null = null;
  private iceServers: readonly IceServer[] = [];
  private myHome = '';
  private myClaim: Omit<PresenceClaim, 'signature'> | null = null;

  constructor(private readonly options: MeshOptions) {
    if (!Number.isInteger(options.budget) || options.budget < 1) throw new TypeError('budget must be a positive integer');
  }

  /**
   * Most links, dialed and accepted together. We dial up to the budget ourselves; accepting
   * up to twice that leaves room for newcomers, whose dials would otherwise all be refused
   * once everyone is at the budget (the overlay would split).
   */
  get hardCap(): number {
    return this.options.budget * 2;
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
      if (entry.presence !== null && entry.link.state === 'open') {
        result.push({ linkKey: entry.key, remoteId: entry.link.remoteId, presence: entry.presence });
      }
    }
    return result;
  }

  /** The relay gave us an id (first time or after a reconnect); old links keep theirs. */
  setRelayIdentity(id: PeerId, iceServers: readonly IceServer[]): void {
    this.localId = id;
    this.setIceServers(iceServers);
    this.candidates.clear();
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
    for (const entry of this.links.values()) if (entry.link.state === 'open') void this.sendPresence(entry);
  }

  /** The relay's answer to a join: the present peers in our cells. */
  setCandidates(peers: readonly PeerPresence[]): void {
    this.candidates.clear();
    for (const peer of peers) this.rememberCandidate(peer);
    this.dial();
  }

  addCandidate(peer: PeerPresence): void {
    this.rememberCandidate(peer);
    this.dial();
  }

  removeCandidate(id: PeerId): void {
    // The relay losing sight of a peer says nothing about our direct link to it.
    this.candidates.delete(id);
    this.firstSeenAt.delete(id);
  }

  private rememberCandidate(peer: PeerPresence): void {
    this.candidates.set(peer.id, peer.home);
    if (!this.firstSeenAt.has(peer.id)) this.firstSeenAt.set(peer.id, this.options.now());
  }

  /** A relay signal from `from`: for an existing link, a new incoming link, or a refusal. */
  receiveSignal(from: PeerId, data: JsonValue): void {
    if (this.localId === null) return;
    const entry = this.links.get(linkKeyOf(this.localId, from));
    const signal = parseLinkSignal(data);
    if (signal === null) return;
    if (signal.kind === 'busy') {
      entry?.link.close();
      this.backoffUntil.set(from, this.options.now() + RETRY_AFTER_MS);
      this.dial();
      return;
    }
    if (entry !== undefined) {
      void entry.link.receiveSignal(data);
      return;
    }
    if (this.links.size >= this.hardCap) {
      this.options.sendSignal(from, encodeLinkSignal({ kind: 'busy' }));
      return;
    }
    void this.openLink(from, false).link.receiveSignal(data);
  }

  /** Sends a frame to one neighbour; false if its link cannot take it now. */
  sendTo(linkKey: string, frame: PeerFrame): boolean {
    const entry = this.links.get(linkKey);
    if (entry === undefined) return false;
    if (entry.outbox === null) return entry.link.send(JSON.stringify(frame));
    if (entry.outbox.length >= MAX_OUTBOX_FRAMES) return false;
    entry.outbox.push(JSON.stringify(frame));
    return true;
  }

  /** Sets whether (and with which microphone track) we exchange audio with one neighbour. */
  setAudio(linkKey: string, track: MediaStreamTrack | null, isExchanging: boolean): void {
    void this.links.get(linkKey)?.link.setAudio(track, isExchanging);
  }

  /** Closes every link and clears the dial timer. */
  dispose(): void {
    clearTimeout(this.dialTimer);
    this.dialTimer = undefined;
    this.localId = null;
    for (const entry of [...this.links.values()]) entry.link.close();
    this.links.clear();
  }

  /**
   * Opens links to candidates in the relay's order (same home cell first), while under
   * the budget. The budget counts only links we dialed: a peer filled up by newcomers'
   * dials still reaches out on its own, or two groups could each close into a full
   * triangle and never meet. A candidate we are yielding to keeps its place in the order
   * (its slot is held) rather than letting later candidates jump ahead, for the same
   * reason. Accepted links are bounded by the hard cap.
   */
  private dial(): void {
    const localId = this.localId;
    if (localId === null || this.myClaim === null) return;
    const nowMs = this.options.now();
    const linkedIds = new Set([...this.links.values()].map((entry) => entry.link.remoteId));
    const ordered = [...this.candidates.entries()].sort(
      ([, homeA], [, homeB]) => Number(homeB === this.myHome) - Number(homeA === this.myHome),
    );
    let slotsTaken = [...this.links.values()].filter((entry) => entry.isDialed).length;
    let nextCheckMs = Number.POSITIVE_INFINITY;
    for (const [id] of ordered) {
      if (slotsTaken >= this.options.budget || this.links.size >= this.hardCap) break;
      if (linkedIds.has(id)) continue;
      const backoffUntilMs = this.backoffUntil.get(id) ?? 0;
      if (backoffUntilMs > nowMs) {
        nextCheckMs = Math.min(nextCheckMs, backoffUntilMs);
        continue;
      }
      const yieldUntilMs = id < localId ? (this.firstSeenAt.get(id) ?? nowMs) + DIAL_YIELD_MS : 0;
      slotsTaken += 1;
      if (yieldUntilMs > nowMs) nextCheckMs = Math.min(nextCheckMs, yieldUntilMs);
      else this.openLink(id, true);
    }
    this.scheduleDial(nextCheckMs);
  }

  /** Keeps one timer for the next candidate that may be dialed later. */
  private scheduleDial(atMs: number): void {
    if (atMs === this.dialTimerDueMs) return;
    clearTimeout(this.dialTimer);
    this.dialTimer = undefined;
    this.dialTimerDueMs = atMs;
    if (atMs === Number.POSITIVE_INFINITY) return;
    this.dialTimer = setTimeout(() => {
      this.dialTimer = undefined;
      this.dialTimerDueMs = Number.POSITIVE_INFINITY;
      this.dial();
    }, Math.max(0, atMs - this.options.now()));
  }

  private openLink(remoteId: PeerId, isDialed: boolean): LinkEntry {
    const localId = this.localId;
    if (localId === null) throw new Error('openLink before the relay gave us an id');
    const key = linkKeyOf(localId, remoteId);
    const createLink = this.options.createLink ?? ((linkOptions) => new PeerLink(linkOptions));
    const link = createLink({
      localId,
      remoteId,
      iceServers: this.iceServers,
      ...(this.options.iceTransportPolicy === undefined ? {} : { iceTransportPolicy: this.options.iceTransportPolicy }),
      sendViaRelay: (data) => this.options.sendSignal(remoteId, data),
      wrapNegotiation: (data) => JSON.stringify({ type: 'negotiate', data } satisfies PeerFrame),
      onOpen: () => {
        this.unreachableIds.delete(remoteId);
        void this.sendPresence(entry);
        this.options.events.onLinksChanged();
      },
      onFrame: (text) => this.enqueueFrame(entry, text),
      onClose: (state, turnTrouble) => this.forget(entry, state, turnTrouble ?? null),
      onRemoteAudio: (stream) => this.options.events.onRemoteAudio(key, stream),
    });
    const entry: LinkEntry = { key, link, presence: null, isDialed, queue: Promise.resolve(), queuedFrames: 0, outbox: [] };
    this.links.set(key, entry);
    return entry;
  }

  private forget(entry: LinkEntry, state: 'failed' | 'closed', turnTrouble: TurnTrouble | null): void {
    if (this.links.get(entry.key) !== entry) return;
    this.links.delete(entry.key);
    if (state === 'failed') {
      this.unreachableIds.set(entry.link.remoteId, turnTrouble);
      this.backoffUntil.set(entry.link.remoteId, this.options.now() + RETRY_AFTER_MS);
    }
    if (entry.presence !== null) this.options.events.onNeighbourGone(entry.key);
    this.options.events.onLinksChanged();
    this.dial();
  }

  private async sendPresence(entry: LinkEntry): Promise<void> {
    const claim = this.myClaim;
    if (claim === null) return;
    const payload = presencePayload(claim, entry.link.localId, entry.link.remoteId);
    const signature = await this.options.signText(payload);
    entry.link.send(JSON.stringify({ type: 'presence', v: PEER_PROTOCOL_VERSION, presence: { ...claim, signature } } satisfies PeerFrame));
    const held = entry.outbox ?? [];
    entry.outbox = null;
    for (const text of held) entry.link.send(text);
  }

  private enqueueFrame(entry: LinkEntry, text: string): void {
    if (entry.queuedFrames >= MAX_QUEUED_FRAMES) {
      this.options.events.onDrop('rate-limited');
      return;
    }
    entry.queuedFrames += 1;
    entry.queue = entry.queue
      .then(() => this.receiveFrame(entry, text))
      .catch((err: unknown) => console.warn('a peer frame could not be handled:', err instanceof Error ? err.message : String(err)))
      .finally(() => {
        entry.queuedFrames -= 1;
      });
  }

  private async receiveFrame(entry: LinkEntry, text: string): Promise<void> {
    const parsed = parsePeerFrame(text);
    if (!parsed.ok) {
      this.options.events.onDrop(parsed.reason);
      return;
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case 'negotiate':
        await entry.link.receiveSignal(frame.data);
        return;
      case 'presence':
        await this.receivePresence(entry, frame.presence);
        return;
      case 'chat':
      case 'history': {
        // Chat from a link that has not said who it is yet is dropped: we cannot judge its range.
        if (entry.presence === null) return this.options.events.onDrop('malformed');
        await this.options.events.onChatFrame({ linkKey: entry.key, remoteId: entry.link.remoteId, presence: entry.presence }, frame);
        return;
      }
      default:
        frame satisfies never;
    }
  }

  private async receivePresence(entry: LinkEntry, claim: PresenceClaim): Promise<void> {
    const previous = entry.presence;
    // The key is fixed for the life of the link, and claims only move forward.
    if (previous !== null && (claim.key !== previous.key || claim.seq <= previous.seq)) return;
    const payload = presencePayload(claim, entry.link.remoteId, entry.link.localId);
    if (!(await this.options.verifyText(claim.key, payload, claim.signature))) {
      this.options.events.onDrop('bad-signature');
      return;
    }
    if (this.links.get(entry.key) !== entry) return;
    if (!this.options.acceptsUsername(claim.key, claim.username)) {
      // A fifth name: the rest of the claim (position, radius) still counts, the name does not.
      this.options.events.onDrop('username-changes');
      if (previous === null) return;
      claim = { ...claim, username: previous.username };
    }
    entry.presence = claim;
    if (previous === null && this.closeIfDuplicate(entry)) return;
    this.options.events.onPresence({ linkKey: entry.key, remoteId: entry.link.remoteId, presence: claim });
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
