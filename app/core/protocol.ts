/**
 * The relay wire protocol, v1: every frame the relay and its clients exchange, defined
 * once and used by both sides. Every inbound frame goes through a parser
 * (`parse-client-frame.ts`, `parse-relay-frame.ts`) that checks every field.
 *
 * Transport: WebSocket at path `/ws`, one JSON object per text frame. Receivers ignore
 * fields they do not know, so later versions can add fields without breaking older peers.
 */

import type { JsonValue } from './json.ts';

/**
 * Protocol version announced in `welcome`. Version 2 bounds presence for crowds: a client
 * hears of at most a sample of a crowded view (see PRESENCE_FANOUT). Its frames are those
 * of version 1, so a client accepts any version from MIN_PROTOCOL_VERSION on.
 */
export const PROTOCOL_VERSION = 2;
/** Oldest relay protocol a client can work with (version 1: every watcher hears every event). */
export const MIN_PROTOCOL_VERSION = 1;
/** WebSocket path of the relay. */
export const RELAY_PATH = '/ws';
/** Geohash precision of a home cell (about 1.2 km × 0.6 km). */
export const HOME_PRECISION = 6;
/** Shortest watch prefix (about 4.9 km × 4.9 km). */
export const MIN_WATCH_PRECISION = 5;
/** Longest watch prefix. */
export const MAX_WATCH_PRECISION = 6;
/** Most watch prefixes in one join. */
export const MAX_WATCH_PREFIXES = 32;
/** Largest frame either side accepts, in bytes; the relay closes with 1009 above it. */
export const MAX_FRAME_BYTES = 16 * 1024;
/** Most peers a `peers` frame may list (what a client accepts; version 1 relays listed up to this). */
export const MAX_LISTED_PEERS = 256;
/**
 * Most clients a version 2 relay tells of one presence event (an arrival, a move, a
 * departure): a constant, however many people watch the cell.
 */
export const PRESENCE_FANOUT = 128;
/** A view of up to this many people is told everything, as in version 1; a larger one is sampled. */
export const PRESENCE_FULL_VIEW = 64;
/** Peers a version 2 relay lists in the answer to a join in a crowded view: a random sample, own home cell first. */
export const PRESENCE_SAMPLE_SIZE = 32;
/** Most ICE servers a `welcome` or `ice-servers` frame may carry. */
export const MAX_ICE_SERVERS = 16;
/** Length of a peer id: 16 random bytes in base64url (128 bits). */
export const PEER_ID_LENGTH = 22;

declare const peerIdBrand: unique symbol;
/** A relay-assigned peer id: random, unguessable, never reused. */
export type PeerId = string & { readonly [peerIdBrand]: true };

const PEER_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** True when `value` has the shape of a peer id. */
export function isPeerId(value: unknown): value is PeerId {
  return typeof value === 'string' && PEER_ID_PATTERN.test(value);
}

// ---- client → relay -------------------------------------------------------------

/** Be present in `home` and follow everyone whose home starts with one of `watch`. Replaces any earlier join. */
export interface JoinFrame {
  readonly type: 'join';
  readonly home: string;
  readonly watch: readonly string[];
}
/** Forward `data` (an SDP description or ICE candidate) to peer `to`. */
export interface SignalFrame {
  readonly type: 'signal';
  readonly to: PeerId;
  readonly data: JsonValue;
}
/** Stop being present; the socket stays open. */
export interface LeaveFrame {
  readonly type: 'leave';
}
export type ClientFrame = JoinFrame | SignalFrame | LeaveFrame;

// ---- relay → client -------------------------------------------------------------

/** One ICE server, in the shape `RTCPeerConnection` accepts. */
export interface IceServer {
  readonly urls: string | readonly string[];
  readonly username?: string;
  readonly credential?: string;
}
/** A present peer as the relay knows it: an id and a precision-6 cell, nothing more. */
export interface PeerPresence {
  readonly id: PeerId;
  readonly home: string;
}
export interface WelcomeFrame {
  readonly type: 'welcome';
  readonly id: PeerId;
  readonly iceServers: readonly IceServer[];
  readonly protocol: number;
}
/**
 * A fresh ICE server list, replacing the one from `welcome`: sent before time-limited TURN
 * credentials expire (after half their lifetime), so long sessions can still open links.
 */
export interface IceServersFrame {
  readonly type: 'ice-servers';
  readonly iceServers: readonly IceServer[];
}
export interface PeersFrame {
  readonly type: 'peers';
  readonly peers: readonly PeerPresence[];
  /**
   * True when the view held more people than listed (a crowd): the list is a random
   * sample, and joining again (same home and watch) brings a fresh one.
   */
  readonly sampled?: boolean;
}
/** Sent when a watched peer joins, or moves (again, with its new home) while still watched. */
export interface PeerJoinedFrame {
  readonly type: 'peer-joined';
  readonly id: PeerId;
  readonly home: string;
}
export interface PeerLeftFrame {
  readonly type: 'peer-left';
  readonly id: PeerId;
}
export interface RelayedSignalFrame {
  readonly type: 'signal';
  readonly from: PeerId;
  readonly data: JsonValue;
}
export interface ErrorFrame {
  readonly type: 'error';
  readonly code: ErrorCode;
  readonly message: string;
}
export type RelayFrame =
  | WelcomeFrame
  | IceServersFrame
  | PeersFrame
  | PeerJoinedFrame
  | PeerLeftFrame
  | RelayedSignalFrame
  | ErrorFrame;

/** Stable machine codes of `error` frames. */
export const ERROR_CODES = [
  'bad-json',
  'bad-frame',
  'unknown-type',
  'binary-not-supported',
  'not-joined',
  'unknown-peer',
  'not-nearby',
  'self-signal',
  'rate-limited',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** WebSocket close codes the relay uses, beyond the standard 1001 (shutdown) and 1009 (frame too big). */
export const CLOSE_CODES = {
  /** The client kept sending frames the relay had to refuse. */
  tooManyBadFrames: 4400,
  /** The client kept sending after being rate-limited. */
  rateLimitExceeded: 4429,
} as const;
