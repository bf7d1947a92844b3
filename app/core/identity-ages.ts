/**
 * How old each identity is, as this peer can vouch for it: since it first saw the key
 * carry a valid proof of work (in a presence claim, a message or a flag), and never older
 * than that proof's window. What others say (a message's send time, a proof's window) can
 * be back-dated by up to half an hour, so only one's own observation counts; a peer that
 * just arrived sees everyone as new for its first two minutes.
 */

/** An identity younger than this is "new": its flags do not count, its messages are marked. */
export const NEW_IDENTITY_MS = 2 * 60 * 1000;

export class IdentityAges {
  /** key → the moment from which we vouch for it (first sight, or its proof's window if later). */
  private readonly since = new Map<string, number>();

  constructor(private readonly maxKeys: number) {
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new TypeError('maxKeys must be a positive integer');
  }

  /**
   * Records that `key` was seen at `nowMs` with a valid proof whose window starts at
   * `windowStartMs`. Only the first sighting counts; a key forgotten for room is new again.
   */
  observe(key: string, windowStartMs: number, nowMs: number): void {
    if (this.since.has(key)) return;
    if (this.since.size >= this.maxKeys) {
      const oldest = this.since.keys().next().value;
      if (oldest !== undefined) this.since.delete(oldest);
    }
    this.since.set(key, Math.max(nowMs, windowStartMs));
  }

  /** How long we can vouch that `key` has existed, in ms (0 for a key never seen). */
  ageMs(key: string, nowMs: number): number {
    const since = this.since.get(key);
    return since === undefined ? 0 : Math.max(0, nowMs - since);
  }

  /** When `key` stops being new, or null if never seen. */
  comesOfAgeAt(key: string): number | null {
    const since = this.since.get(key);
    return since === undefined ? null : since + NEW_IDENTITY_MS;
  }
}
