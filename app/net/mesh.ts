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
import { PeerLink } from './peer-link.ts';

/** Default number of direct links a peer opens itself. */
export const DEFAULT_LINK_BUDGET = 16;
/** How long a peer that said "busy" or failed to connect is left alone. */
const RETRY_AFTER_MS = 60_000;

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
  onChatFrame(neighbour: Neighbour, frame: Extract<PeerFrame, { type: 'chat' | 'history' }>): void;
  /** Something a neighbour sent was dropped. */
  onDrop(reason: DropReason): void;
  /** The number of links or unreachable peers changed. */
  onLinksChanged(): void;
}

export interface MeshOptions {
  readonly budget: number;
  readonly events: MeshEvents;
  /** Signs presence payload text with the session key. */
  readonly signText: (payload: string) => Promise<string>;
  readonly verifyText: (key: string, payload: string, signature: string) => Promise<boolean>;
  readonly sendSignal: (to: PeerId, data: JsonValue) => boolean;
  readonly now: () => number;
  readonly iceTransportPolicy?: RTCIceTransportPolicy;
}

interface LinkEntry {
  readonly key: string;
  readonly link: PeerLink;
  presence: PresenceClaim | null;
}

const linkKeyOf = (localId: PeerId, remoteId: PeerId): string => `${localId}|${remoteId}`;

export class Mesh {
  private readonly links = new Map<string, LinkEntry>();
  /** Present peers the relay told us about, by relay id → home cell. */
  private readonly candidates = new Map<PeerId, string>();
  /** Relay ids not to dial before the given time (busy, or failed). */
  private readonly backoffUntil = new Map<PeerId, number>();
  private readonly unreachableIds = new Set<PeerId>();
  private localId: PeerId | null = null;
  private iceServers: readonly IceServer[] = [];
  private myHome = '';
  private myClaim: Omit<PresenceClaim, 'signature'> | null = null;

  constructor(private readonly options: MeshOptions) {
    if (!Number.isInteger(options.budget) || options.budget < 1) throw new TypeError('budget must be a positive integer');
  }

  /** Links opened or accepted beyond the budget are refused past this many. */
  get hardCap(): number {
    return Math.max(this.options.budget * 2, this.options.budget + 4);
  }

  /** Number of open links. */
  get openLinkCount(): number {
    return [...this.links.values()].filter((entry) => entry.link.state === 'open').length;
  }

  /** Relay ids of peers we could not connect to directly. */
  unreachable(): PeerId[] {
    return [...this.unreachableIds];
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
    this.iceServers = iceServers;
    this.candidates.clear();
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
    for (const peer of peers) this.candidates.set(peer.id, peer.home);
    this.dial();
  }

  addCandidate(peer: PeerPresence): void {
    this.candidates.set(peer.id, peer.home);
    this.dial();
  }

  removeCandidate(id: PeerId): void {
    // The relay losing sight of a peer says nothing about our direct link to it.
    this.candidates.delete(id);
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
    void this.openLink(from).link.receiveSignal(data);
  }

  /** Sends a frame to one neighbour; false if its link cannot take it now. */
  sendTo(linkKey: string, frame: PeerFrame): boolean {
    const entry = this.links.get(linkKey);
    return entry !== undefined && entry.link.send(JSON.stringify(frame));
  }

  /** Closes every link. */
  dispose(): void {
    for (const entry of [...this.links.values()]) entry.link.close();
    this.links.clear();
  }

  /** Opens links to candidates, same home cell first, while under the budget. */
  private dial(): void {
    if (this.localId === null || this.myClaim === null) return;
    const nowMs = this.options.now();
    const linkedIds = new Set([...this.links.values()].map((entry) => entry.link.remoteId));
    const ordered = [...this.candidates.entries()].sort(
      ([, homeA], [, homeB]) => Number(homeB === this.myHome) - Number(homeA === this.myHome),
    );
    for (const [id] of ordered) {
      if (this.links.size >= this.options.budget) return;
      if (linkedIds.has(id) || (this.backoffUntil.get(id) ?? 0) > nowMs) continue;
      this.openLink(id);
    }
  }

  private openLink(remoteId: PeerId): LinkEntry {
    const localId = this.localId;
    if (localId === null) throw new Error('openLink before the relay gave us an id');
    const key = linkKeyOf(localId, remoteId);
    const link = new PeerLink({
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
      onFrame: (text) => void this.receiveFrame(entry, text),
      onClose: (state) => this.forget(entry, state),
    });
    const entry: LinkEntry = { key, link, presence: null };
    this.links.set(key, entry);
    return entry;
  }

  private forget(entry: LinkEntry, state: 'failed' | 'closed'): void {
    if (this.links.get(entry.key) !== entry) return;
    this.links.delete(entry.key);
    if (state === 'failed') {
      this.unreachableIds.add(entry.link.remoteId);
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
        this.options.events.onChatFrame({ linkKey: entry.key, remoteId: entry.link.remoteId, presence: entry.presence }, frame);
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
