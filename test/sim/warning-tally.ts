/**
 * Counts `console.warn` calls by message while a run is under way (the app warns about
 * relay refusals and negotiation errors, once per peer), then restores it. Bench only:
 * tests leave the console alone.
 */

const MAX_DISTINCT = 50;

export class WarningTally {
  private readonly counts = new Map<string, number>();
  private original: typeof console.warn | null = null;
  private total = 0;

  start(): void {
    if (this.original !== null) return;
    this.original = console.warn;
    console.warn = (...parts: unknown[]) => {
      this.total += 1;
      // Link ids and numbers differ per peer; the rest says what happened.
      const text = parts.map(String).join(' ').replace(/[A-Za-z0-9_-]{22}/g, '<id>').replace(/\d+/g, 'N').slice(0, 160);
      if (this.counts.has(text) || this.counts.size < MAX_DISTINCT) this.counts.set(text, (this.counts.get(text) ?? 0) + 1);
    };
  }

  stop(): void {
    if (this.original === null) return;
    console.warn = this.original;
    this.original = null;
  }

  /** Lines for stderr: the total and the most frequent warnings. */
  summary(): string[] {
    if (this.total === 0) return ['app warnings: none'];
    const top = [...this.counts].sort(([, a], [, b]) => b - a).slice(0, 8);
    return [`app warnings: ${this.total}`, ...top.map(([text, count]) => `  ${count} × ${text}`)];
  }
}
