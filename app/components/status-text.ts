/** What the status line says (pure, so it is unit-tested). */

import type { RelayStatus } from '../session/session-state.ts';

const RELAY_TEXT = {
  connecting: 'Connecting to relay…',
  connected: 'Connected to relay',
  reconnecting: 'Relay unreachable — reconnecting',
} as const satisfies Record<RelayStatus, string>;

function peersText(count: number): string {
  return `${count} ${count === 1 ? 'peer' : 'peers'}`;
}

/** What the status line says in a browser without WebRTC (the relay is never contacted). */
export const NO_PEERS_TEXT = 'Cannot connect to people nearby in this browser';

/**
 * The status line: network, relay, and the peers that keep the chat going without it;
 * `NO_PEERS_TEXT` when the browser cannot make peer connections at all.
 */
export function statusText(relay: RelayStatus, directLinks: number, isOnline: boolean, canConnectToPeers = true): string {
  if (!canConnectToPeers) return NO_PEERS_TEXT;
  if (!isOnline) return directLinks === 0 ? 'Offline — no network' : `Offline — still connected to ${peersText(directLinks)}`;
  if (directLinks === 0) return RELAY_TEXT[relay];
  return relay === 'connected' ? `${RELAY_TEXT.connected} · ${peersText(directLinks)}` : `${RELAY_TEXT[relay]} · still connected to ${peersText(directLinks)}`;
}
