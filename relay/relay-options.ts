/** The relay's settings, their defaults, and the checks every `createRelay` call runs. */

import type { IceServer } from '../app/core/protocol.ts';
import { MAX_FRAME_BYTES, MAX_ICE_SERVERS } from '../app/core/protocol.ts';
import type { Logger } from './logger.ts';
import type { StaticSource } from './static-files.ts';
import { isTurnUrl, TURN_TTL_RANGE_SECONDS, type TurnOptions } from './turn-credentials.ts';

export interface RelayOptions {
  /** TCP port; 0 picks a free one (see `address()`). */
  readonly port: number;
  /** Interface to listen on. */
  readonly host: string;
  /**
   * Origins allowed to open `/ws` from a browser: `'*'` for any, or exact origins such as
   * `https://neartalk.example`. Empty: only the relay's own origin (the Host header).
   * Clients sending no Origin header (not browsers) are always allowed.
   */
  readonly allowedOrigins: '*' | readonly string[];
  /** Most simultaneous WebSocket connections; further handshakes get HTTP 503. */
  readonly maxConnections: number;
  /** Most simultaneous connections from one IP address; further handshakes get HTTP 429. */
  readonly maxConnectionsPerIp: number;
  /** Largest inbound frame in bytes; a larger one closes the socket with 1009. */
  readonly maxPayloadBytes: number;
  /** Frames a client may send in one burst. */
  readonly rateLimitBurst: number;
  /** Sustained frames per second a client may send. */
  readonly rateLimitPerSecond: number;
  /** Refused (malformed or invalid) frames tolerated per minute before closing with 4400. */
  readonly maxBadFramesPerMinute: number;
  /** Bytes the relay buffers for a client that does not read before cutting it. */
  readonly maxBufferedBytes: number;
  /** Joins and leaves a client may send in a burst before further ones are held. */
  readonly presenceBurst: number;
  /** Sustained joins and leaves per minute a client may send; beyond, only its latest is held. */
  readonly presencePerMinute: number;
  /**
   * Bytes of broadcast frames (each counted once per recipient) waiting to be handed to
   * sockets, beyond which joins and leaves are held and signals that would queue are refused.
   */
  readonly maxQueuedBytes: number;
  /**
   * Longest a connection may take to send complete request headers (a WebSocket
   * handshake included) before it is answered 408 and closed.
   */
  readonly handshakeTimeoutMs: number;
  /** Ping interval; a client that has not answered the previous ping is dropped. */
  readonly heartbeatMs: number;
  /** How long `close()` waits for clients to acknowledge 1001 before cutting them. */
  readonly shutdownGraceMs: number;
  /** Handed to every client in `welcome`. Empty by default: no third-party server is contacted. */
  readonly iceServers: readonly IceServer[];
  /** Directory of the built PWA to serve at `/`, or null to serve only the relay. */
  readonly staticDir: string | null;
  /** Where else the PWA may come from (the single binary's embedded copy); wins over `staticDir`. */
  readonly staticSource: StaticSource | null;
  /**
   * A TURN service to hand every client time-limited credentials for (coturn's
   * `use-auth-secret`), renewed before they expire; null for none.
   */
  readonly turn: TurnOptions | null;
  /** Take the client address from the last X-Forwarded-For entry (behind a reverse proxy). */
  readonly trustProxy: boolean;
  /**
   * `redis://` or `rediss://` URL of a Redis shared by several relays (presence and
   * signals then cross relays), or null for one relay with presence in memory.
   */
  readonly redisUrl: string | null;
  /**
   * With Redis: how long a relay's presence outlives its last heartbeat (heartbeats come
   * every third of it). The peers of a relay that dies vanish elsewhere within 4/3 of it.
   */
  readonly redisPresenceTtlMs: number;
  readonly logger: Logger;
  /** Clock in milliseconds, injectable for tests. */
  readonly now: () => number;
  /**
   * Makes the id for each new client; null (the default) for 128 random bits. Injectable for
   * tests that must know which of two peers dials first (the one with the smaller id). An id
   * that is not a valid peer id, or already taken, is replaced by a random one.
   */
  readonly newPeerId: (() => string) | null;
}

