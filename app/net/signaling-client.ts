/**
 * The relay connection: one WebSocket, the last join re-sent after every reconnect,
 * jittered exponential backoff, and every inbound frame parsed before use. Peer links
 * do not depend on it: when the relay goes away, they keep running.
 */

import { retryDelayMs } from '../core/backoff.ts';
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
}

export class SignalingClient {
  private socket: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failures = 0;
  private isDisposed = false;
  private lastJoin: string | null = null;
  private isWelcomed = false;
  private sampleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: SignalingOptions) {
    this.connect();
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
    this.timer = setTimeout(() => this.connect(), retryDelayMs(this.failures));
  }

  private receive(ws: WebSocket, data: unknown): void {
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
