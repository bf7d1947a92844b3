/**
 * One NearTalk peer without a screen: its session key, the relay connection, the mesh
 * of direct links and the chat router, wired together. The browser session adds
 * location, voice and the UI state on top; the mesh simulation runs many of these in
 * one Node process with other transports. Same code either way.
 */

import type { ChatMessage, DropReason, UnsignedChatMessage } from '../core/chat-message.ts';
import type { MeshPolicyConfig } from '../core/mesh-policy.ts';
import type { PresenceClaim } from '../core/peer-protocol.ts';
import type { WakeReason } from '../core/reconnect-policy.ts';
import { distanceBetween, homeCell, type Position } from '../core/position.ts';
import { checkProofOfWork, POW_DIFFICULTY_BITS, type ProofOfWork } from '../core/proof-of-work.ts';
import { isVisible } from '../core/visibility.ts';
import { watchPrefixes } from '../core/watch-cover.ts';
import { IdentityKeeper } from '../identity/identity-keeper.ts';
import { MemoryIdentityStore } from '../identity/identity-store.ts';
import { randomId, type SessionIdentity, verifyMessage, verifyText } from '../identity/session-identity.ts';
import { Mesh, type Neighbour } from '../net/mesh.ts';
import type { LinkFactory } from '../net/peer-link.ts';
import { SignalingClient, type SignalingState } from '../net/signaling-client.ts';
import { inlineProofMaker, type ProofMaker } from '../identity/proof-maker.ts';
import { ChatRouter } from './chat-router.ts';
import { FlagRouter } from './flag-router.ts';
import { flagPayload, type FlagReason } from '../core/flag.ts';
import { IdentityAges } from '../core/identity-ages.ts';
import { BlockList, type BlockedPerson, type SafetyRecord } from '../core/safety-record.ts';

/** Most identities whose age we track (as many as the router tracks authors). */
const MAX_KNOWN_IDENTITIES = 5_000;
import { OwnProof } from './own-proof.ts';

/** What a peer says about itself, before the sequence number and signature. */
export interface SelfDescription {
  readonly username: string;
  readonly position: Position;
  readonly radiusM: number;
  readonly inVoice: boolean;
}

export interface PeerNodeEvents {
  /** Anything shown may have changed (links, neighbours, messages, drops). */
  onChange(): void;
  onRelayState(state: SignalingState): void;
  /** A neighbour said who it is or updated it (after visibility was refreshed). */
  onNeighbourUpdated(neighbour: Neighbour): void;
  onNeighbourGone(linkKey: string): void;
  onRemoteAudio(linkKey: string, stream: MediaStream): void;
  onDrop(reason: DropReason): void;
  /** Our proof of work started, progressed, or is ready (see `PeerNode.proofProgress`). */
  onProofProgress?(): void;
  /** What must outlive a reload changed (a new proof, a block): store it with the identity. */
  onSafetyRecord?(record: SafetyRecord): void;
}

/** How this peer makes and judges proofs of work. */
export interface PeerNodeProofOptions {
  /**
   * Leading zero bits asked of every key, ours included: POW_DIFFICULTY_BITS in the app.
   * Simulations of thousands of peers lower it; the check still runs on every claim and item.
   */
  readonly difficultyBits?: number;
  /** Where ours is made: inline by default, in a Web Worker in the browser. */
  readonly maker?: ProofMaker;
}

export interface PeerNodeOptions {
  readonly relayUrl: string;
  /** Degree bounds of the link policy (app/core/mesh-policy.ts). */
  readonly policy: MeshPolicyConfig;
  /** Most people we exchange audio with (their links come first). */
  readonly voiceCap: number;
  readonly events: PeerNodeEvents;
  readonly iceTransportPolicy?: RTCIceTransportPolicy;
  /** Injectable transports (simulations): the browser's WebSocket and WebRTC by default. */
  readonly createSocket?: (url: string) => WebSocket;
  readonly createLink?: LinkFactory;
  readonly now?: () => number;
  /**
   * The identity and its stored record (the browser restores it across reloads); a new
   * identity kept in memory only by default.
   */
  readonly keeper?: IdentityKeeper;
  readonly proofs?: PeerNodeProofOptions;
  /** Kept from before a reload (the identity store): our proof, whom we blocked. */
  readonly saved?: SafetyRecord;
}