export const DEFAULT_RELAY_OPTIONS = {
  port: 8080,
  host: '127.0.0.1',
  allowedOrigins: [],
  maxConnections: 20_000,
  maxConnectionsPerIp: 256,
  maxPayloadBytes: MAX_FRAME_BYTES,
  // A peer opening 16 links at once sends about 16 × (1 description + ~12 candidates)
  // signals, twice that if both sides offer at once (perfect negotiation rolls one back):
  // the burst covers it; a flood runs dry within a second and is cut after another burst.
  rateLimitBurst: 600,
  rateLimitPerSecond: 50,
  maxBadFramesPerMinute: 10,
  maxBufferedBytes: 1024 * 1024,
  // A person changes cells at walking or driving pace and the radius by hand: ten changes
  // at once and one every two seconds is plenty, and bounds what a client makes a crowd receive.
  presenceBurst: 10,
  presencePerMinute: 30,
  maxQueuedBytes: 16 * 1024 * 1024,
  handshakeTimeoutMs: 5_000,
  heartbeatMs: 30_000,
  shutdownGraceMs: 3_000,
  iceServers: [],
  staticDir: null,
  staticSource: null,
  turn: null,
  trustProxy: false,
  redisUrl: null,
  redisPresenceTtlMs: 6_000,
  newPeerId: null,
} as const satisfies Partial<RelayOptions>;

/** Allowed range of every whole-number option: checked here and by the command line. */
export const INTEGER_OPTION_RANGES = {
  port: [0, 65_535],
  maxConnections: [1, 10_000_000],
  maxConnectionsPerIp: [1, 10_000_000],
  maxPayloadBytes: [256, 16 * 1024 * 1024],
  rateLimitBurst: [1, 1_000_000],
  rateLimitPerSecond: [1, 1_000_000],
  maxBadFramesPerMinute: [1, 1_000_000],
  maxBufferedBytes: [1024, 1024 * 1024 * 1024],
  presenceBurst: [1, 1_000_000],
  presencePerMinute: [1, 1_000_000],
  maxQueuedBytes: [64 * 1024, 16 * 1024 * 1024 * 1024],
  handshakeTimeoutMs: [100, 120_000],
  heartbeatMs: [10, 3_600_000],
  shutdownGraceMs: [0, 60_000],
  redisPresenceTtlMs: [300, 600_000],
} as const satisfies Partial<Record<keyof RelayOptions, readonly [number, number]>>;

export type IntegerOption = keyof typeof INTEGER_OPTION_RANGES;

/** Fills in defaults and checks every value; throws a TypeError naming the bad option. */
export function resolveRelayOptions(overrides: Partial<RelayOptions>, fallbackLogger: Logger): RelayOptions {
  const options: RelayOptions = {
    ...DEFAULT_RELAY_OPTIONS,
    logger: fallbackLogger,
    now: () => performance.now(),
    ...overrides,
  };
  for (const [name, [min, max]] of Object.entries(INTEGER_OPTION_RANGES)) {
    const value: unknown = Reflect.get(options, name);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new TypeError(`options.${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
    }
  }
  if (typeof options.host !== 'string' || options.host.length === 0) {
    throw new TypeError('options.host must be a non-empty string');
  }
  if (options.redisUrl !== null && !isRedisUrl(options.redisUrl)) {
    throw new TypeError('options.redisUrl must be a redis:// or rediss:// URL, or null');
  }
  if (options.allowedOrigins !== '*' && !options.allowedOrigins.every((origin) => /^https?:\/\/[^/]+$/.test(origin))) {
    throw new TypeError('options.allowedOrigins must be "*" or origins like "https://example.org" (no path)');
  }
  checkTurn(options.turn);
  // Clients refuse a longer list (MAX_ICE_SERVERS), and would never get past `welcome`.
  if (options.iceServers.length + (options.turn === null ? 0 : 1) > MAX_ICE_SERVERS) {
    throw new TypeError(`options.iceServers: at most ${MAX_ICE_SERVERS} ICE servers in all, the TURN entry included`);
  }
  return options;
}

/** True for a URL node-redis can connect to: `redis://host[:port][/db]` or `rediss://…`. */
export function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    // Not a URL at all.
    return false;
  }
}

function checkTurn(turn: TurnOptions | null): void {
  if (turn === null) return;
  if (turn.urls.length === 0 || !turn.urls.every(isTurnUrl)) {
    throw new TypeError('options.turn.urls must be one or more turn: or turns: URLs');
  }
  if (typeof turn.secret !== 'string' || turn.secret === '') throw new TypeError('options.turn.secret must be a non-empty string');
  const [min, max] = TURN_TTL_RANGE_SECONDS;
  if (!Number.isInteger(turn.ttlSeconds) || turn.ttlSeconds < min || turn.ttlSeconds > max) {
    throw new TypeError(`options.turn.ttlSeconds must be an integer from ${min} to ${max}, got ${String(turn.ttlSeconds)}`);
  }
}
