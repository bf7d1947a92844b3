/**
 * The in-process transport: links that behave like PeerLink's data channel without
 * WebRTC. A link still announces itself through the relay (one offer, one answer), so the
 * other side's mesh creates its end exactly as it would for WebRTC, and the relay's rules
 * (nearby only, busy refusals, rate limits) still apply. Once both ends exist, the pair
 * opens after the profile's connect delay; frames then travel with its latency, jitter and
 * loss (retransmitted, in order: see `link-profile.ts`). A close reaches the other end
 * after the frames sent before it. A pair may be made to never open (`failRate`): each
 * end then fails after the same timeout as PeerLink.
 */

import { encodeLinkSignal, parseLinkSignal } from '../../app/core/link-signal.ts';
import type { JsonValue } from '../../app/core/json.ts';
import type { PeerId } from '../../app/core/protocol.ts';
import type { LinkFactory, LinkState, MeshLink, PeerLinkOptions } from '../../app/net/peer-link.ts';
import { checkLinkProfile, connectDelayMs, frameDelayMs, type LinkProfile } from './link-profile.ts';
import { OrderedPipe, type BusyPipes } from './ordered-pipe.ts';
import type { Random } from './prng.ts';

/** As PeerLink's CONNECT_TIMEOUT_MS: a link not open by then has failed. */
const CONNECT_TIMEOUT_MS = 20_000;

type Carried = { readonly kind: 'frame'; readonly text: string } | { readonly kind: 'close' };

/** The other end of an open link, as this end sends to it: in this thread, or in another worker. */
interface Partner {
  arrive(carried: Carried): void;
  /** The partner's frames to this end need not arrive any more (this end has closed). */
  stopSending(): void;
}

/**
 * What the transport needs when peers are spread over worker threads (`sim-worker.ts`):
 * where each relay id's peer lives and an ordered channel to each other worker. A pair of
 * ends is matched by the worker of the smaller relay id; frames cross as messages after
 * the sending end's pipe has applied the profile (latency, loss, head-of-line blocking).
 */
export interface LinkBridge {
  /** This thread's worker number. */
  readonly self: number;
  /** The worker holding `relayId`'s peer, or undefined when not known (taken as this one). */
  workerOf(relayId: string): number | undefined;
  /** Posts to another worker; messages to one worker arrive in the order posted. */
  post(worker: number, message: BridgeMessage): void;
}

/** Between workers: register an end with the matcher, withdraw it, open it, carry frames and closes. */
export type BridgeMessage =
  | { readonly kind: 'end'; readonly endId: number; readonly localId: string; readonly remoteId: string }
  | { readonly kind: 'gone'; readonly endId: number }
  | { readonly kind: 'open'; readonly endId: number; readonly partnerEndId: number }
  | { readonly kind: 'frame'; readonly endId: number; readonly text: string }
  | { readonly kind: 'close'; readonly endId: number };

/** An end in another worker, as its matcher or its open partner sees it. */
class RemoteEnd implements Partner {
  state: 'connecting' | 'closed' = 'connecting';
  constructor(
    readonly localId: string,
    readonly remoteId: string,
    readonly worker: number,
    readonly endId: number,
    private readonly bridge: LinkBridge,
  ) {}

  arrive(carried: Carried): void {
    this.bridge.post(this.worker, carried.kind === 'frame' ? { kind: 'frame', endId: this.endId, text: carried.text } : { kind: 'close', endId: this.endId });
  }

  stopSending(): void {
    // Its pipe lives in its own worker; frames it still sends find this end closed.
  }
}

type WaitingEnd = MemoryLink | RemoteEnd;

export interface MemoryNetworkOptions {
  readonly profile: LinkProfile;
  readonly random: Random;
  readonly connectTimeoutMs?: number;
  /** Peers spread over worker threads: how to reach ends in other workers. */
  readonly bridge?: LinkBridge;
}

class MemoryLink implements MeshLink, Partner {
  readonly localId: PeerId;
  readonly remoteId: PeerId;
  private stateValue: LinkState = 'connecting';
  private partner: Partner | null = null;
  /** The worker this end registered with as waiting for its partner (null: this one). */
  registeredWith: number | null = null;
  private hasSignalled = false;
  /** Frames from this end to the partner; outlives this end until its close has arrived. */
  readonly outbound: OrderedPipe<Carried>;
  private readonly connectTimer: ReturnType<typeof setTimeout>;

