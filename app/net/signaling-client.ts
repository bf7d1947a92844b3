/**
 * The relay connection: one WebSocket, the last join re-sent after every reconnect,
 * jittered exponential backoff, and every inbound frame parsed before use. Peer links
 * do not depend on it: when the relay goes away, they keep running.
 */

import { reconnectDelayMs } from '../core/reconnect-policy.ts';
import { parseRelayFrame } from '../core/parse-relay-frame.ts';
import { MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, type IceServer, type PeerId, type PeerPresence } from '../core/protocol.ts';
import type { JsonValue } from '../core/json.ts';

/** A socket that has not delivered `welcome` by then is given up and retried. */
const WELCOME_TIMEOUT_MS = 10_000;
/**
 * In a crowd the relay lists a random sample of the people in our cells (`sampled`); we
 * join again this often (±20 %) for a fresh one, so over time we hear of others than the
 * first few. Hints from neighbours do the rest.
 */
const SAMPLE_REFRESH_MS = 60_000;
/**
 * After the page wakes, a socket that looks open must answer our join within this long
 * (ms), or it is taken for dead (the relay dropped it while we were asleep) and replaced.
 */
const WAKE_PROBE_MS = 3_000;

export type SignalingState = 'connecting' | 'connected' | 'reconnecting';

export interface SignalingEvents {
  onState(state: SignalingState): void;
  /** A (new) relay id; the previous one, if any, is gone. */
  onWelcome(id: PeerId, iceServers: readonly IceServer[]): void;
  /** A fresh ICE server list (renewed TURN credentials) replacing the one from `onWelcome`. */
  onIceServers(iceServers: readonly IceServer[]): void;
  onPeers(peers: readonly PeerPresence[]): void;
  onPeerJoined(peer: PeerPresence): void;
  onPeerLeft(id: PeerId): void;
  onSignal(from: PeerId, data: JsonValue): void;
  onRelayError(code: string, message: string): void;
}

export interface SignalingOptions {
  readonly url: string;
  readonly events: SignalingEvents;
  /** Injectable for tests; the browser's WebSocket by default. */
  readonly createSocket?: (url: string) => WebSocket;
  readonly now?: () => number;
}

