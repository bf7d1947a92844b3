/**
 * The relay's rules, free of sockets: presence by cell, signal forwarding between
 * neighbours, rate limits and strikes. `create-relay.ts` feeds it text frames and
 * hands it a `ClientPort` per connection to answer through.
 */

import { boxGapM } from '../app/core/geo.ts';
import { decodeGeohashBox } from '../app/core/geohash.ts';
import { parseClientFrame } from '../app/core/parse-client-frame.ts';
import {
  CLOSE_CODES,
  PROTOCOL_VERSION,
  type ErrorCode,
  type JoinFrame,
  type PeerId,
  type RelayFrame,
  type SignalFrame,
} from '../app/core/protocol.ts';
import { CellIndex, watchCovers, type PresenceLimits } from './cell-index.ts';
import { IceServerIssuer } from './ice-server-issuer.ts';
import type { RelayMetrics } from './metrics.ts';
import { createLocalRouter, NO_SUCH_PEER_MESSAGE, NOT_NEARBY_MESSAGE, type PresenceRouter, type RemoteSender, type RouterEvents } from './presence-router.ts';
import type { RelayOptions } from './relay-options.ts';
import { TokenBucket } from './token-bucket.ts';

/**
 * Farthest a watch prefix may lie from the home cell. The largest radius is 2 km and the
 * client is somewhere inside its home cell, so every prefix an honest client watches
 * touches a 2 km circle around a point of that cell; the margin absorbs rounding.
 */
const MAX_WATCH_REACH_M = 2_000 + 100;

/** How a connection is answered; implemented over a WebSocket by the relay. */
export interface ClientPort {
  /** Sends one serialized frame (or cuts a client that is not reading). */
  send(text: string): void;
  /** Closes with a WebSocket close code and a reason a person can read. */
  close(code: number, reason: string): void;
}

/** One connected client. */
export interface Client {
  readonly id: PeerId;
  readonly port: ClientPort;
  readonly rateLimit: TokenBucket;
  readonly strikes: TokenBucket;
  /** Frames dropped since the last one allowed by the rate limit. */
  droppedInARow: number;
  isClosing: boolean;
  /**
   * Joins whose `peers` answer waits for other relays' presence to load. Meanwhile the
   * client is sent no peer-joined/peer-left: the answer, a full list, supersedes them.
   */
  pendingAnswers: number;
  /** The last deferred answer, so answers leave in the order of their joins. */
  answerChain: Promise<void>;
}

type HubOptions = Pick<
  RelayOptions,
  'rateLimitBurst' | 'rateLimitPerSecond' | 'maxBadFramesPerMinute' | 'iceServers' | 'turn' | 'now'
> & {
  /** Smaller crowd sizes (simulations); the protocol's by default. */
  readonly presenceLimits?: PresenceLimits;
};

export class RelayHub implements RouterEvents {
  readonly cells: CellIndex;
  private readonly clients = new Map<PeerId, Client>();
  private readonly iceServers: IceServerIssuer;
  private router: PresenceRouter = createLocalRouter(this);

  constructor(
    private readonly options: HubOptions,
    private readonly metrics: RelayMetrics,
  ) {
    this.iceServers = new IceServerIssuer(options.iceServers, options.turn, options.now);
    this.cells = new CellIndex(options.now, Math.random, options.presenceLimits);
  }

  /** How often `renewIceServers` should run; null when nothing ever needs renewing (no TURN). */
  get iceRenewalIntervalMs(): number | null {
    return this.iceServers.sweepIntervalMs;
  }

  /** Sends a fresh ICE server list to every client whose TURN credentials are half used up. */
  renewIceServers(): void {
    for (const id of this.iceServers.due()) {
      const client = this.clients.get(id);
      if (client === undefined) this.iceServers.forget(id);
      else this.send(client, { type: 'ice-servers', iceServers: this.iceServers.issue(id) });
    }
  }

  /** Replaces the embedded router (one relay) before any client connects, e.g. with Redis. */
  useRouter(router: PresenceRouter): void {
    if (this.clients.size > 0) throw new Error('the router must be chosen before clients connect');
    this.router = router;
  }

  /** Number of open connections. */
  get connectionCount(): number {
    return this.clients.size;
  }

  /** Registers a new connection under `id` (fresh and unique, see `newPeerId`) and welcomes it. */
  connect(id: PeerId, port: ClientPort): Client {
    const { now, rateLimitBurst, rateLimitPerSecond, maxBadFramesPerMinute } = this.options;
    const client: Client = {
      id,
      port,
      rateLimit: new TokenBucket(rateLimitBurst, rateLimitPerSecond, now),
      strikes: new TokenBucket(maxBadFramesPerMinute, maxBadFramesPerMinute / 60, now),
      droppedInARow: 0,
      isClosing: false,
      pendingAnswers: 0,
      answerChain: Promise.resolve(),
    };
    this.clients.set(id, client);
    this.send(client, { type: 'welcome', id, iceServers: this.iceServers.issue(id), protocol: PROTOCOL_VERSION });
    return client;
  }

