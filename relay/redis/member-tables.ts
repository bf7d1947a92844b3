/**
 * What the Redis router remembers about peers, by cell and by relay. Pure bookkeeping;
 * the hub's CellIndex stays the one place that decides who sees whom.
 */

import type { PeerId } from '../../app/core/protocol.ts';
import { cellOf, type RelayId } from './redis-keys.ts';
import type { PresenceEntry } from './redis-messages.ts';

/** A present client of this relay, as written to Redis. */
export interface LocalMember extends PresenceEntry {
  /** Its home's precision-5 cell: where its snapshot entry lives. */
  readonly cell: string;
  /** The distinct cells its watch prefixes lie in: what it makes this relay follow. */
  readonly watchedCells: readonly string[];
  /** The start of every signal header it sends (see `signalHeaderPrefix`). */
  readonly headerPrefix: string;
}

/** The distinct precision-5 cells of some watch prefixes. */
export function watchedCellsOf(watch: readonly string[]): string[] {
  return [...new Set(watch.map(cellOf))];
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([value]));
  else set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

/** This relay's present clients. */
export class LocalMembers {
  private readonly members = new Map<PeerId, LocalMember>();
  private readonly byCell = new Map<string, Set<PeerId>>();

  get size(): number {
    return this.members.size;
  }

  get(id: PeerId): LocalMember | undefined {
    return this.members.get(id);
  }

  /** Records `member` for `id`; returns what it replaced. */
  set(id: PeerId, member: LocalMember): LocalMember | undefined {
    const previous = this.members.get(id);
    if (previous !== undefined) removeFrom(this.byCell, previous.cell, id);
    this.members.set(id, member);
    addTo(this.byCell, member.cell, id);
    return previous;
  }

  /** Forgets `id`; returns what it was. */
  delete(id: PeerId): LocalMember | undefined {
    const previous = this.members.get(id);
    if (previous === undefined) return undefined;
    this.members.delete(id);
    removeFrom(this.byCell, previous.cell, id);
    return previous;
  }

  /** Cells where at least one local client lives. */
  cells(): string[] {
    return [...this.byCell.keys()];
  }

  /** The local clients living in `cell`, with their entries. */
  inCell(cell: string): Array<[PeerId, LocalMember]> {
    const result: Array<[PeerId, LocalMember]> = [];
    for (const id of this.byCell.get(cell) ?? []) {
      const member = this.members.get(id);
      if (member !== undefined) result.push([id, member]);
    }
    return result;
  }

  ids(): IterableIterator<PeerId> {
    return this.members.keys();
  }
}

/** Peers of other relays that this relay has handed to its hub: who holds them, where they live. */
export class RemoteMembers {
  private readonly members = new Map<PeerId, { readonly relay: RelayId; readonly cell: string }>();
  private readonly byRelay = new Map<RelayId, Set<PeerId>>();
  private readonly byCell = new Map<string, Set<PeerId>>();

  get size(): number {
    return this.members.size;
  }

  relayOf(id: PeerId): RelayId | undefined {
    return this.members.get(id)?.relay;
  }

  cellOf(id: PeerId): string | undefined {
    return this.members.get(id)?.cell;
  }

  set(id: PeerId, relay: RelayId, cell: string): void {
    this.delete(id);
    this.members.set(id, { relay, cell });
    addTo(this.byRelay, relay, id);
    addTo(this.byCell, cell, id);
  }

  /** Forgets `id`; true when it was known. */
  delete(id: PeerId): boolean {
    const member = this.members.get(id);
    if (member === undefined) return false;
    this.members.delete(id);
    removeFrom(this.byRelay, member.relay, id);
    removeFrom(this.byCell, member.cell, id);
    return true;
  }

  /** Relays holding at least one known peer. */
  relays(): RelayId[] {
    return [...this.byRelay.keys()];
  }

  ofRelay(relay: RelayId): PeerId[] {
    return [...(this.byRelay.get(relay) ?? [])];
  }

  inCell(cell: string): PeerId[] {
    return [...(this.byCell.get(cell) ?? [])];
  }

  ids(): PeerId[] {
    return [...this.members.keys()];
  }
}

/**
 * Which relay holds a peer this relay looked up (peer ids never move between relays), so
 * a conversation costs one lookup. Bounded: the oldest entry goes first.
 */
export class RouteCache {
  private readonly routes = new Map<PeerId, RelayId>();

  constructor(private readonly capacity: number) {}

  get(id: PeerId): RelayId | undefined {
    return this.routes.get(id);
  }

  set(id: PeerId, relay: RelayId): void {
    this.routes.delete(id);
    this.routes.set(id, relay);
    if (this.routes.size <= this.capacity) return;
    const oldest = this.routes.keys().next();
    if (oldest.done !== true) this.routes.delete(oldest.value);
  }

  delete(id: PeerId): void {
    this.routes.delete(id);
  }
}
