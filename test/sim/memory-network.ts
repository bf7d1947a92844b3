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

export interface MemoryNetworkOptions {
  readonly profile: LinkProfile;
  readonly random: Random;
  readonly connectTimeoutMs?: number;
}

class MemoryLink implements MeshLink {
  readonly localId: PeerId;
  readonly remoteId: PeerId;
  private stateValue: LinkState = 'connecting';
  private partner: MemoryLink | null = null;
  private hasSignalled = false;
  /** Frames from this end to the partner; outlives this end until its close has arrived. */
  readonly outbound: OrderedPipe<Carried>;
  private readonly connectTimer: ReturnType<typeof setTimeout>;

  constructor(
    private readonly options: PeerLinkOptions,
    private readonly network: MemoryNetwork,
    connectTimeoutMs: number,
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
  open(partner: MemoryLink): void {
    if (this.stateValue !== 'connecting') return;
    clearTimeout(this.connectTimer);
    this.partner = partner;
    this.stateValue = 'open';
    this.options.onOpen();
  }

  private arrive(carried: Carried): void {
    if (carried.kind === 'close') {
      this.partner?.outbound.dispose();
      this.finish('closed');
    } else if (this.stateValue === 'open') {
      this.options.onFrame(carried.text);
    }
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
  /** Ends waiting for their partner, by `local|remote`. */
  private readonly waiting = new Map<string, MemoryLink>();
  private readonly openTimers = new Set<ReturnType<typeof setTimeout>>();
  private readonly live = new Set<MemoryLink>();
  /** Pipes with frames in flight (the network's shutdown stops them). */
  readonly busyPipes: BusyPipes = new Set();

  constructor(options: MemoryNetworkOptions) {
    this.profile = checkLinkProfile(options.profile);
    this.random = options.random;
    this.connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  }

  /** Makes in-memory links (pass as PeerNode's `createLink`). */
  readonly createLink: LinkFactory = (options) => {
    const link = new MemoryLink(options, this, this.connectTimeoutMs);
    this.live.add(link);
    const partner = this.waiting.get(`${options.remoteId}|${options.localId}`);
    if (partner === undefined || partner.state !== 'connecting') {
      this.waiting.set(`${options.localId}|${options.remoteId}`, link);
      return link;
    }
    this.waiting.delete(`${options.remoteId}|${options.localId}`);
    // A pair that is never to open just waits: both ends time out, as a blocked path would.
    if (this.random.chance(this.profile.failRate)) return link;
    const timer = setTimeout(() => {
      this.openTimers.delete(timer);
      if (link.state !== 'connecting' || partner.state !== 'connecting') return;
      link.open(partner);
      partner.open(link);
    }, connectDelayMs(this.profile, this.random));
    this.openTimers.add(timer);
    return link;
  };

  /** One frame's delay under the profile. */
  frameDelayMs(): number {
    return frameDelayMs(this.profile, this.random);
  }

  /** A link has ended: it no longer waits for a partner. */
  forget(link: MemoryLink): void {
    const key = `${link.localId}|${link.remoteId}`;
    if (this.waiting.get(key) === link) this.waiting.delete(key);
    this.live.delete(link);
  }

  /** Clears every timer and pipe; links still open are closed. */
  dispose(): void {
    for (const timer of this.openTimers) clearTimeout(timer);
    this.openTimers.clear();
    for (const link of [...this.live]) link.close();
    for (const pipe of [...this.busyPipes]) pipe.dispose();
    this.waiting.clear();
  }
}