  constructor(
    private readonly options: PeerLinkOptions,
    private readonly network: MemoryNetwork,
    connectTimeoutMs: number,
    /** Unique in this network: how another worker names this end. */
    readonly endId: number,
  ) {
    this.localId = options.localId;
    this.remoteId = options.remoteId;
    this.outbound = new OrderedPipe((carried) => this.partner?.arrive(carried), network.busyPipes);
    this.connectTimer = setTimeout(() => this.finish('failed'), connectTimeoutMs);
    // As PeerLink: the dialing end offers; an end made for an incoming offer only answers
    // (the mesh hands it that offer right after making it, before this microtask runs).
    queueMicrotask(() => this.sendSignal('offer'));
  }

  get state(): LinkState {
    return this.stateValue;
  }

  send(text: string): boolean {
    if (this.stateValue !== 'open' || this.partner === null) return false;
    this.outbound.push({ kind: 'frame', text }, this.network.frameDelayMs());
    return true;
  }

  setAudio(): Promise<void> {
    return Promise.resolve();
  }

  receiveSignal(data: JsonValue): Promise<void> {
    const signal = parseLinkSignal(data);
    if (signal?.kind === 'description' && signal.type === 'offer') this.sendSignal('answer');
    return Promise.resolve();
  }

  close(): void {
    if (this.stateValue === 'closed' || this.stateValue === 'failed') return;
    const wasOpen = this.stateValue === 'open';
    this.finish('closed');
    if (wasOpen) this.outbound.push({ kind: 'close' }, this.network.frameDelayMs());
    else this.outbound.dispose();
  }

  /** Both ends exist and the connect delay has passed. */
  open(partner: Partner): void {
    if (this.stateValue !== 'connecting') return;
    clearTimeout(this.connectTimer);
    this.partner = partner;
    this.stateValue = 'open';
    this.options.onOpen();
  }

  arrive(carried: Carried): void {
    if (carried.kind === 'close') {
      this.partner?.stopSending();
      this.finish('closed');
    } else if (this.stateValue === 'open') {
      this.options.onFrame(carried.text);
    }
  }

  stopSending(): void {
    this.outbound.dispose();
  }

  private sendSignal(type: 'offer' | 'answer'): void {
    if (this.hasSignalled || this.stateValue !== 'connecting') return;
    this.hasSignalled = true;
    this.options.sendViaRelay(encodeLinkSignal({ kind: 'description', type, sdp: 'in-memory' }));
  }

  /** Ends this side; idempotent. */
  finish(state: 'failed' | 'closed'): void {
    if (this.stateValue === 'closed' || this.stateValue === 'failed') return;
    this.stateValue = state;
    clearTimeout(this.connectTimer);
    this.network.forget(this);
    this.options.onClose(state);
  }
}

export class MemoryNetwork {
  private readonly profile: LinkProfile;
  private readonly random: Random;
  private readonly connectTimeoutMs: number;
  private readonly bridge: LinkBridge | null;
  /** Ends waiting for their partner, by `local|remote`. */
  private readonly waiting = new Map<string, WaitingEnd>();
  private readonly openTimers = new Set<ReturnType<typeof setTimeout>>();
  private readonly live = new Set<MemoryLink>();
  /** Local ends another worker may address (registered there, or open to an end there), by end id. */
  private readonly bridged = new Map<number, MemoryLink>();
  /** Ends of other workers registered here and not yet matched, by `worker:endId`. */
  private readonly remoteEnds = new Map<string, RemoteEnd>();
  private nextEndId = 1;
  /** Pipes with frames in flight (the network's shutdown stops them). */
  readonly busyPipes: BusyPipes = new Set();

  constructor(options: MemoryNetworkOptions) {
    this.profile = checkLinkProfile(options.profile);
    this.random = options.random;
    this.connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    this.bridge = options.bridge ?? null;
  }

  /** Makes in-memory links (pass as PeerNode's `createLink`). */
  readonly createLink: LinkFactory = (options) => {
    const link = new MemoryLink(options, this, this.connectTimeoutMs, this.nextEndId++);
    this.live.add(link);
    const matcher = this.matcherOf(options.localId, options.remoteId);
    if (this.bridge !== null && matcher !== this.bridge.self) {
      link.registeredWith = matcher;
      this.bridged.set(link.endId, link);
      this.bridge.post(matcher, { kind: 'end', endId: link.endId, localId: options.localId, remoteId: options.remoteId });
      return link;
    }
    this.match(link);
    return link;
  };