  /** True when `id` belongs to a connection the hub knows (for id uniqueness). */
  hasClient(id: PeerId): boolean {
    return this.clients.has(id);
  }

  /** Forgets a closed connection and tells its watchers it left. */
  disconnect(client: Client): void {
    if (this.clients.get(client.id) !== client) return;
    this.clients.delete(client.id);
    this.iceServers.forget(client.id);
    this.withdraw(client);
  }

  /** Handles one binary frame: the protocol is text only. */
  receiveBinary(client: Client): void {
    this.metrics.framesIn.inc('binary');
    if (!this.allowByRate(client)) return;
    this.strike(client, 'binary-not-supported', 'Binary frames are not supported; send JSON text frames.');
  }

  /** Handles one text frame. Never throws on any input. */
  receive(client: Client, text: string): void {
    if (client.isClosing) return;
    if (!this.allowByRate(client)) {
      this.metrics.framesIn.inc('rate-limited');
      return;
    }
    const parsed = parseClientFrame(text);
    if (!parsed.ok) {
      this.metrics.framesIn.inc('invalid');
      this.strike(client, parsed.code, parsed.message);
      return;
    }
    const frame = parsed.frame;
    this.metrics.framesIn.inc(frame.type);
    switch (frame.type) {
      case 'join':
        this.join(client, frame);
        return;
      case 'signal':
        this.forwardSignal(client, frame, parsed.hasOnlyKnownFields ? text : null);
        return;
      case 'leave':
        this.withdraw(client);
        return;
      default:
        frame satisfies never;
    }
  }

  private join(client: Client, frame: JoinFrame): void {
    const homeBox = decodeGeohashBox(frame.home);
    const tooFar = frame.watch.find((prefix) => boxGapM(homeBox, decodeGeohashBox(prefix)) > MAX_WATCH_REACH_M);
    if (tooFar !== undefined) {
      this.strike(client, 'bad-frame', `Watch prefix "${tooFar}" lies more than 2 km from the home cell.`);
      return;
    }
    const change = this.cells.join(client.id, frame.home, frame.watch);
    this.router.announce(client.id, frame.home, frame.watch);
    this.answerJoin(client, this.router.whenSynced(frame.watch));
    this.broadcast(change.notifyJoined, { type: 'peer-joined', id: client.id, home: frame.home });
    this.broadcast(change.notifyLeft, { type: 'peer-left', id: client.id });
  }

  /**
   * Sends the `peers` answer to a join: at once when presence is all here (always, on a
   * single relay), else once the router has loaded it, after any earlier deferred answer.
   */
  private answerJoin(client: Client, synced: Promise<void> | null): void {
    const answer = (): void => {
      const { peers, isSampled } = this.cells.answerFor(client.id);
      this.send(client, isSampled ? { type: 'peers', peers, sampled: true } : { type: 'peers', peers });
    };
    if (synced === null && client.pendingAnswers === 0) {
      answer();
      return;
    }
    client.pendingAnswers += 1;
    client.answerChain = Promise.all([client.answerChain, synced]).then(() => {
      client.pendingAnswers -= 1;
      if (this.clients.get(client.id) === client && !client.isClosing) answer();
    });
  }

  /** Ends a client's presence (leave or disconnect): its watchers and the router are told. */
  private withdraw(client: Client): void {
    if (this.cells.homeOf(client.id) === undefined) return;
    this.broadcast(this.cells.leave(client.id), { type: 'peer-left', id: client.id });
    this.router.withdraw(client.id);
  }

  isLocal(id: PeerId): boolean {
    return this.clients.has(id);
  }

  remotePresent(id: PeerId, home: string, watch: readonly string[]): void {
    if (this.clients.has(id)) return;
    const change = this.cells.join(id, home, watch, true);
    this.broadcast(change.notifyJoined, { type: 'peer-joined', id, home });
    this.broadcast(change.notifyLeft, { type: 'peer-left', id });
  }

  remoteAbsent(id: PeerId): void {
    if (!this.cells.isRemote(id)) return;
    this.broadcast(this.cells.leave(id), { type: 'peer-left', id });
  }