export class PeerNode {
  readonly keeper: Promise<IdentityKeeper>;
  readonly identity: Promise<SessionIdentity>;
  readonly mesh: Mesh;
  readonly router: ChatRouter;
  private readonly signaling: SignalingClient;
  private readonly now: () => number;
  private keyValue: string | null = null;
  private self: SelfDescription | null = null;
  /** Counts describeSelf calls, so one overtaken while it waited for its number gives way. */
  private describeGeneration = 0;
  private isDisposed = false;
  private lastJoin = '';
  /** linkKey → whether that neighbour is currently visible (for hysteresis). */
  private readonly visible = new Map<string, boolean>();
  private readonly unsubscribeStore: () => void;
  private readonly ownProof: OwnProof;
  /**
   * Settles once our proof of work knows our key (and has a saved proof, or is making one).
   * A description must wait for it: asked before, the proof has no key and the claim would
   * not go out, and a saved proof is never announced by itself.
   */
  private readonly proofStarted: Promise<void>;
  /** How long we can vouch for each key (flags count only from identities 2 minutes old). */
  readonly ages = new IdentityAges(MAX_KNOWN_IDENTITIES);
  readonly flags: FlagRouter;
  private readonly blocked: BlockList;
  /** Leading zero bits asked of every key's proof of work. */
  readonly difficultyBits: number;

  constructor(private readonly options: PeerNodeOptions) {
    this.now = options.now ?? (() => Date.now());
    this.keeper = options.keeper === undefined ? IdentityKeeper.open({ store: new MemoryIdentityStore(), now: this.now }) : Promise.resolve(options.keeper);
    this.identity = this.keeper.then((keeper) => keeper.identity);
    if (options.keeper !== undefined) this.keyValue = options.keeper.identity.publicKey;
    this.difficultyBits = options.proofs?.difficultyBits ?? POW_DIFFICULTY_BITS;
    const { events } = options;
    this.ownProof = new OwnProof({
      maker: options.proofs?.maker ?? inlineProofMaker,
      difficultyBits: this.difficultyBits,
      now: this.now,
      onProgress: () => events.onProofProgress?.(),
      // A renewed proof goes out in a fresh claim, so neighbours keep accepting us.
      onProof: (proof) => {
        if (this.keyValue !== null) this.ages.observe(this.keyValue, proof.windowStartMs, this.now());
        this.options.events.onSafetyRecord?.(this.safetyRecord());
        if (this.self !== null) void this.describeSelf(this.self);
      },
    });
    this.blocked = new BlockList(options.saved?.blocked ?? []);
    this.proofStarted = this.identity.then((identity) => {
      this.keyValue = identity.publicKey;
      if (!this.isDisposed) this.ownProof.start(identity.publicKey, options.saved?.proof ?? null);
    });
    this.mesh = new Mesh({
      policy: options.policy,
      voiceCap: options.voiceCap,
      now: this.now,
      signText: async (payload) => (await this.identity).signText(payload),
      verifyText,
      acceptsUsername: (key, username) => this.router.acceptsUsername(key, username),
      acceptsProof: (key, proof) => this.acceptsProof(key, proof, this.now()),
      isBlocked: (key) => this.blocked.has(key),
      sendSignal: (to, data) => this.signaling.signal(to, data),
      ...(options.iceTransportPolicy === undefined ? {} : { iceTransportPolicy: options.iceTransportPolicy }),
      ...(options.createLink === undefined ? {} : { createLink: options.createLink }),
      events: {
        onPresence: (neighbour) => this.neighbourUpdated(neighbour),
        onNeighbourGone: (linkKey) => {
          this.visible.delete(linkKey);
          this.router.forgetNeighbour(linkKey);
          this.flags.forgetNeighbour(linkKey);
          events.onNeighbourGone(linkKey);
          events.onChange();
        },
        onRemoteAudio: (linkKey, stream) => events.onRemoteAudio(linkKey, stream),
        onChatFrame: (neighbour, frame) => this.router.receive(neighbour, frame),
        onDrop: (reason) => events.onDrop(reason),
        onLinksChanged: () => events.onChange(),
      },
    });
    this.router = new ChatRouter({
      now: this.now,
      self: () => {
        const self = this.self;
        return this.keyValue === null || self === null ? null : { key: this.keyValue, position: self.position, radiusM: self.radiusM };
      },
      neighbours: () => this.mesh.neighbours(),
      sendTo: (linkKey, frame) => this.mesh.sendTo(linkKey, frame),
      verify: verifyMessage,
      acceptsProof: (key, proof, atMs) => this.acceptsProof(key, proof, atMs),
      onDrop: (reason) => events.onDrop(reason),
      onFlag: (from, flag) => this.flags.receive(from, flag),
      onBodiesSent: (to, ids) => this.flags.sendFlagsFor(to, ids),
      onAccepted: (message) => this.ages.observe(message.author, message.pow.windowStartMs, this.now()),
    });
    this.flags = new FlagRouter({
      now: this.now,
      neighbours: () => this.mesh.neighbours(),
      sendTo: (linkKey, frame) => this.mesh.sendTo(linkKey, frame),
      messageOf: (id) => this.router.store.get(id),
      acceptsProof: (key, proof, atMs) => this.acceptsProof(key, proof, atMs),
      verifyText,
      onIdentitySeen: (key, proof) => this.ages.observe(key, proof.windowStartMs, this.now()),
      onDrop: (reason) => events.onDrop(reason),
      onChange: () => events.onChange(),
    });
    this.unsubscribeStore = this.router.store.subscribe(() => events.onChange());
    this.signaling = new SignalingClient({
      url: options.relayUrl,
      now: this.now,
      ...(options.createSocket === undefined ? {} : { createSocket: options.createSocket }),
      events: {
        onState: (state) => events.onRelayState(state),
        // The signaling client re-sends our last join after a reconnect by itself.
        onWelcome: (id, iceServers) => this.mesh.setRelayIdentity(id, iceServers),
        onIceServers: (iceServers) => this.mesh.setIceServers(iceServers),
        onPeers: (peers) => this.mesh.setCandidates(peers),
        onPeerJoined: (peer) => this.mesh.addCandidate(peer),
        onPeerLeft: (id) => this.mesh.removeCandidate(id),
        onSignal: (from, data) => this.mesh.receiveSignal(from, data),
        onRelayError: (code, message) => console.warn(`relay refused a frame (${code}): ${message}`),
      },
    });
  }

