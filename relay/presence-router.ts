/**
 * The seam between the hub (one relay's rules) and wherever presence and signals must
 * travel beyond this process. The hub keeps every present peer it knows in its CellIndex
 * and answers its own clients from it; a router tells other relays about this relay's
 * peers, feeds the hub theirs, and carries signals to peers held elsewhere.
 *
 * The embedded default (`createLocalRouter`) has no other relays: nothing to announce,
 * nobody elsewhere to signal. `redis/redis-router.ts` shares presence through Redis.
 */

import type { ErrorCode, PeerId } from '../app/core/protocol.ts';

/** What a router may tell the hub. Every call comes from the router's own I/O, never from a client. */
export interface RouterEvents {
  /** True when `id` is a connection of this relay (news about it from elsewhere is ignored). */
  isLocal(id: PeerId): boolean;
  /** A peer held by another relay is present in `home` (it joined, moved, or was loaded). */
  remotePresent(id: PeerId, home: string, watch: readonly string[]): void;
  /** A peer held by another relay is no longer known here (left, moved away, its relay died). */
  remoteAbsent(id: PeerId): void;
  /**
   * A signal from a peer on another relay for local peer `to`. `bareText` is the sender's
   * frame holding only type, to and data. Delivers it and returns null, or returns why not.
   */
  deliverSignal(sender: RemoteSender, to: PeerId, bareText: string): 'unknown-peer' | 'not-nearby' | null;
  /** A signal sent by local client `to` was refused (by another relay, or because none holds the peer). */
  refused(to: PeerId, code: 'unknown-peer' | 'not-nearby', message: string): void;
}

/** The sender of a signal that arrives from another relay, as that relay vouches for it. */
export interface RemoteSender {
  readonly id: PeerId;
  readonly home: string;
  readonly watch: ReadonlySet<string>;
}

/** Reported in `/health` when a router depends on a shared service. */
export interface RouterHealth {
  /** `up` when presence and signals reach other relays; `down` while Redis cannot be reached. */
  readonly redis: 'up' | 'down';
}

export interface PresenceRouter {
  /** A local client is present in `home` watching `watch` (a first join, a move or a new watch list). */
  announce(id: PeerId, home: string, watch: readonly string[]): void;
  /** A local client is no longer present (it left or disconnected). */
  withdraw(id: PeerId): void;
  /**
   * Null when everything `watch` covers is already known here, so the hub can answer a
   * join at once; otherwise a promise that settles (never rejects) once it is, or once
   * waiting longer would not help (Redis down, a bounded wait passed).
   */
  whenSynced(watch: readonly string[]): Promise<void> | null;
  /**
   * Carries a signal from local client `from` (present) to `to`, a peer not connected
   * here. Delivery or refusal (`RouterEvents.refused`) may come later; signals from one
   * sender to one peer keep their order.
   */
  routeSignal(from: PeerId, to: PeerId, bareText: string): void;
  /** Null without a shared service. */
  health(): RouterHealth | null;
  /** Extra Prometheus series (text exposition), or ''. */
  metricsText(): string;
  /** Releases connections and timers. Idempotent. */
  close(): Promise<void>;
}

/** Why a signal for a peer that is not here is refused when there is nowhere else to look. */
export const NO_SUCH_PEER_MESSAGE = 'No present peer has that id.';
/** Why a signal between two peers that are not near each other is refused. */
export const NOT_NEARBY_MESSAGE = "That peer is not near you: neither of you watches the other's cell.";

/** The embedded default: one relay, presence in memory, no other relays to reach. */
export function createLocalRouter(events: RouterEvents): PresenceRouter {
  return {
    announce: () => undefined,
    withdraw: () => undefined,
    whenSynced: () => null,
    routeSignal: (from) => events.refused(from, 'unknown-peer', NO_SUCH_PEER_MESSAGE),
    health: () => null,
    metricsText: () => '',
    close: () => Promise.resolve(),
  };
}
