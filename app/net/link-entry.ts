/**
 * One link as the mesh holds it: the peer protocol spoken over one `MeshLink`. Frames in
 * are handled one at a time (a presence claim is verified before the chat frames after
 * it are judged); frames out are held until our own first claim has gone out; the
 * neighbour's verified claim and the hints last sent are kept here. Whether to keep the
 * link, and what to do with a claim or hints, is the mesh's call (`LinkEntryHost`).
 */

import type { DropReason } from '../core/chat-message.ts';
import type { PeerPlace } from '../core/mesh-policy.ts';
import { parsePeerFrame, presencePayload, PEER_PROTOCOL_VERSION, type PeerFrame, type PeerHint, type PresenceClaim } from '../core/peer-protocol.ts';
import type { ProofOfWork } from '../core/proof-of-work.ts';
import type { PeerId } from '../core/protocol.ts';
import type { LinkFactory, MeshLink, PeerLinkOptions } from './peer-link.ts';

/** Frames waiting on one link before further ones are dropped (a flood must not grow memory). */
const MAX_QUEUED_FRAMES = 1_000;
/** Frames held for a neighbour until our presence is out (history is sent in chunks of 20). */
const MAX_OUTBOX_FRAMES = 100;

/** One direct neighbour, once it has said who it is. */
export interface Neighbour {
  readonly linkKey: string;
  readonly remoteId: PeerId;
  readonly presence: PresenceClaim;
}

/** The frames the chat router handles. */
export type ChatFrame = Extract<PeerFrame, { type: 'chat' | 'history' | 'have' | 'want' | 'flag' }>;

/** What an entry needs from the mesh that holds it: keys, and the decisions left to the mesh. */
export interface LinkEntryHost {
  /** Signs presence payload text with the session key. */
  readonly signText: (payload: string) => Promise<string>;
  readonly verifyText: (key: string, payload: string, signature: string) => Promise<boolean>;
  /** Whether a claimed username is one this key may still use. */
  readonly acceptsUsername: (key: string, username: string) => boolean;
  /**
   * Whether a first claim on this link is older than one the same key already made (on
   * this link or an earlier one): a replayed claim of an earlier incarnation.
   */
  isStaleClaim(key: string, seq: number): boolean;
  /** Whether a claim's proof of work is valid for its key now. */
  readonly acceptsProof: (key: string, proof: ProofOfWork) => boolean;
  /** The neighbour's claim had no valid proof of work: the mesh drops the link. */
  onNoProof(entry: LinkEntry): void;
  /** Whether we blocked this key. */
  readonly isBlocked: (key: string) => boolean;
  /** The neighbour's verified claim names a key we blocked: the mesh drops the link quietly. */
  onBlocked(entry: LinkEntry, key: string): void;
  /** Whether the mesh still holds the entry: a claim verified after its link went is ignored. */
  isHeld(entry: LinkEntry): boolean;
  /** The neighbour's claim was verified and taken (its first one, or an update). */
  onPresence(entry: LinkEntry, neighbour: Neighbour, isFirstClaim: boolean): void;
  /** A neighbour that has said who it is told us about peers it is linked to. */
  onHints(entry: LinkEntry, peers: readonly PeerHint[]): void;
  onChatFrame(neighbour: Neighbour, frame: ChatFrame): Promise<void>;
  onDrop(reason: DropReason): void;
}

export interface LinkEntryOptions {
  readonly key: string;
  /** We dialed this link (ours to prune); false for links the peer opened. */
  readonly isDialed: boolean;
  readonly openedAtMs: number;
  readonly host: LinkEntryHost;
  readonly createLink: LinkFactory;
  /** Everything the link needs but its frames, which the entry speaks. */
  readonly link: Omit<PeerLinkOptions, 'onFrame' | 'wrapNegotiation'>;
}

export class LinkEntry {
  readonly key: string;
  readonly link: MeshLink;
  readonly isDialed: boolean;
  readonly openedAtMs: number;
  private readonly host: LinkEntryHost;
  private presenceValue: PresenceClaim | null = null;
  private queue: Promise<void> = Promise.resolve();
  private queuedFrames = 0;
  /**
   * Frames for this neighbour held back until our first presence claim (signed
   * asynchronously) has gone out, so the neighbour always knows who we are before it
   * judges our chat; null once it has.
   */
  private outbox: string[] | null = [];
  /** The hints we last sent on this link (JSON), so unchanged ones are not sent again. */
  private lastHints = '';

  constructor(options: LinkEntryOptions) {
    this.key = options.key;
    this.isDialed = options.isDialed;
    this.openedAtMs = options.openedAtMs;
    this.host = options.host;
    this.link = options.createLink({
      ...options.link,
      wrapNegotiation: (data) => JSON.stringify({ type: 'negotiate', data } satisfies PeerFrame),
      onFrame: (text) => this.enqueueFrame(text),
    });
  }

  /** What the neighbour said about itself, verified; null until its first claim is. */
  get presence(): PresenceClaim | null {
    return this.presenceValue;
  }

  /** Where the neighbour says it is, or null before it has said. */
  get place(): PeerPlace | null {
    const presence = this.presenceValue;
    return presence === null ? null : { position: presence.position, radiusM: presence.radiusM, inVoice: presence.inVoice };
  }