  /** Our session key, once made (within the first milliseconds). */
  get key(): string | null {
    return this.keyValue;
  }

  /**
   * Until our first proof of work is made: the chance, 0..1, that it would be found by now
   * (0 before it starts). Null once we have one (renewals run unseen, the old one still valid).
   */
  get proofProgress(): number | null {
    return this.ownProof.current === null ? (this.ownProof.progress ?? 0) : null;
  }

  /** Our current proof of work, or null before the first is made (to keep across reloads). */
  get proof(): ProofOfWork | null {
    return this.ownProof.current;
  }

  /** Whether `proof` is a valid proof of work for `key` at `atMs`, at this peer's difficulty. */
  acceptsProof(key: string, proof: ProofOfWork, atMs: number): boolean {
    return checkProofOfWork(key, proof, atMs, this.difficultyBits) === 'ok';
  }

  /** What must outlive a reload: our proof and whom we blocked. */
  safetyRecord(): SafetyRecord {
    return { proof: this.ownProof.current, blocked: this.blocked.list() };
  }

  /** People we blocked, in the order we blocked them. */
  blockedPeople(): BlockedPerson[] {
    return this.blocked.list();
  }

  isBlocked(key: string): boolean {
    return this.blocked.has(key);
  }

  /** Blocks a person: no link to them from now on (they are not told), their items hidden by the caller. */
  block(key: string, username: string): void {
    if (key === this.keyValue || !this.blocked.block(key, username)) return;
    this.mesh.block(key);
    this.options.events.onSafetyRecord?.(this.safetyRecord());
    this.options.events.onChange();
  }

  unblock(key: string): void {
    if (!this.blocked.unblock(key)) return;
    this.mesh.unblock(key);
    this.options.events.onSafetyRecord?.(this.safetyRecord());
    this.options.events.onChange();
  }

  /** Signs and sends our flag on a message we hold (refusals are the caller's). */
  async flag(messageId: string, reason: FlagReason): Promise<void> {
    const identity = await this.identity;
    const sentAtMs = this.now();
    const pow = await this.ownProof.validAt(sentAtMs);
    const unsigned = { id: randomId(), messageId, flagger: identity.publicKey, reason, sentAtMs };
    const signature = await identity.signText(flagPayload(unsigned));
    if (!this.isDisposed) this.flags.publish({ ...unsigned, pow, signature });
  }

