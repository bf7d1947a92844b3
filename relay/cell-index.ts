/**
 * Presence by geohash cell: who is present in which precision-6 home cell, who watches
 * which precision-5/6 prefix, and — for crowds — who has been told of whom. Pure and
 * synchronous; the relay turns the changes it reports into frames. Every map entry is
 * removed when its set empties, so the index holds nothing for cells nobody uses.
 *
 * Bounded presence (protocol version 2). Telling every watcher of every event costs the
 * relay O(crowd) frames per arrival and every phone O(crowd) frames it has no use for.
 * So each member has an audience: the local clients that were told of it (in a `peers`
 * answer or a `peer-joined`), at most PRESENCE_FANOUT of them. Only its audience hears of
 * its moves and its departure. In a view of up to PRESENCE_FULL_VIEW people everyone is told
 * of everyone, as in version 1. In a crowd a new arrival is told to 16
 * watchers chosen at random among those with room, and an answer lists a random sample of
 * PRESENCE_SAMPLE_SIZE (own home cell first) among members whose audience has room. The
 * cap is twice the full view, so a group that has just grown into a crowd (everyone told
 * of everyone) still has room for newcomers' answers, and in a lasting crowd a member's
 * audience settles around the sample size plus the arrival fan-out, well under it. Each
 * client is told of at most PRESENCE_FANOUT peers at once, and of at most a minute's
 * budget of arrivals. Everything here costs O(PRESENCE_FANOUT) per event and memory linear
 * in people.
 */

import {
  HOME_PRECISION,
  MIN_WATCH_PRECISION,
  PRESENCE_FANOUT,
  PRESENCE_FULL_VIEW,
  PRESENCE_SAMPLE_SIZE,
  type PeerId,
  type PeerPresence,
} from '../app/core/protocol.ts';
import { GEOHASH_ALPHABET } from '../app/core/geohash.ts';
import { RandomSet } from './random-set.ts';
import { TokenBucket } from './token-bucket.ts';

/** The sizes of bounded presence; the protocol's by default, smaller in simulations of crowds. */
export interface PresenceLimits {
  /** Most clients told of one event (an audience's cap). */
  readonly fanout: number;
  /** A view of up to this many is told everything. */
  readonly fullView: number;
  /** Peers listed in a crowd's answer. */
  readonly sampleSize: number;
  /** Watchers told of one arrival in a crowd. */
  readonly arrivalFanout: number;
  /** Most peers one client is told of at once (its answer plus arrivals since). */
  readonly maxKnown: number;
  /** Arrivals a client may be told of at once, and per minute after that. */
  readonly arrivalsBurst: number;
  readonly arrivalsPerMinute: number;
}

export const DEFAULT_PRESENCE_LIMITS: PresenceLimits = {
  fanout: PRESENCE_FANOUT,
  fullView: PRESENCE_FULL_VIEW,
  sampleSize: PRESENCE_SAMPLE_SIZE,
  arrivalFanout: 16,
  maxKnown: PRESENCE_FANOUT,
  arrivalsBurst: PRESENCE_FULL_VIEW,
  arrivalsPerMinute: 60,
};
/** Random draws per wanted recipient before a sample settles for fewer (full or out of budget). */
const DRAWS_PER_PICK = 4;

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

/** A join's answer: the peers listed, and whether they are a sample of a larger view. */
export interface PresenceAnswer {
  readonly peers: PeerPresence[];
  readonly isSampled: boolean;
}

