/**
 * Bounded sets of message ids. `SeenIds` remembers every id this peer has judged (kept,
 * dropped or forwarded) until the message could no longer be valid anywhere, so nothing
 * is verified or forwarded twice; `RecentIds` is a plain bounded set (oldest out first).
 * Both rely on a Map keeping insertion order.
 */

export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly maxIds: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    this.ids.add(id);
    if (this.ids.size > this.maxIds) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }
}

export interface SeenIdsOptions {
  /** How long an id is remembered: as long as its message can be valid (30 min + clock skew). */
  readonly forgetAfterMs: number;
  /** Most ids kept; beyond it the oldest are forgotten early (a flood must not grow memory). */
  readonly maxIds: number;
  readonly now: () => number;
}

export class SeenIds {
  /** id → when first seen, oldest first. */
  private readonly seenAt = new Map<string, number>();

  constructor(private readonly options: SeenIdsOptions) {}

  get size(): number {
    return this.seenAt.size;
  }

  has(id: string): boolean {
    this.forgetOld();
    return this.seenAt.has(id);
  }

  add(id: string): void {
    this.forgetOld();
    if (this.seenAt.has(id)) return;
    this.seenAt.set(id, this.options.now());
    if (this.seenAt.size > this.options.maxIds) {
      const oldest = this.seenAt.keys().next().value;
      if (oldest !== undefined) this.seenAt.delete(oldest);
    }
  }

  clear(): void {
    this.seenAt.clear();
  }

  /** Drops ids older than `forgetAfterMs`: only the head of the map can be. */
  private forgetOld(): void {
    const cutoffMs = this.options.now() - this.options.forgetAfterMs;
    for (const [id, atMs] of this.seenAt) {
      if (atMs > cutoffMs) return;
      this.seenAt.delete(id);
    }
  }
}