  /** Whether a neighbour is in mutual range now (with hysteresis at the edge). */
  isVisible(linkKey: string): boolean {
    return this.visible.get(linkKey) === true;
  }

  /**
   * Says who and where we are: a new signed claim to every neighbour, the relay's cells
   * re-joined if they changed, visibility re-judged. Call after any change of `self`.
   */
  async describeSelf(self: SelfDescription): Promise<void> {
    const generation = ++this.describeGeneration;
    const keeper = await this.keeper;
    this.self = self;
    await this.proofStarted;
    // Nobody links to us without it: we are not announced until it is made.
    const pow = await this.proofOrNull(this.now());
    // Disposed meanwhile: a claim now would revive the mesh's timers. Overtaken by a newer
    // description: that one goes out, with a larger number.
    if (this.isDisposed || pow === null || generation !== this.describeGeneration) return;
    const seq = await keeper.nextPresenceSeq();
    if (this.isDisposed || generation !== this.describeGeneration) return;
    const claim: Omit<PresenceClaim, 'signature'> = { key: keeper.identity.publicKey, seq, ...self, pow };
    this.mesh.setSelf(claim, homeCell(self.position));
    this.joinCells(self);
    for (const neighbour of this.mesh.neighbours()) this.refreshVisibility(neighbour);
    this.options.events.onChange();
  }

  /**
   * The page woke up (see WakeReason): the relay is called at once (or asked whether it
   * is still there), lost links are replaced, and after a network change links restart ICE.
   */
  wake(reason: WakeReason): void {
    if (this.isDisposed) return;
    this.signaling.wake();
    this.mesh.wake(reason === 'online');
  }

  /** Signs and sends our message (refusals are the caller's, see `ChatRouter.canPublish`). */
  async publish(draft: Omit<UnsignedChatMessage, 'author' | 'id' | 'pow'>): Promise<ChatMessage> {
    const identity = await this.identity;
    const pow = await this.ownProof.validAt(draft.sentAtMs);
    const message = await identity.sign({ id: randomId(), ...draft, pow });
    // Disposed while signing: nothing is stored or sent (the store's timer would outlive us).
    if (!this.isDisposed) this.router.publish(message);
    return message;
  }

  /** Closes the relay connection and every link, clears every timer. */
  dispose(): void {
    this.isDisposed = true;
    this.ownProof.dispose();
    this.signaling.dispose();
    this.mesh.dispose();
    this.unsubscribeStore();
    this.router.dispose();
    this.flags.dispose();
    this.visible.clear();
  }

  private async proofOrNull(atMs: number): Promise<ProofOfWork | null> {
    try {
      return await this.ownProof.validAt(atMs);
    } catch (err: unknown) {
      if (!this.isDisposed) console.warn('no proof of work for our claim:', err instanceof Error ? err.message : String(err));
      return null;
    }
  }

  private joinCells(self: SelfDescription): void {
    const home = homeCell(self.position);
    const watch = watchPrefixes(self.position, self.radiusM);
    const join = `${home} ${watch.join(',')}`;
    if (join === this.lastJoin) return;
    this.lastJoin = join;
    this.signaling.join(home, watch);
  }

  private neighbourUpdated(neighbour: Neighbour): void {
    this.ages.observe(neighbour.presence.key, neighbour.presence.pow.windowStartMs, this.now());
    const wasVisible = this.visible.get(neighbour.linkKey);
    this.refreshVisibility(neighbour);
    this.options.events.onNeighbourUpdated(neighbour);
    this.options.events.onChange();
    // A neighbour met for the first time, or coming into range, gets the history it may see.
    if (wasVisible === undefined || (!wasVisible && this.visible.get(neighbour.linkKey) === true)) {
      this.router.sendHistory(neighbour);
    }
  }

  private refreshVisibility(neighbour: Neighbour): void {
    const self = this.self;
    if (self === null) return;
    const distance = distanceBetween(self.position, neighbour.presence.position);
    const wasVisible = this.visible.get(neighbour.linkKey) ?? false;
    this.visible.set(neighbour.linkKey, isVisible(distance, self.radiusM, neighbour.presence.radiusM, wasVisible));
  }
}
