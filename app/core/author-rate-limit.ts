/**
 * At most N messages per minute from one author, counted by each receiver. A sliding
 * window of send times per author key; the table of authors is bounded too.
 */

export const MAX_MESSAGES_PER_MINUTE = 10;
const WINDOW_MS = 60_000;

export class AuthorRateLimit {
  /** author key → send times inside the window, oldest first */
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly maxAuthors: number,
    private readonly limit: number = MAX_MESSAGES_PER_MINUTE,
  ) {
    if (!Number.isInteger(maxAuthors) || maxAuthors < 1) throw new TypeError('maxAuthors must be a positive integer');
  }

  /**
   * Records a message sent by `author` at `sentAtMs` and says whether it keeps every
   * 60-second window of that author's send times at or under the limit. Judged on send
   * times, so history arriving late or out of order is judged as it was sent.
   */
  allow(author: string, sentAtMs: number): boolean {
    const nearby = (this.recent.get(author) ?? []).filter((time) => Math.abs(time - sentAtMs) < WINDOW_MS);
    const times = [...nearby, sentAtMs].sort((a, b) => a - b);
    if (busiestWindow(times) > this.limit) return false;
    // Re-inserting keeps the Map in least-recently-active order for eviction below.
    this.recent.delete(author);
    this.recent.set(author, times);
    if (this.recent.size > this.maxAuthors) {
      const quietest = this.recent.keys().next().value;
      if (quietest !== undefined) this.recent.delete(quietest);
    }
    return true;
  }
}

/** Most entries of sorted `times` inside any window shorter than WINDOW_MS. */
function busiestWindow(times: readonly number[]): number {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end += 1) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= WINDOW_MS) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}