  /** The neighbour as the chat and voice code see it, or null before it has said who it is. */
  neighbour(): Neighbour | null {
    return this.presenceValue === null ? null : { linkKey: this.key, remoteId: this.link.remoteId, presence: this.presenceValue };
  }

  /** Sends a frame, or holds it until our presence is out; false if it cannot be taken now. */
  send(frame: PeerFrame): boolean {
    return this.sendText(JSON.stringify(frame));
  }

  /** Signs and sends our claim; the first one also releases the frames held until then. */
  async sendPresence(claim: Omit<PresenceClaim, 'signature'>): Promise<void> {
    // Our key's proof of work rides beside the signed claim: it is bound to the key itself.
    const payload = presencePayload(claim, this.link.localId, this.link.remoteId);
    let signature: string;
    try {
      signature = await this.host.signText(payload);
    } catch (err: unknown) {
      // Without a signed claim the neighbour cannot judge us; the next claim (a move, a
      // rename, voice) tries again. Nothing else is lost: the outbox waits.
      console.warn('our presence could not be signed:', err instanceof Error ? err.message : String(err));
      return;
    }
    this.link.send(JSON.stringify({ type: 'presence', v: PEER_PROTOCOL_VERSION, presence: { ...claim, signature } } satisfies PeerFrame));
    const held = this.outbox ?? [];
    this.outbox = null;
    for (const text of held) this.link.send(text);
  }

  /** Sends our hints for this neighbour unless they are the ones it already has. */
  sendHints(peers: readonly PeerHint[]): void {
    const text = JSON.stringify({ type: 'peers', peers } satisfies PeerFrame);
    if (text === this.lastHints || (peers.length === 0 && this.lastHints === '')) return;
    if (this.sendText(text)) this.lastHints = text;
  }

  private sendText(text: string): boolean {
    if (this.outbox === null) return this.link.send(text);
    if (this.outbox.length >= MAX_OUTBOX_FRAMES) return false;
    this.outbox.push(text);
    return true;
  }

  private enqueueFrame(text: string): void {
    if (this.queuedFrames >= MAX_QUEUED_FRAMES) {
      this.host.onDrop('rate-limited');
      return;
    }
    this.queuedFrames += 1;
    this.queue = this.queue
      .then(() => this.receiveFrame(text))
      .catch((err: unknown) => console.warn('a peer frame could not be handled:', err instanceof Error ? err.message : String(err)))
      .finally(() => {
        this.queuedFrames -= 1;
      });
  }

  private async receiveFrame(text: string): Promise<void> {
    const parsed = parsePeerFrame(text);
    if (!parsed.ok) {
      this.host.onDrop(parsed.reason);
      return;
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case 'negotiate':
        await this.link.receiveSignal(frame.data, 'channel');
        return;
      case 'presence':
        await this.receivePresence(frame.presence);
        return;
      case 'peers':
        if (this.presenceValue === null) return this.host.onDrop('unannounced');
        this.host.onHints(this, frame.peers);
        return;
      case 'chat':
      case 'history':
      case 'have':
      case 'want':
      case 'flag': {
        // Chat from a link that has not said who it is yet is dropped: we cannot judge its range.
        const neighbour = this.neighbour();
        if (neighbour === null) return this.host.onDrop('unannounced');
        await this.host.onChatFrame(neighbour, frame);
        return;
      }
      default:
        frame satisfies never;
    }
  }

  private async receivePresence(claim: PresenceClaim): Promise<void> {
    const previous = this.presenceValue;
    // The key is fixed for the life of the link, and claims only move forward.
    if (previous !== null && (claim.key !== previous.key || claim.seq <= previous.seq)) return;
    // A key without a valid proof of work is not linked: checked first, as it costs one hash.
    if (!this.host.acceptsProof(claim.key, claim.pow)) {
      this.host.onDrop('no-proof');
      if (previous === null) this.host.onNoProof(this);
      return;
    }
    // Sequence numbers keep growing across the neighbour's reloads, so an older number on
    // a new link is not a person coming back but a claim played again.
    if (previous === null && this.host.isStaleClaim(claim.key, claim.seq)) {
      this.host.onDrop('stale-presence');
      return;
    }
    const payload = presencePayload(claim, this.link.remoteId, this.link.localId);
    if (!(await this.host.verifyText(claim.key, payload, claim.signature))) {
      this.host.onDrop('bad-signature');
      return;
    }
    if (!this.host.isHeld(this)) return;
    // Blocked: not linked, and nothing on the link says why (it closes as after a prune).
    if (this.host.isBlocked(claim.key)) {
      this.host.onBlocked(this, claim.key);
      return;
    }
    if (!this.host.acceptsUsername(claim.key, claim.username)) {
      // A fifth name: the rest of the claim (position, radius) still counts, the name does not.
      this.host.onDrop('username-changes');
      if (previous === null) return;
      claim = { ...claim, username: previous.username };
    }
    this.presenceValue = claim;
    this.host.onPresence(this, { linkKey: this.key, remoteId: this.link.remoteId, presence: claim }, previous === null);
  }
}