export class CellIndex {
  private readonly members = new Map<PeerId, Member>();
  /** home cell → ids present in it */
  private readonly homes = new Map<string, RandomSet<PeerId>>();
  /** watch prefix → local ids watching it (others' relays tell their own clients) */
  private readonly watchers = new Map<string, RandomSet<PeerId>>();
  /** member → the local clients told of it */
  private readonly audiences = new Map<PeerId, Set<PeerId>>();
  /** local client → the members it was told of */
  private readonly known = new Map<PeerId, Set<PeerId>>();
  /** local client → its budget of arrivals told */
  private readonly arrivalBudgets = new Map<PeerId, TokenBucket>();
  private remoteMembers = 0;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly random: () => number = Math.random,
    private readonly limits: PresenceLimits = DEFAULT_PRESENCE_LIMITS,
  ) {
    const { fanout, fullView, sampleSize, arrivalFanout, maxKnown, arrivalsBurst, arrivalsPerMinute } = limits;
    const sizes = { fanout, fullView, sampleSize, arrivalFanout, maxKnown, arrivalsBurst, arrivalsPerMinute };
    for (const [name, size] of Object.entries(sizes)) {
      if (!Number.isInteger(size) || size < 1) throw new TypeError(`presence limit ${name} must be a whole number ≥ 1: ${size}`);
    }
    if (fullView > fanout || sampleSize > fanout || arrivalFanout > fanout) {
      throw new TypeError('presence limits: the full view, the sample and the arrival fan-out must each fit in the fan-out');
    }
  }

  /** For each client told of anyone: how many peers it was told of and not yet told left (tests: the bound holds). */
  knownCounts(): number[] {
    return [...this.known.values()].map((known) => known.size);
  }

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
  /** Number of prefixes watched by at least one local member. */
  get watchedPrefixCount(): number {
    return this.watchers.size;
  }

  /** Entries of the crowd bookkeeping (tests: nothing is left behind). */
  sizes(): { audiences: number; known: number; budgets: number } {
    return { audiences: this.audiences.size, known: this.known.size, budgets: this.arrivalBudgets.size };
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
   * reports whom to tell. Its audience hears `peer-joined` when it changes home and still
   * lies in their view, `peer-left` when it leaves their view; a new home is told to up to
   * PRESENCE_FANOUT more watchers with room. `isRemote`: the member is another relay's.
   */
  join(id: PeerId, home: string, watch: readonly string[], isRemote = false): PresenceChange {
    const previous = this.members.get(id);
    if (previous !== undefined) this.unindex(previous);
    const member: Member = { id, home, watch: new Set(watch), isRemote };
    this.members.set(id, member);
    this.remoteMembers += (isRemote ? 1 : 0) - (previous?.isRemote === true ? 1 : 0);
    addTo(this.homes, home, id);
    if (!isRemote) for (const prefix of member.watch) addTo(this.watchers, prefix, id);

    const isSameHome = previous?.home === home;
    const notifyJoined: PeerId[] = [];
    const notifyLeft: PeerId[] = [];
    for (const watcher of this.audiences.get(id) ?? []) {
      const watcherMember = this.members.get(watcher);
      if (watcher !== id && watcherMember !== undefined && watchCovers(watcherMember.watch, home)) {
        if (!isSameHome) notifyJoined.push(watcher);
        continue;
      }
      this.forget(watcher, id);
      if (watcher !== id) notifyLeft.push(watcher);
    }
    if (!isSameHome) {
      for (const watcher of this.pickWatchers(id, home)) {
        this.tell(watcher, id);
        notifyJoined.push(watcher);
      }
    }
    return { notifyJoined, notifyLeft };
  }

  /** Removes `id`; returns the watchers that must hear `peer-left` (empty if it was not present). */
  leave(id: PeerId): readonly PeerId[] {
    const member = this.members.get(id);
    if (member === undefined) return [];
    const audience = [...(this.audiences.get(id) ?? [])];
    for (const watcher of audience) removeFrom(this.known, watcher, id);
    this.audiences.delete(id);
    this.forgetAllKnownBy(id);
    this.arrivalBudgets.delete(id);
    this.unindex(member);
    this.members.delete(id);
    if (member.isRemote) this.remoteMembers -= 1;
    return audience;
  }

  /**
   * The answer to `id`'s join, which replaces what it was told before: every other member
   * whose home starts with one of its watch prefixes when there are at most the full view
   * (64) of them, else a random sample of PRESENCE_SAMPLE_SIZE (among members whose audience
   * has room), those sharing `id`'s home cell first.
   */
  answerFor(id: PeerId): PresenceAnswer {
    const member = this.members.get(id);
    this.forgetAllKnownBy(id);
    if (member === undefined) return { peers: [], isSampled: false };
    const cells: { home: string; ids: RandomSet<PeerId> }[] = [];
    const seenCells = new Set<string>();
    const addCell = (home: string): void => {
      const ids = this.homes.get(home);
      if (ids === undefined || seenCells.has(home)) return;
      seenCells.add(home);
      cells.push({ home, ids });
    };
    if (watchCovers(member.watch, member.home)) addCell(member.home);
    for (const prefix of member.watch) {
      if (prefix.length === HOME_PRECISION) addCell(prefix);
      else for (const char of GEOHASH_ALPHABET) addCell(prefix + char);
    }
    const inView = cells.reduce((total, cell) => total + cell.ids.size, 0) - (watchCovers(member.watch, member.home) ? 1 : 0);
    const listed: PeerPresence[] = [];
    const isCrowd = inView > this.limits.fullView;
    const take = (other: PeerId, home: string): void => {
      if (other === id || this.known.get(id)?.has(other) === true) return;
      if (isCrowd && (listed.length >= this.limits.sampleSize || (this.audiences.get(other)?.size ?? 0) >= this.limits.fanout)) return;
      this.tell(id, other);
      listed.push({ id: other, home });
    };
    if (inView <= this.limits.fullView) {
      for (const cell of cells) for (const other of cell.ids) take(other, cell.home);
      return { peers: listed, isSampled: false };
    }
    // A crowd: random draws from the own home cell first (it was added first), then from the
    // other cells in proportion to their size.
    const ownCell = watchCovers(member.watch, member.home) ? cells[0] : undefined;
    if (ownCell !== undefined) this.draw(ownCell.ids, Math.min(this.limits.sampleSize, ownCell.ids.size), (other) => take(other, ownCell.home));
    const others = ownCell === undefined ? cells : cells.slice(1);
    const othersSize = others.reduce((total, cell) => total + cell.ids.size, 0);
    for (let draws = 0; draws < DRAWS_PER_PICK * this.limits.sampleSize && listed.length < this.limits.sampleSize && othersSize > 0; draws += 1) {
      let index = Math.floor(this.random() * othersSize);
      for (const cell of others) {
        if (index < cell.ids.size) {
          const other = cell.ids.at(index);
          if (other !== undefined) take(other, cell.home);
          break;
        }
        index -= cell.ids.size;
      }
    }
    return { peers: listed, isSampled: true };
  }

  /** True when `id` is present and one of its watch prefixes covers `home`. */
  watches(id: PeerId, home: string): boolean {
    const member = this.members.get(id);
    return member !== undefined && watchCovers(member.watch, home);
  }

  /** True when both are present and one of them watches the other's home cell. */
  areNearby(a: PeerId, b: PeerId): boolean {
    const memberA = this.members.get(a);
    const memberB = this.members.get(b);
    if (memberA === undefined || memberB === undefined) return false;
    return watchCovers(memberA.watch, memberB.home) || watchCovers(memberB.watch, memberA.home);
  }

  /**
   * Local watchers of `home` not yet told of `id`, with room and budget: all of them when
   * they are few (PRESENCE_FULL_VIEW), else the arrival fan-out at random; never more than
   * the audience cap allows.
   */
  private pickWatchers(id: PeerId, home: string): PeerId[] {
    const audience = this.audiences.get(id) ?? new Set<PeerId>();
    const pools = [this.watchers.get(home), this.watchers.get(home.slice(0, MIN_WATCH_PRECISION))].filter(
      (pool): pool is RandomSet<PeerId> => pool !== undefined,
    );
    const total = pools.reduce((sum, pool) => sum + pool.size, 0);
    const isCrowd = total > this.limits.fullView;
    const wanted = Math.min(this.limits.fanout - audience.size, isCrowd ? this.limits.arrivalFanout : this.limits.fullView);
    if (wanted <= 0) return [];
    const picked: PeerId[] = [];
    const consider = (watcher: PeerId): void => {
      if (picked.length >= wanted || watcher === id || audience.has(watcher) || picked.includes(watcher)) return;
      if ((this.known.get(watcher)?.size ?? 0) >= this.limits.maxKnown || !this.arrivalBudgetOf(watcher).take()) return;
      picked.push(watcher);
    };
    if (!isCrowd) {
      for (const pool of pools) for (const watcher of pool) consider(watcher);
      return picked;
    }
    for (let draws = 0; draws < DRAWS_PER_PICK * wanted && picked.length < wanted; draws += 1) {
      let index = Math.floor(this.random() * total);
      for (const pool of pools) {
        if (index < pool.size) {
          const watcher = pool.at(index);
          if (watcher !== undefined) consider(watcher);
          break;
        }
        index -= pool.size;
      }
    }
    return picked;
  }

  /** Draws up to `count` random members of `ids` (a few tries each) and hands each to `use`. */
  private draw(ids: RandomSet<PeerId>, count: number, use: (id: PeerId) => void): void {
    if (ids.size <= count) {
      for (const id of ids) use(id);
      return;
    }
    for (let draws = 0; draws < DRAWS_PER_PICK * count; draws += 1) {
      const id = ids.at(Math.floor(this.random() * ids.size));
      if (id !== undefined) use(id);
    }
  }

  private tell(watcher: PeerId, member: PeerId): void {
    addToSet(this.audiences, member, watcher);
    addToSet(this.known, watcher, member);
  }

  private forget(watcher: PeerId, member: PeerId): void {
    removeFrom(this.audiences, member, watcher);
    removeFrom(this.known, watcher, member);
  }

  private forgetAllKnownBy(watcher: PeerId): void {
    for (const member of this.known.get(watcher) ?? []) removeFrom(this.audiences, member, watcher);
    this.known.delete(watcher);
  }

  private arrivalBudgetOf(watcher: PeerId): TokenBucket {
    let budget = this.arrivalBudgets.get(watcher);
    if (budget === undefined) {
      budget = new TokenBucket(this.limits.arrivalsBurst, this.limits.arrivalsPerMinute / 60, this.now);
      this.arrivalBudgets.set(watcher, budget);
    }
    return budget;
  }

  private unindex(member: Member): void {
    removeFrom(this.homes, member.home, member.id);
    if (!member.isRemote) for (const prefix of member.watch) removeFrom(this.watchers, prefix, member.id);
  }
}

/** True when one of `watch`'s prefixes (precision 5 or 6) covers the precision-6 cell `home`. */
export function watchCovers(watch: ReadonlySet<string>, home: string): boolean {
  return watch.has(home) || watch.has(home.slice(0, MIN_WATCH_PRECISION));
}

interface Removable<V> {
  delete(value: V): boolean;
  readonly size: number;
}

function addTo<K, V>(map: Map<K, RandomSet<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (set === undefined) {
    set = new RandomSet<V>();
    map.set(key, set);
  }
  set.add(value);
}

function addToSet<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([value]));
  else set.add(value);
}

function removeFrom<K, V>(map: Map<K, Removable<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
