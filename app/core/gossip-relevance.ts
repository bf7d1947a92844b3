/**
 * For whom a chat message matters on its way through the mesh. Recipients are in mutual
 * range of the author (they show it). Bridges are inside the author's circle widened by
 * a margin but not recipients (their own radius is smaller, or they sit just outside):
 * they carry the message toward recipients that no recipient is linked to. Nobody else
 * gets it, so a message never spreads beyond the neighbourhood of its author.
 */

import { distanceBetween, type Position } from './position.ts';
import { isInMutualRange } from './visibility.ts';

export type Relevance = 'recipient' | 'bridge' | 'none';

/** Where a message was written and how far it reaches. */
export interface MessageReach {
  readonly position: Position;
  readonly radiusM: number;
}

/** Where a peer is and its own radius. */
export interface PeerPlace {
  readonly position: Position;
  readonly radiusM: number;
}

/**
 * How far beyond the author's radius a bridge may be: a quarter of the radius plus 150 m.
 * Links run to the nearest peers in every direction (see mesh-policy.ts), so a path
 * between two people in the circle rarely leaves it by more than a link's length; the
 * margin lets such paths through without sending the message across town.
 */
export function bridgeMarginM(radiusM: number): number {
  return radiusM / 4 + 150;
}

export function relevanceOf(message: MessageReach, peer: PeerPlace): Relevance {
  const distance = distanceBetween(message.position, peer.position);
  if (isInMutualRange(distance, message.radiusM, peer.radiusM)) return 'recipient';
  return distance <= message.radiusM + bridgeMarginM(message.radiusM) ? 'bridge' : 'none';
}
