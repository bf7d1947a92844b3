/**
 * The world simulated peers live in: a relay (the in-process hub, or the real relay over
 * `ws`), a transport for links (in-memory, or WebRTC through node-datachannel), and the
 * registry that counts links and frames. Owns all of them and every peer it made;
 * `dispose()` leaves nothing running.
 */

import type { ProofMaker } from '../../app/identity/proof-maker.ts';
import type { DropReason } from '../../app/core/chat-message.ts';
import type { PresenceLimits } from '../../relay/cell-index.ts';
import type { LinkFactory } from '../../app/net/peer-link.ts';
import { InProcessRelay, type RelayLatency } from './in-process-relay.ts';
import type { LinkProfile } from './link-profile.ts';
import { LinkRegistry } from './link-registry.ts';
import { MemoryNetwork } from './memory-network.ts';
import type { SimPolicy } from './node-options.ts';
import type { Random } from './prng.ts';
import { SimPeer } from './sim-peer.ts';
import { startWsRelay, type WsRelay } from './ws-relay.ts';
import { FrameTally } from './frame-tally.ts';
import { PathTracer } from './path-tracer.ts';

export type TransportKind = 'memory' | 'webrtc';
export type RelayKind = 'hub' | 'ws';

export interface SimNetworkOptions {
  readonly transport: TransportKind;
  readonly relay: RelayKind;
  readonly random: Random;
  /** The in-memory transport's behaviour (ignored for WebRTC). */
  readonly profile: LinkProfile;
  /** The in-process relay's latency (ignored for `ws`). */
  readonly relayLatency: RelayLatency;
  readonly policy: SimPolicy | null;
  /** Peers expected (sizes the `ws` relay's per-IP cap). */
  readonly expectedPeers: number;
  readonly clock?: () => number;
  /** Count frames per link and message (tests). */
  readonly isTrackingLinks?: boolean;
  /** Follow every message's path over the links (the bench's delivery breakdown). */
  readonly isTracingPaths?: boolean;
  /** Smaller crowd sizes for the in-process relay (tests of crowds with few peers). */
  readonly presenceLimits?: PresenceLimits;
}

export interface NewPeer {
  readonly index: number;
  readonly username: string;
  readonly radiusM: number;
  /** This peer's own clock (e.g. skewed); the real one when absent. */
  readonly now?: () => number;
  /** How this peer makes its own proof of work (a hostile peer's cheats); the app's way when absent. */
  readonly proofMaker?: ProofMaker;
}

const HUB_URL = 'ws://in-process.invalid/ws';

export class SimNetwork {
  readonly registry: LinkRegistry;
  /** Every message's path, when `isTracingPaths`. */
  readonly tracer: PathTracer | null;
  readonly peers = new Map<number, SimPeer>();
  readonly drops = new Map<DropReason, number>();
  readonly clock: () => number;
  private readonly createSocket: (url: string) => WebSocket;
  private readonly relayUrl: string;
  private readonly createLink: LinkFactory;
  private isDisposed = false;

  private constructor(
    private readonly options: SimNetworkOptions,
    private readonly hub: InProcessRelay | null,
    private readonly wsRelay: WsRelay | null,
    private readonly memory: MemoryNetwork | null,
    createLink: LinkFactory,
  ) {
    this.clock = options.clock ?? (() => performance.now());
    this.tracer = options.isTracingPaths === true ? new PathTracer(this.clock) : null;
    this.registry = new LinkRegistry(new FrameTally({ isTrackingLinks: options.isTrackingLinks === true }), this.tracer);
    this.createLink = createLink;
    if (hub !== null) {
      this.createSocket = hub.createSocket;
      this.relayUrl = HUB_URL;
    } else if (wsRelay !== null) {
      this.createSocket = wsRelay.createSocket;
      this.relayUrl = wsRelay.url;
    } else {
      throw new Error('a simulated network needs a relay');
    }
  }

  static async start(options: SimNetworkOptions): Promise<SimNetwork> {
    const hub = options.relay === 'hub' ? new InProcessRelay(options.random.fork('relay'), options.relayLatency, options.presenceLimits) : null;
    const wsRelay = options.relay === 'ws' ? await startWsRelay(options.expectedPeers) : null;
    if (options.transport === 'memory') {
      const memory = new MemoryNetwork({ profile: options.profile, random: options.random.fork('links') });
      return new SimNetwork(options, hub, wsRelay, memory, memory.createLink);
    }
    // Loaded only when asked for: the native module starts threads.
    const { createWebRtcLink } = await import('./webrtc-transport.ts');
    return new SimNetwork(options, hub, wsRelay, null, createWebRtcLink);
  }

  /** Makes a peer (connected to the relay at once; it arrives with `moveTo`). */
  addPeer(spec: NewPeer): SimPeer {
    if (this.isDisposed) throw new Error('the simulated network is disposed');
    if (this.peers.has(spec.index)) throw new Error(`peer ${spec.index} exists`);
    const peer = new SimPeer({
      index: spec.index,
      username: spec.username,
      radiusM: spec.radiusM,
      policy: this.options.policy,
      clock: this.clock,
      wiring: {
        relayUrl: this.relayUrl,
        createSocket: this.createSocket,
        createLink: this.registry.factoryFor(spec.index, this.createLink),
        ...(spec.now === undefined ? {} : { now: spec.now }),
        ...(spec.proofMaker === undefined ? {} : { proofMaker: spec.proofMaker }),
      },
      onDrop: (reason) => this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1),
    });
    this.peers.set(spec.index, peer);
    return peer;
  }

  /** The in-process relay's hub (null with the `ws` relay). */
  get relayHub(): InProcessRelay['hub'] | null {
    return this.hub?.hub ?? null;
  }

  /** The real relay, when the network runs on one (`relay: 'ws'`): to restart it, and its socket traces. */
  get realRelay(): WsRelay | null {
    return this.wsRelay;
  }

  /** Frames the relay received from and sent to peers. */
  relayFrames(): { readonly in: number; readonly out: number } {
    const metrics = this.hub?.metrics ?? this.wsRelay?.relay.metrics;
    if (metrics === undefined) return { in: 0, out: 0 };
    const sum = (text: string, name: string): number =>
      text
        .split('\n')
        .filter((line) => line.startsWith(name))
        .reduce((total, line) => total + Number(line.split(' ').at(-1)), 0);
    const rendered = metrics.render();
    return { in: sum(rendered, 'neartalk_frames_in_total'), out: sum(rendered, 'neartalk_frames_out_total') };
  }

  /** Every peer leaves; relay and transport stop. Idempotent. */
  async dispose(): Promise<void> {
    if (this.isDisposed) return;
    this.isDisposed = true;
    for (const peer of this.peers.values()) peer.leave();
    this.memory?.dispose();
    this.hub?.dispose();
    await this.wsRelay?.close();
    if (this.options.transport === 'webrtc') {
      const { shutDownWebRtc } = await import('./webrtc-transport.ts');
      await shutDownWebRtc();
    }
  }
}
