/**
 * Pulling message bodies that neighbours announced (`have`): each missing id is asked of
 * one announcer at a time, at most `maxInFlightPerLink` ids per link (so a newcomer's
 * history of thousands arrives in batches a data channel can buffer), and asked of the
 * next announcer when the body has not come within `timeoutMs`. Pure: the router feeds
 * it announcements, arrivals, time and gone links, and sends the `want` frames it returns.
 */

export interface WantTrackerOptions {
  readonly timeoutMs: number;
  readonly maxInFlightPerLink: number;
  /** Most ids waiting at once; announcements beyond it are ignored until there is room. */
  readonly maxPending: number;
  readonly now: () => number;
}

interface Pending {
  /** Links that announced the id and have not been asked yet, first announcer first. */
  readonly announcers: string[];
  /** The link asked, and when; null while waiting for a link with room. */
  askedLink: string | null;
  askedAtMs: number;
}

/** `want` frames to send: link → ids. */
export type WantBatch = Map<string, string[]>;

export class WantTracker {
  private readonly pending = new Map<string, Pending>();
  private readonly inFlight = new Map<string, number>();
  /** Ids not asked of anyone right now, oldest first (so `assign` need not scan the asked ones). */
  private readonly unasked = new Set<string>();

  constructor(private readonly options: WantTrackerOptions) {}

  get size(): number {
    return this.pending.size;
  }

  /** Ids waiting for a body (asked or not). */
  isPending(id: string): boolean {
    return this.pending.has(id);
  }

  /** `link` announced ids we do not hold (the caller filters out the ones it has seen). */
  announced(link: string, ids: readonly string[]): WantBatch {
    for (const id of ids) {
      const entry = this.pending.get(id);
      if (entry !== undefined) {
        if (entry.askedLink !== link && !entry.announcers.includes(link)) entry.announcers.push(link);
        continue;
      }
      if (this.pending.size >= this.options.maxPending) continue;
      this.pending.set(id, { announcers: [link], askedLink: null, askedAtMs: 0 });
      this.unasked.add(id);
    }
    return this.assign();
  }

  /** The body of `id` arrived (from anyone): no longer wanted. */
  arrived(id: string): WantBatch {
    const entry = this.pending.get(id);
    if (entry === undefined) return new Map();
    this.forget(id);
    if (entry.askedLink !== null) this.release(entry.askedLink);
    return this.assign();
  }

  /** Asks again, of the next announcer, for bodies overdue; gives up on ids nobody else announced. */
  expire(): WantBatch {
    const nowMs = this.options.now();
    for (const [id, entry] of this.pending) {
      if (entry.askedLink === null || nowMs - entry.askedAtMs < this.options.timeoutMs) continue;
      this.release(entry.askedLink);
      entry.askedLink = null;
      if (entry.announcers.length === 0) this.forget(id);
      else this.unasked.add(id);
    }
    return this.assign();
  }

  /** A link went away: what was asked of it is asked of others. */
  linkGone(link: string): WantBatch {
    this.inFlight.delete(link);
    for (const [id, entry] of this.pending) {
      const index = entry.announcers.indexOf(link);
      if (index >= 0) entry.announcers.splice(index, 1);
      if (entry.askedLink === link) {
        entry.askedLink = null;
        this.unasked.add(id);
      }
      if (entry.askedLink === null && entry.announcers.length === 0) this.forget(id);
    }
    return this.assign();
  }

  /** When the next overdue check is useful, or null when nothing is asked. */
  nextDeadlineMs(): number | null {
    let next: number | null = null;
    for (const entry of this.pending.values()) {
      if (entry.askedLink === null) continue;
      const due = entry.askedAtMs + this.options.timeoutMs;
      if (next === null || due < next) next = due;
    }
    return next;
  }

  clear(): void {
    this.pending.clear();
    this.inFlight.clear();
    this.unasked.clear();
  }

  private forget(id: string): void {
    this.pending.delete(id);
    this.unasked.delete(id);
  }

  private release(link: string): void {
    const count = (this.inFlight.get(link) ?? 1) - 1;
    if (count <= 0) this.inFlight.delete(link);
    else this.inFlight.set(link, count);
  }

  /** Gives every unasked id to its first announcer with room. */
  private assign(): WantBatch {
    const batch: WantBatch = new Map();
    const nowMs = this.options.now();
    for (const id of this.unasked) {
      const entry = this.pending.get(id);
      if (entry === undefined || entry.askedLink !== null) {
        this.unasked.delete(id);
        continue;
      }
      const index = entry.announcers.findIndex((link) => (this.inFlight.get(link) ?? 0) < this.options.maxInFlightPerLink);
      if (index < 0) continue;
      const [link] = entry.announcers.splice(index, 1) as [string];
      entry.askedLink = link;
      entry.askedAtMs = nowMs;
      this.unasked.delete(id);
      this.inFlight.set(link, (this.inFlight.get(link) ?? 0) + 1);
      const ids = batch.get(link) ?? [];
      ids.push(id);
      batch.set(link, ids);
    }
    return batch;
  }
}
