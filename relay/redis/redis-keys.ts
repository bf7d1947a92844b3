/**
 * Every Redis key and pub/sub channel the relays share, named in one place. Presence is
 * grouped by precision-5 cell (about 4.9 km × 4.9 km): a relay subscribes to the cells
 * its clients watch and reads their snapshots, so its cost follows the cells in use.
 *
 * Keys (all expire unless refreshed by their relay's heartbeat):
 *   neartalk:relay:{relay}                 "1" while that relay lives (PX presence TTL)
 *   neartalk:cell:{cell}:relays            SET of relays with peers in the cell (PX presence TTL)
 *   neartalk:cell:{cell}:relay:{relay}     HASH peer id → {home, watch}: that relay's peers there (PX presence TTL)
 *   neartalk:peer:{peer}                   the relay holding a present peer (PX directory TTL)
 * Channels:
 *   neartalk:presence:{cell}               presence events of peers homed in (or leaving) the cell
 *   neartalk:signals:{relay}               signals and refusals for that relay's clients
 */

import { isGeohash } from '../../app/core/geohash.ts';
import { MIN_WATCH_PRECISION, type PeerId } from '../../app/core/protocol.ts';

const PREFIX = 'neartalk:';
const PRESENCE_CHANNEL_PREFIX = `${PREFIX}presence:`;

declare const relayIdBrand: unique symbol;
/** One relay process's id: 12 base64url characters (72 random bits), new at every start. */
export type RelayId = string & { readonly [relayIdBrand]: true };

const RELAY_ID_PATTERN = /^[A-Za-z0-9_-]{12}$/;

export function isRelayId(value: unknown): value is RelayId {
  return typeof value === 'string' && RELAY_ID_PATTERN.test(value);
}

/** The precision-5 cell a precision-5/6 geohash (a home or a watch prefix) belongs to. */
export function cellOf(geohash: string): string {
  return geohash.slice(0, MIN_WATCH_PRECISION);
}

export const relayAliveKey = (relay: RelayId): string => `${PREFIX}relay:${relay}`;
export const cellRelaysKey = (cell: string): string => `${PREFIX}cell:${cell}:relays`;
export const cellSliceKey = (cell: string, relay: RelayId): string => `${PREFIX}cell:${cell}:relay:${relay}`;
export const peerKey = (peer: PeerId): string => `${PREFIX}peer:${peer}`;
export const presenceChannel = (cell: string): string => `${PRESENCE_CHANNEL_PREFIX}${cell}`;
export const signalChannel = (relay: RelayId): string => `${PREFIX}signals:${relay}`;

/** The cell a presence channel is about, or null for any other channel name. */
export function cellOfPresenceChannel(channel: string): string | null {
  if (!channel.startsWith(PRESENCE_CHANNEL_PREFIX)) return null;
  const cell = channel.slice(PRESENCE_CHANNEL_PREFIX.length);
  return isGeohash(cell, MIN_WATCH_PRECISION) ? cell : null;
}
