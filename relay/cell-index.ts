/**
 * Presence by geohash cell: who is present in which precision-6 home cell, and who
 * watches which precision-5/6 prefix. Pure and synchronous; the relay turns the
 * changes it reports into frames. Every map entry is removed when its set empties,
 * so the index holds nothing for cells nobody uses.
 */

import {
  HOME_PRECISION,
  MAX_LISTED_PEERS,
  MIN_WATCH_PRECISION,
  type PeerId,
  type PeerPresence,
} from '../app/core/protocol.ts';
import { GEOHASH_ALPHABET } from '../app/core/geohash.ts';

interface Member {
  readonly id: PeerId;
  readonly home: string;
  readonly watch: ReadonlySet<string>;
  /** Held by another relay (known through Redis), not by a connection of this one. */
  readonly isRemote: boolean;
}

/** What a join changed for the others: who must hear `peer-joined`, who `peer-left`. */
export interface PresenceChange {
  readonly notifyJoined: readonly PeerId[];
  readonly notifyLeft: readonly PeerId[];
}

export class CellIndex {
  private readonly members = new Map<PeerId, Member>();
  /** home cell → ids present in it */
  private readonly homes = new Map<string, Set<PeerId>>();
  /** watch prefix → ids watching it */
  private readonly watchers = new Map<string, Set<PeerId>>();
  private remoteMembers = 0;

  /** Number of present members, this relay's and others'. */
  get memberCount(): number {
    return this.members.size;
  }
  /** Number of present members held by other relays (always 0 without Redis). */
  get remoteMemberCount(): number {
    return this.remoteMembers;
  }
  /** Number of home cells with at least one member. */
  get homeCellCount(): number {
    return this.homes.size;
  }
  /** Number of prefixes watched by at least one member. */
  get watchedPrefixCount(): number {
    return this.watchers.size;
  }

  /** The home cell of a present member, or undefined. */
  homeOf(id: PeerId): string | undefined {
    return this.members.get(id)?.home;
  }

  /** True when `id` is present and held by another relay. */
  isRemote(id: PeerId): boolean {
    return this.members.get(id)?.isRemote === true;
  }

  /**
   * Makes `id` present in `home`, watching `watch` (replacing any earlier join), and
   * reports whom to tell. A watcher hears `peer-joined` when `id` enters its view or
   * changes home inside it, and `peer-left` when `id` leaves its view. `isRemote`: the
   * member is another relay's (the watchers reported are then this relay's and others').
   */
  join(id: PeerId, home: string, watch: readonly string[], isRemote = false): PresenceChange {
    const previous = this.members.get(id);
    const oldWatchers = previous === undefined ? new Set<PeerId>() : this.watchersOf(previous.home, id);
    if (previous !== undefined) this.unindex(previous);
    const member: Member = { id, home, watch: new Set(watch), isRemote };
    this.members.set(id, member);
    this.remoteMembers += (isRemote ? 1 : 0) - (previous?.isRemote === true ? 1 : 0);
    addTo(this.homes, home, id);
    for (const prefix of member.watch) addTo(this.watchers, prefix, id);

    const newWatchers = this.watchersOf(home, id);
    const isSameHome = previous?.home === home;
    const notifyJoined = [...newWatchers].filter((watcher) => !isSameHome || !oldWatchers.has(watcher));
    const notifyLeft = [...oldWatchers].filter((watcher) => !newWatchers.has(watcher));
    return { notifyJoined, notifyLeft };
  }

  /** Removes `id`; returns the watchers that must hear `peer-left` (empty if it was not present). */
  leave(id: PeerId): readonly PeerId[] {
    const member = this.members.get(id);
    if (member === undefined) return [];
    const watchers = this.watchersOf(member.home, id);
    this.unindex(member);
    this.members.delete(id);
    if (member.isRemote) this.remoteMembers -= 1;
    return [...watchers];
  }

  /**
   * The other members whose home starts with one of `id`'s watch prefixes: at most
   * MAX_LISTED_PEERS, those sharing `id`'s home cell first (the nearest by cells).
   */
  peersVisibleTo(id: PeerId): PeerPresence[] {
    const member = this.members.get(id);
    if (member === undefined) return [];
    const seen = new Set([id]);
    const listed: PeerPresence[] = [];
    const collect = (home: string): void => {
      for (const other of this.homes.get(home) ?? []) {
        if (listed.length >= MAX_LISTED_PEERS || seen.has(other)) continue;
        seen.add(other);
        listed.push({ id: other, home });
      }
    };
    if (this.isWatching(member, member.home)) collect(member.home);
    for (const prefix of member.watch) {
      if (prefix.length === HOME_PRECISION) collect(prefix);
      else for (const char of GEOHASH_ALPHABET) collect(prefix + char);
    }
    return listed;
  }

  /** True when `id` is present and one of its watch prefixes covers `home`. */
  watches(id: PeerId, home: string): boolean {
    const member = this.members.get(id);
    return member !== undefined && this.isWatching(member, home);
  }

  /** True when both are present and one of them watches the other's home cell. */
  areNearby(a: PeerId, b: PeerId): boolean {
    const memberA = this.members.get(a);
    const memberB = this.members.get(b);
    if (memberA === undefined || memberB === undefined) return false;
    return this.isWatching(memberA, memberB.home) || this.isWatching(memberB, memberA.home);
  }

  private isWatching(member: Member, home: string): boolean {
    return watchCovers(member.watch, home);
  }

  /** Members (other than `except`) watching a prefix of `home`. */
  private watchersOf(home: string, except: PeerId): Set<PeerId> {
    const result = new Set<PeerId>();
    for (const prefix of [home, home.slice(0, MIN_WATCH_PRECISION)]) {
      for (const watcher of this.watchers.get(prefix) ?? []) if (watcher !== except) result.add(watcher);
    }
    return result;
  }

  private unindex(member: Member): void {
    removeFrom(this.homes, member.home, member.id);
    for (const prefix of member.watch) removeFrom(this.watchers, prefix, member.id);
  }
}

/** True when one of `watch`'s prefixes (precision 5 or 6) covers the precision-6 cell `home`. */
export function watchCovers(watch: ReadonlySet<string>, home: string): boolean {
  return watch.has(home) || watch.has(home.slice(0, MIN_WATCH_PRECISION));
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