  deliverSignal(sender: RemoteSender, to: PeerId, bareText: string): 'unknown-peer' | 'not-nearby' | null {
    const target = this.clients.get(to);
    const home = this.cells.homeOf(to);
    if (target === undefined || home === undefined || target.isClosing) return 'unknown-peer';
    if (!watchCovers(sender.watch, home) && !this.cells.watches(to, sender.home)) return 'not-nearby';
    this.metrics.signalsForwarded.inc();
    this.metrics.framesOut.inc('signal');
    // As on the hot path below: `from` is the sending relay's word, `data` stays byte for byte.
    target.port.send(`{"from":"${sender.id}",${bareText.trimStart().slice(1)}`);
    return null;
  }

  refused(to: PeerId, code: 'unknown-peer' | 'not-nearby', message: string): void {
    this.metrics.signalsRefused.inc(code);
    const client = this.clients.get(to);
    if (client !== undefined && !client.isClosing) this.sendError(client, code, message);
  }

  /** `bareText`: the sender's text when it held only type, to and data (the usual case). */
  private forwardSignal(client: Client, frame: SignalFrame, bareText: string | null): void {
    const refusal = this.signalRefusal(client, frame.to);
    if (refusal !== undefined) {
      this.metrics.signalsRefused.inc(refusal.code);
      // Races (a peer that just left or moved) make these legitimate now and then: no strike.
      if (refusal.code === 'self-signal') this.strike(client, refusal.code, refusal.message);
      else this.sendError(client, refusal.code, refusal.message);
      return;
    }
    const target = this.clients.get(frame.to);
    if (target === undefined) {
      // Not connected here: the router finds the relay that holds it, or refuses.
      this.router.routeSignal(client.id, frame.to, bareText ?? JSON.stringify({ type: 'signal', to: frame.to, data: frame.data }));
      return;
    }
    this.metrics.signalsForwarded.inc();
    // `from` comes from the relay's own state, never from the sender.
    if (bareText === null) {
      this.send(target, { type: 'signal', from: client.id, data: frame.data });
      return;
    }
    // The hot path: the sender's own text with `from` put in front, so `data` goes out
    // byte for byte without a second serialization. It held no `from` of its own (only
    // type, to and data), so the recipient reads ours; `to` is the recipient's own id.
    this.metrics.framesOut.inc('signal');
    target.port.send(`{"from":"${client.id}",${bareText.trimStart().slice(1)}`);
  }

  private signalRefusal(client: Client, to: PeerId): { code: ErrorCode; message: string } | undefined {
    if (this.cells.homeOf(client.id) === undefined) {
      return { code: 'not-joined', message: 'Send "join" before signalling.' };
    }
    if (to === client.id) return { code: 'self-signal', message: 'A peer cannot signal itself.' };
    // A peer connected elsewhere is the router's to find; the relay holding it decides.
    if (!this.clients.has(to)) return undefined;
    if (this.cells.homeOf(to) === undefined) {
      return { code: 'unknown-peer', message: NO_SUCH_PEER_MESSAGE };
    }
    if (!this.cells.areNearby(client.id, to)) {
      return { code: 'not-nearby', message: NOT_NEARBY_MESSAGE };
    }
    return undefined;
  }

  /** Applies the rate limit; tells the client once per limited stretch and closes a flood. */
  private allowByRate(client: Client): boolean {
    if (client.rateLimit.take()) {
      client.droppedInARow = 0;
      return true;
    }
    client.droppedInARow += 1;
    this.metrics.rateLimited.inc();
    if (client.droppedInARow === 1) {
      this.sendError(client, 'rate-limited', 'Too many frames: slow down; frames are being dropped.');
    } else if (client.droppedInARow > this.options.rateLimitBurst) {
      this.closeClient(client, CLOSE_CODES.rateLimitExceeded, 'rate limit exceeded');
    }
    return false;
  }

  /** Answers a refused frame and closes the client when refusals keep coming. */
  private strike(client: Client, code: ErrorCode, message: string): void {
    this.sendError(client, code, message);
    if (!client.strikes.take()) this.closeClient(client, CLOSE_CODES.tooManyBadFrames, 'too many invalid frames');
  }

  private sendError(client: Client, code: ErrorCode, message: string): void {
    this.metrics.errors.inc(code);
    this.send(client, { type: 'error', code, message });
  }

  private closeClient(client: Client, code: number, reason: string): void {
    if (client.isClosing) return;
    client.isClosing = true;
    client.port.close(code, reason);
  }

  private send(client: Client, frame: RelayFrame): void {
    this.metrics.framesOut.inc(frame.type);
    client.port.send(JSON.stringify(frame));
  }

  /** Sends one frame to many clients, serialized once. */
  private broadcast(ids: readonly PeerId[], frame: RelayFrame): void {
    if (ids.length === 0) return;
    const text = JSON.stringify(frame);
    for (const id of ids) {
      const client = this.clients.get(id);
      if (client === undefined || client.pendingAnswers > 0) continue;
      this.metrics.framesOut.inc(frame.type);
      client.port.send(text);
    }
  }
}