export class SignalingClient {
  private socket: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private isDisposed = false;
  private lastJoin: string | null = null;
  private isWelcomed = false;
  private sampleTimer: ReturnType<typeof setTimeout> | undefined;
  /** When a welcomed connection was last lost (ms), or null: retries are short for a while after. */
  private lostAtMs: number | null = null;
  /** Checks, after a wake, that an open-looking socket still answers. */
  private probeTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: SignalingOptions) {
    this.now = options.now ?? (() => Date.now());
    this.connect();
  }

  /**
   * The page woke up (visible again, unfrozen, back from the back/forward cache, network
   * back): a relay we are waiting to call again is called now, without the backoff; an
   * open socket is asked to prove it is alive (our join, answered with the peers).
   */
  wake(): void {
    if (this.isDisposed) return;
    const ws = this.socket;
    if (ws === null) {
      clearTimeout(this.timer);
      this.connect();
      return;
    }
    if (!this.isWelcomed || this.lastJoin === null || this.probeTimer !== undefined) return;
    ws.send(this.lastJoin);
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      if (this.socket !== ws) return;
      // Dead: forget it and call again at once (its close event may never come).
      this.socket = null;
      this.isWelcomed = false;
      this.lostAtMs = this.now();
      this.stopSampleRefresh();
      ws.close();
      this.connect();
    }, WAKE_PROBE_MS);
  }

  /** Joins (or re-joins) the cells; remembered and re-sent after a reconnect. */
  join(home: string, watch: readonly string[]): void {
    this.lastJoin = JSON.stringify({ type: 'join', home, watch });
    if (this.isWelcomed) this.socket?.send(this.lastJoin);
  }

  leave(): void {
    this.lastJoin = null;
    this.stopSampleRefresh();
    if (this.isWelcomed) this.socket?.send(JSON.stringify({ type: 'leave' }));
  }

  /** Sends a signal if connected; false when there is no relay to carry it. */
  signal(to: PeerId, data: JsonValue): boolean {
    if (!this.isWelcomed || this.socket === null) return false;
    this.socket.send(JSON.stringify({ type: 'signal', to, data }));
    return true;
  }

  /** Closes the socket and stops reconnecting. */
  dispose(): void {
    this.isDisposed = true;
    clearTimeout(this.timer);
    this.stopSampleRefresh();
    clearTimeout(this.probeTimer);
    this.socket?.close(1000, 'leaving');
    this.socket = null;
  }

  private connect(): void {
    if (this.isDisposed) return;
    this.options.events.onState(this.failures === 0 ? 'connecting' : 'reconnecting');
    let ws: WebSocket;
    try {
      ws = (this.options.createSocket ?? ((url) => new WebSocket(url)))(this.options.url);
    } catch (err: unknown) {
      // E.g. a ws: relay from an https: page, which the browser refuses outright.
      console.warn('cannot open the relay WebSocket:', err instanceof Error ? err.message : String(err));
      this.retryLater();
      return;
    }
    this.socket = ws;
    this.isWelcomed = false;
    this.timer = setTimeout(() => ws.close(), WELCOME_TIMEOUT_MS);
    ws.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (this.socket === ws) this.receive(ws, event.data);
    });
    ws.addEventListener('close', () => {
      if (this.socket !== ws) return;
      clearTimeout(this.timer);
      this.stopSampleRefresh();
      if (this.isWelcomed) this.lostAtMs = this.now();
      this.socket = null;
      this.isWelcomed = false;
      this.retryLater();
    });
  }

  /** Joins again with the same cells, so the relay answers with a fresh sample of a crowd. */
  private refreshSample(ws: WebSocket): void {
    this.sampleTimer = undefined;
    if (this.socket === ws && this.isWelcomed && this.lastJoin !== null) ws.send(this.lastJoin);
  }

  private stopSampleRefresh(): void {
    clearTimeout(this.sampleTimer);
    this.sampleTimer = undefined;
  }

  private retryLater(): void {
    if (this.isDisposed) return;
    this.failures += 1;
    this.options.events.onState('reconnecting');
    const msSinceLost = this.lostAtMs === null ? null : this.now() - this.lostAtMs;
    this.timer = setTimeout(() => this.connect(), reconnectDelayMs({ failures: this.failures, msSinceLost }));
  }

  private receive(ws: WebSocket, data: unknown): void {
    // Anything from the relay proves the socket alive.
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    const frame = typeof data === 'string' ? parseRelayFrame(data) : null;
    const { events } = this.options;
    if (frame === null) {
      console.warn('ignoring a malformed relay frame');
      return;
    }
    switch (frame.type) {
      case 'welcome':
        clearTimeout(this.timer);
        if (frame.protocol < MIN_PROTOCOL_VERSION || frame.protocol > PROTOCOL_VERSION) {
          console.warn(`the relay speaks protocol ${frame.protocol}; this app speaks ${MIN_PROTOCOL_VERSION} to ${PROTOCOL_VERSION}`);
          ws.close();
          return;
        }
        this.failures = 0;
        this.isWelcomed = true;
        events.onWelcome(frame.id, frame.iceServers);
        events.onState('connected');
        if (this.lastJoin !== null) ws.send(this.lastJoin);
        return;
      case 'ice-servers':
        if (this.isWelcomed) events.onIceServers(frame.iceServers);
        return;
      case 'peers':
        this.stopSampleRefresh();
        if (frame.sampled === true) this.sampleTimer = setTimeout(() => this.refreshSample(ws), SAMPLE_REFRESH_MS * (0.8 + 0.4 * Math.random()));
        events.onPeers(frame.peers);
        return;
      case 'peer-joined':
        events.onPeerJoined({ id: frame.id, home: frame.home });
        return;
      case 'peer-left':
        events.onPeerLeft(frame.id);
        return;
      case 'signal':
        events.onSignal(frame.from, frame.data);
        return;
      case 'error':
        events.onRelayError(frame.code, frame.message);
        return;
      default:
        frame satisfies never;
    }
  }
}
