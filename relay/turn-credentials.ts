/**
 * Time-limited TURN credentials in the REST scheme coturn understands with
 * `use-auth-secret` / `static-auth-secret` (draft-uberti-behave-turn-rest): the username
 * is `<expiry in unix seconds>:<peer id>` and the password is
 * base64(HMAC-SHA1(secret, username)). The TURN server checks the HMAC and that the
 * expiry lies in the future, so the relay and coturn share nothing but the secret.
 * Pure: the clock is a parameter.
 */

import { createHmac } from 'node:crypto';
import type { IceServer, PeerId } from '../app/core/protocol.ts';

/** A TURN server the relay hands out credentials for. */
export interface TurnOptions {
  /** `turn:` or `turns:` URLs of one TURN service (e.g. its UDP and TCP listeners). */
  readonly urls: readonly string[];
  /** The secret shared with coturn (`static-auth-secret`). Never sent to clients. */
  readonly secret: string;
  /** How long a credential is valid, in seconds. */
  readonly ttlSeconds: number;
}

/** Allowed range of `ttlSeconds`: long enough to connect, short enough to mean something. */
export const TURN_TTL_RANGE_SECONDS = [10, 7 * 24 * 3600] as const;
/** The TTL when none is configured: an hour, renewed after half of it (see IceServerIssuer). */
export const DEFAULT_TURN_TTL_SECONDS = 3600;

/** True for a URL a TURN entry may carry. */
export function isTurnUrl(url: string): boolean {
  return /^turns?:[^\s]+$/.test(url);
}

/** `<expiry unix seconds>:<peer id>`: the expiry is `nowMs` + `ttlSeconds`, rounded down to a second. */
export function turnUsername(peerId: PeerId | string, nowMs: number, ttlSeconds: number): string {
  return `${Math.floor(nowMs / 1000) + ttlSeconds}:${peerId}`;
}

/** base64(HMAC-SHA1(secret, username)): the password coturn expects for `username`. */
export function turnPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/** The ICE server entry for one peer: fresh credentials valid for `ttlSeconds` from `nowMs`. */
export function turnIceServer(turn: TurnOptions, peerId: PeerId, nowMs: number): IceServer {
  const username = turnUsername(peerId, nowMs, turn.ttlSeconds);
  return { urls: [...turn.urls], username, credential: turnPassword(turn.secret, username) };
}
