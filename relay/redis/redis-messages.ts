/**
 * What relays write to Redis and read back: presence events, signals, refusals and
 * snapshot entries. Redis is an edge like a client socket: whatever is read from it goes
 * through a parser that checks every field and returns null on anything else, so a
 * corrupt or foreign message is counted and dropped, never trusted and never a crash.
 *
 * Presence events and refusals are one JSON object. A signal is a JSON header, a newline,
 * then the sender's own signal frame text, so `data` reaches the recipient byte for byte
 * (JSON.stringify never writes a raw newline, so the first one ends the header).
 */

import { isGeohash } from '../../app/core/geohash.ts';
import { isJsonObject, parseJson, type JsonObject } from '../../app/core/json.ts';
import { parseClientFrame } from '../../app/core/parse-client-frame.ts';
import {
  HOME_PRECISION,
  isPeerId,
  MAX_WATCH_PREFIXES,
  MAX_WATCH_PRECISION,
  MIN_WATCH_PRECISION,
  type PeerId,
} from '../../app/core/protocol.ts';
import { isRelayId, type RelayId } from './redis-keys.ts';

/** Bumped on any incompatible change; relays drop messages of another version. */
export const REDIS_MESSAGE_VERSION = 1;

/** A peer's presence as other relays need it: its cell and what it watches. */
export interface PresenceEntry {
  readonly home: string;
  readonly watch: readonly string[];
}

/** On a presence channel. */
export type PresenceEvent =
  /** `id`, held by `relay`, is present in `home` (joined, moved, or changed its watch). */
  | { readonly t: 'present'; readonly relay: RelayId; readonly id: PeerId; readonly home: string; readonly watch: readonly string[] }
  /** `id` is no longer present. */
  | { readonly t: 'absent'; readonly relay: RelayId; readonly id: PeerId }
  /** `relay` rewrote its part of this cell's snapshot (after losing Redis): reload it. */
  | { readonly t: 'sync'; readonly relay: RelayId };

/** A signal on a relay's channel: the sending relay vouches for `from`, `home` and `watch`. */
export interface SignalEnvelope {
  readonly t: 'signal';
  readonly relay: RelayId;
  readonly from: PeerId;
  readonly home: string;
  readonly watch: readonly string[];
  readonly to: PeerId;
  /** The sender's frame, holding only type, to (equal to `to`) and data. */
  readonly body: string;
}

/** On a relay's channel: the relay holding `peer` refused a signal sent to it by `to`. */
export interface RefusalMessage {
  readonly t: 'refused';
  readonly to: PeerId;
  readonly peer: PeerId;
  readonly code: 'unknown-peer' | 'not-nearby';
}

export type SignalChannelMessage = SignalEnvelope | RefusalMessage;

export function encodePresenceEvent(event: PresenceEvent): string {
  return JSON.stringify({ v: REDIS_MESSAGE_VERSION, ...event });
}

/**
 * The header of every signal one client sends (all but `to` and the body), built once per
 * join so the hot path only appends.
 */
export function signalHeaderPrefix(relay: RelayId, from: PeerId, entry: PresenceEntry): string {
  const header = JSON.stringify({ v: REDIS_MESSAGE_VERSION, t: 'signal', relay, from, home: entry.home, watch: entry.watch });
  return header.slice(0, -1);
}

/** A signal message from a header prefix (`signalHeaderPrefix`), the target and the sender's bare frame. */
export function encodeSignal(headerPrefix: string, to: PeerId, body: string): string {
  // Peer ids are base64url: nothing in them needs escaping.
  return `${headerPrefix},"to":"${to}"}\n${body}`;
}

export function encodeRefusal(refusal: Omit<RefusalMessage, 't'>): string {
  return JSON.stringify({ v: REDIS_MESSAGE_VERSION, t: 'refused', ...refusal });
}

/** A snapshot entry (the value of one peer's field in a cell slice). */
export function encodeEntry(entry: PresenceEntry): string {
  return JSON.stringify({ home: entry.home, watch: entry.watch });
}

function readWatch(value: unknown): string[] | null {
  if (!Array.isArray(value) || value.length > MAX_WATCH_PREFIXES) return null;
  const watch: string[] = [];
  for (const prefix of value) {
    if (!isGeohash(prefix, MIN_WATCH_PRECISION, MAX_WATCH_PRECISION)) return null;
    watch.push(prefix);
  }
  return watch;
}

function readEntryFields(object: JsonObject): PresenceEntry | null {
  const home = object['home'];
  const watch = readWatch(object['watch']);
  return isGeohash(home, HOME_PRECISION) && watch !== null ? { home, watch } : null;
}

/** Reads a JSON object of our version, or null. */
function readVersioned(text: string): JsonObject | null {
  const value = parseJson(text);
  return isJsonObject(value) && value['v'] === REDIS_MESSAGE_VERSION ? value : null;
}

/** Parses a snapshot entry; null when it is not one. */
export function parseEntry(text: string): PresenceEntry | null {
  const value = parseJson(text);
  return isJsonObject(value) ? readEntryFields(value) : null;
}

/** Parses a presence channel message; null when it is not one. */
export function parsePresenceEvent(text: string): PresenceEvent | null {
  const value = readVersioned(text);
  if (value === null) return null;
  const relay = value['relay'];
  if (!isRelayId(relay)) return null;
  const id = value['id'];
  switch (value['t']) {
    case 'present': {
      const entry = readEntryFields(value);
      return entry !== null && isPeerId(id) ? { t: 'present', relay, id, home: entry.home, watch: entry.watch } : null;
    }
    case 'absent':
      return isPeerId(id) ? { t: 'absent', relay, id } : null;
    case 'sync':
      return { t: 'sync', relay };
    default:
      return null;
  }
}

/** Parses a relay channel message (a signal or a refusal); null when it is not one. */
export function parseSignalChannelMessage(text: string): SignalChannelMessage | null {
  const newline = text.indexOf('\n');
  const value = readVersioned(newline === -1 ? text : text.slice(0, newline));
  if (value === null) return null;
  switch (value['t']) {
    case 'signal': {
      if (newline === -1) return null;
      const { relay, from, to } = value;
      const entry = readEntryFields(value);
      if (!isRelayId(relay) || !isPeerId(from) || !isPeerId(to) || entry === null) return null;
      const body = text.slice(newline + 1);
      // The body goes to a client as it is: it must be exactly a signal frame for `to`.
      const frame = parseClientFrame(body);
      if (!frame.ok || frame.frame.type !== 'signal' || frame.frame.to !== to || !frame.hasOnlyKnownFields) return null;
      return { t: 'signal', relay, from, home: entry.home, watch: entry.watch, to, body };
    }
    case 'refused': {
      const { to, peer, code } = value;
      if (!isPeerId(to) || !isPeerId(peer) || (code !== 'unknown-peer' && code !== 'not-nearby')) return null;
      return { t: 'refused', to, peer, code };
    }
    default:
      return null;
  }
}
