/**
 * The seam between the tests and the three servers' wire protocols: connect and register
 * a client, write one signal, read what arrives. Tests are written once against this.
 */

import { isJsonObject, parseJson, type JsonObject, type JsonValue } from '../../app/core/json.ts';
import type { ServerKind } from './bench-config.ts';
import type { BenchClient, ClientPool } from './bench-client.ts';

/** A client the server has accepted and placed in `group` (a cell or a topic). */
export interface Registered {
  readonly client: BenchClient;
  /** What other clients put in `to` to reach this one. */
  readonly address: string;
  readonly group: number;
}

/** How one inbound frame reads to the load generator. */
export type Inbound =
  | { readonly kind: 'signal'; readonly from: string; readonly sentAtMs: number }
  | { readonly kind: 'error'; readonly message: string }
  /** Anything else: presence news, pongs, y-webrtc's echo of one's own publish. */
  | { readonly kind: 'other' };

export interface SignalingAdapter {
  readonly kind: ServerKind;
  /**
   * Opens client number `index` (unique per server process) and completes whatever the
   * server needs before it forwards signals: a join, a subscribe, an OPEN. The client is
   * added to `pool` before any await, so a failure never leaks it.
   */
  register(port: number, index: number, group: number, pool: ClientPool, timeoutMs: number): Promise<Registered>;
  /** One signal frame from `from` to `to` (same group), carrying `payloadJson`. */
  encodeSignal(from: Registered, to: Registered, payloadJson: string): string;
  /** Reads a frame received by the client whose address is `self`. */
  decode(text: string, self: string): Inbound;
}

export const OTHER: Inbound = { kind: 'other' };

/** A real ICE candidate line, so frames are as large as the ones the app sends. */
const CANDIDATE_JSON = JSON.stringify(
  'candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.2 rport 46154 generation 0 ufrag EsJ+ network-cost 999',
);

/** The signal body every server carries, with the sender's clock in it for latency. */
export function signalPayload(sentAtMs: number): string {
  return `{"candidate":${CANDIDATE_JSON},"sdpMid":"0","sdpMLineIndex":0,"sentAtMs":${sentAtMs}}`;
}

/** The send time inside a payload built by `signalPayload`, or null if it is not one. */
export function readSentAtMs(payload: JsonValue | undefined): number | null {
  if (!isJsonObject(payload)) return null;
  const sentAtMs = payload['sentAtMs'];
  return typeof sentAtMs === 'number' && Number.isFinite(sentAtMs) ? sentAtMs : null;
}

/** The frame's `type` with the parsed object, or null for anything that is not a typed JSON object. */
export function readFrame(text: string): { type: string; frame: JsonObject } | null {
  const frame = parseJson(text);
  if (!isJsonObject(frame)) return null;
  const type = frame['type'];
  return typeof type === 'string' ? { type, frame } : null;
}
