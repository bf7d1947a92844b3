/**
 * Where a message could go when it was sent: gossip carries it only among peers inside its
 * zone (recipients and bridges: the author's circle widened by the bridge margin, see
 * app/core/gossip-relevance.ts), so a recipient that no chain of open links inside the zone
 * joined to the author at that moment can only get it once the links change. The report
 * uses this to tell misses of the overlay's shape from misses of the gossip.
 */

import { bridgeMarginM } from '../../app/core/gossip-relevance.ts';
import { distanceBetween, type Position } from '../../app/core/position.ts';
import type { SentMessage } from './ground-truth.ts';
import type { LinkRegistry } from './link-registry.ts';

export interface PlacedPeer {
  readonly index: number;
  readonly position: Position | null;
  readonly isPresent: boolean;
}

/** The peers present inside `message`'s zone now. */
export function peersInZone(message: Pick<SentMessage, 'position' | 'radiusM'>, peers: Iterable<PlacedPeer>): number[] {
  const reachM = message.radiusM + bridgeMarginM(message.radiusM);
  const inside: number[] = [];
  for (const peer of peers) if (peer.isPresent && peer.position !== null && distanceBetween(message.position, peer.position) <= reachM) inside.push(peer.index);
  return inside;
}

/** The peers the author reaches now over open links without leaving `message`'s zone. */
export function reachableInZone(message: SentMessage, peers: Iterable<PlacedPeer>, registry: LinkRegistry): ReadonlySet<number> {
  return registry.reachableWithin(message.authorIndex, peersInZone(message, peers));
}
