/**
 * The real relay's rules (`RelayHub`: cells, nearby-only signalling, rate limits) in this
 * process, reached through WebSocket-like objects instead of sockets: thousands of peers
 * cost no file descriptors or HTTP handshakes. Each direction of a connection is an
 * ordered pipe with a small latency, as a TCP connection would be. What is left out is
 * only the socket layer of `create-relay.ts` (origin and per-IP checks, heartbeat,
 * buffered-bytes cut), which a simulation on one machine does not exercise anyway.
 */

import type { PeerId } from '../../app/core/protocol.ts';
import { isPeerId } from '../../app/core/protocol.ts';
import type { PresenceLimits } from '../../relay/cell-index.ts';
import { RelayMetrics } from '../../relay/metrics.ts';
import { RelayHub, type Client, type ClientPort } from '../../relay/relay-hub.ts';
import { DEFAULT_RELAY_OPTIONS } from '../../relay/relay-options.ts';
import { OrderedPipe, type BusyPipes } from './ordered-pipe.ts';
import type { Random } from './prng.ts';

export interface RelayLatency {
  /** One-way delay between a peer and the relay: base plus uniform extra in [0, jitter). */
  readonly latencyMs: number;
  readonly jitterMs: number;
}

export const DEFAULT_RELAY_LATENCY: RelayLatency = { latencyMs: 10, jitterMs: 5 };

type ToClient = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'close'; readonly code: number; readonly reason: string };
type ToRelay = { readonly kind: 'open' } | { readonly kind: 'text'; readonly text: string } | { readonly kind: 'close' };

/**
 * The client end of one connection: the part of the browser's WebSocket the signaling
 * client uses (`send`, `close`, `message` and `close` events).
 */
class HubSocket extends EventTarget {
  private client: Client | null = null;
  private isClosed = false;
  private readonly toRelay: OrderedPipe<ToRelay>;
  private readonly toClient: OrderedPipe<ToClient>;

  constructor(private readonly relay: InProcessRelay) {
    super();
    this.toRelay = new OrderedPipe((item) => this.arriveAtRelay(item), relay.busyPipes);
    this.toClient = new OrderedPipe((item) => this.arriveAtClient(item), relay.busyPipes);
    // The relay accepts the connection one trip later and welcomes it at once.
    this.toRelay.push({ kind: 'open' }, relay.delayMs());
  }

  /** Client → relay. */
  send(text: string): void {
    if (!this.isClosed) this.toRelay.push({ kind: 'text', text }, this.relay.delayMs());
  }

  /** The client closes; the relay learns it after the frames sent before. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.toRelay.push({ kind: 'close' }, this.relay.delayMs());
  }

  /** Tears down without any more deliveries (the relay is going away). */
  dispose(): void {
    this.isClosed = true;
    this.toRelay.dispose();
    this.toClient.dispose();
    if (this.client !== null) this.relay.hub.disconnect(this.client);
    this.client = null;
    this.relay.forget(this);
  }

  private arriveAtRelay(item: ToRelay): void {
    if (item.kind === 'close') {
      if (this.client !== null) this.relay.hub.disconnect(this.client);
      this.client = null;
      this.toClient.push({ kind: 'close', code: 1000, reason: 'closed' }, this.relay.delayMs());
      this.relay.forget(this);
      return;
    }
    if (item.kind === 'open') {
      const port: ClientPort = {
        send: (text) => this.toClient.push({ kind: 'text', text }, this.relay.delayMs()),
        close: (code, reason) => {
          if (this.client !== null) this.relay.hub.disconnect(this.client);
          this.client = null;
          this.toClient.push({ kind: 'close', code, reason }, this.relay.delayMs());
        },
      };
      const id = this.relay.newPeerId();
      // Told before the welcome is even queued: workers learn where an id lives before anyone can dial it.
      this.relay.onConnected?.(this as unknown as WebSocket, id);
      this.client = this.relay.hub.connect(id, port);
      return;
    }
    if (this.client !== null) this.relay.hub.receive(this.client, item.text);
  }

  private arriveAtClient(item: ToClient): void {
    if (item.kind === 'close') {
      this.isClosed = true;
      this.relay.forget(this);
      // Node 20 has no CloseEvent; the signaling client reads neither code nor reason.
      this.dispatchEvent(new Event('close'));
      return;
    }
    if (!this.isClosed) this.dispatchEvent(new MessageEvent('message', { data: item.text }));
  }
}

export class InProcessRelay {
  readonly metrics = new RelayMetrics(() => ({}));
  readonly hub: RelayHub;
  readonly busyPipes: BusyPipes = new Set();
  private readonly sockets = new Set<HubSocket>();
  /** Called when a connection is given its relay id (the worker-thread runner maps ids to workers). */
  onConnected: ((socket: WebSocket, id: PeerId) => void) | null = null;

  private readonly idRandom: Random;

  constructor(
    private readonly random: Random,
    private readonly latency: RelayLatency = DEFAULT_RELAY_LATENCY,
    presenceLimits?: PresenceLimits,
  ) {
    this.idRandom = random.fork('relay-ids');
    this.hub = new RelayHub(
      { ...DEFAULT_RELAY_OPTIONS, now: () => performance.now(), ...(presenceLimits === undefined ? {} : { presenceLimits }) },
      this.metrics,
    );
  }

  /** Opens a connection (pass as PeerNode's `createSocket`; the URL is ignored). */
  readonly createSocket = (): WebSocket => {
    const socket = new HubSocket(this);
    this.sockets.add(socket);
    // HubSocket has every member of WebSocket the signaling client uses; the type says more.
    return socket as unknown as WebSocket;
  };

  /** One trip between a peer and the relay. */
  delayMs(): number {
    return this.latency.latencyMs + this.random.between(0, this.latency.jitterMs);
  }

  /** A fresh relay id, drawn from the seeded stream (so link politeness is reproducible). */
  newPeerId(): PeerId {
    for (;;) {
      const bytes = Uint8Array.from({ length: 16 }, () => this.idRandom.int(0, 256));
      const id = Buffer.from(bytes).toString('base64url');
      if (isPeerId(id) && !this.hub.hasClient(id)) return id;
    }
  }

  forget(socket: HubSocket): void {
    this.sockets.delete(socket);
  }

  /** Cuts every connection without telling the clients (they are being disposed too). */
  dispose(): void {
    for (const socket of [...this.sockets]) socket.dispose();
    for (const pipe of [...this.busyPipes]) pipe.dispose();
  }
}