  /** A message from another worker's network (see `LinkBridge`). */
  receive(from: number, message: BridgeMessage): void {
    const bridge = this.bridge;
    if (bridge === null) return;
    switch (message.kind) {
      case 'end': {
        const end = new RemoteEnd(message.localId, message.remoteId, from, message.endId, bridge);
        this.remoteEnds.set(`${from}:${message.endId}`, end);
        this.match(end);
        return;
      }
      case 'gone': {
        const end = this.remoteEnds.get(`${from}:${message.endId}`);
        if (end === undefined) return;
        end.state = 'closed';
        this.remoteEnds.delete(`${from}:${message.endId}`);
        const key = `${end.localId}|${end.remoteId}`;
        if (this.waiting.get(key) === end) this.waiting.delete(key);
        return;
      }
      case 'open': {
        const link = this.bridged.get(message.endId);
        // Ended here while the matcher opened the pair: its end learns as from a close.
        if (link === undefined || link.state !== 'connecting') bridge.post(from, { kind: 'close', endId: message.partnerEndId });
        else link.open(new RemoteEnd(link.localId, link.remoteId, from, message.partnerEndId, bridge));
        return;
      }
      case 'frame':
        this.bridged.get(message.endId)?.arrive({ kind: 'frame', text: message.text });
        return;
      case 'close':
        this.bridged.get(message.endId)?.arrive({ kind: 'close' });
        return;
      default:
        message satisfies never;
    }
  }

  /** One frame's delay under the profile. */
  frameDelayMs(): number {
    return frameDelayMs(this.profile, this.random);
  }

  /** A link has ended: it no longer waits for a partner. */
  forget(link: MemoryLink): void {
    const key = `${link.localId}|${link.remoteId}`;
    if (this.waiting.get(key) === link) this.waiting.delete(key);
    this.live.delete(link);
    if (this.bridged.delete(link.endId) && link.registeredWith !== null && this.bridge !== null) {
      this.bridge.post(link.registeredWith, { kind: 'gone', endId: link.endId });
    }
  }

  /** Clears every timer and pipe; links still open are closed. */
  dispose(): void {
    for (const timer of this.openTimers) clearTimeout(timer);
    this.openTimers.clear();
    for (const link of [...this.live]) link.close();
    for (const pipe of [...this.busyPipes]) pipe.dispose();
    this.waiting.clear();
    this.bridged.clear();
    this.remoteEnds.clear();
  }

  /** The worker that pairs the ends of `a` and `b`: the one holding the smaller relay id (this one without a bridge). */
  private matcherOf(a: string, b: string): number {
    if (this.bridge === null) return 0;
    return this.bridge.workerOf(a < b ? a : b) ?? this.bridge.self;
  }

  /** Waits for `end`'s partner, or, when it is already waiting, opens the pair after the connect delay. */
  private match(end: WaitingEnd): void {
    const partner = this.waiting.get(`${end.remoteId}|${end.localId}`);
    if (partner === undefined || partner.state !== 'connecting') {
      this.waiting.set(`${end.localId}|${end.remoteId}`, end);
      return;
    }
    this.waiting.delete(`${end.remoteId}|${end.localId}`);
    // A pair that is never to open just waits: both ends time out, as a blocked path would.
    if (this.random.chance(this.profile.failRate)) return;
    const timer = setTimeout(() => {
      this.openTimers.delete(timer);
      if (end.state !== 'connecting' || partner.state !== 'connecting') return;
      this.openPair(end, partner);
    }, connectDelayMs(this.profile, this.random));
    this.openTimers.add(timer);
  }

  private openPair(a: WaitingEnd, b: WaitingEnd): void {
    if (a instanceof MemoryLink && b instanceof MemoryLink) {
      a.open(b);
      b.open(a);
      return;
    }
    // The matcher always holds one end (the smaller relay id's); the other is in another worker.
    const [local, remote] = a instanceof MemoryLink ? [a, b] : [b, a];
    if (!(local instanceof MemoryLink) || !(remote instanceof RemoteEnd) || this.bridge === null) return;
    this.remoteEnds.delete(`${remote.worker}:${remote.endId}`);
    this.bridged.set(local.endId, local);
    local.open(remote);
    this.bridge.post(remote.worker, { kind: 'open', endId: remote.endId, partnerEndId: local.endId });
  }
}
