/**
 * The highest presence sequence number each key has claimed, on any link, so a first
 * claim on a new link numbered below it (a replay of an earlier incarnation's claim) is
 * refused. Bounded: the keys heard of least recently are forgotten first.
 */

/** Keys remembered by default. */
export const MAX_REMEMBERED_KEYS = 4_096;

export class PresenceSeqMemory {
  private readonly lastSeqByKey = new Map<string, number>();

  constructor(private readonly maxKeys: number = MAX_REMEMBERED_KEYS) {
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError(`maxKeys must be a positive integer, not ${maxKeys}`);
  }

  /** Whether `seq` is below the highest number `key` has already claimed. */
  isStale(key: string, seq: number): boolean {
    return seq < (this.lastSeqByKey.get(key) ?? -1);
  }

  /** Notes a claim taken; the key becomes the most recently heard of. */
  remember(key: string, seq: number): void {
    const known = this.lastSeqByKey.get(key) ?? -1;
    this.lastSeqByKey.delete(key);
    this.lastSeqByKey.set(key, Math.max(known, seq));
    if (this.lastSeqByKey.size > this.maxKeys) {
      const oldest = this.lastSeqByKey.keys().next().value;
      if (oldest !== undefined) this.lastSeqByKey.delete(oldest);
    }
  }
}
