/**
 * Our own proof of work: made once the session key exists (behind the location and
 * username screens), kept while valid, made again ten minutes before it lapses, and
 * handed to whoever needs one valid at a given time (a presence claim, a message).
 */

import { isValidProof, POW_RENEW_AFTER_MS, powWindowStart, type ProofOfWork } from '../core/proof-of-work.ts';
import type { ProofMaker } from '../identity/proof-maker.ts';

export interface OwnProofOptions {
  readonly maker: ProofMaker;
  readonly difficultyBits: number;
  readonly now: () => number;
  /** A new proof is ready (the first, or a renewal): claims should carry it from now on. */
  readonly onProof: (proof: ProofOfWork) => void;
  /** Making started, progressed or ended (see `progress`). */
  readonly onProgress: () => void;
}

export class OwnProof {
  private key: string | null = null;
  private proof: ProofOfWork | null = null;
  private making: Promise<ProofOfWork> | null = null;
  private progressValue: number | null = null;
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly options: OwnProofOptions) {}

  /** The chance, 0..1, that the proof being made would be found by now; null when not making. */
  get progress(): number | null {
    return this.progressValue;
  }

  /** The current proof, or null before the first is made. */
  get current(): ProofOfWork | null {
    return this.proof;
  }

  /** Starts with our key: keeps `saved` (a reload) when it is still good, else makes one. */
  start(key: string, saved: ProofOfWork | null): void {
    this.key = key;
    if (saved !== null && this.isGoodAt(saved, this.options.now())) {
      this.proof = saved;
      this.scheduleRenewal(saved);
      return;
    }
    this.renew().catch((err: unknown) => this.warn(err));
  }

  /** A proof valid at `atMs` (ours, or a new one once made). Rejects after `dispose()`. */
  validAt(atMs: number): Promise<ProofOfWork> {
    const proof = this.proof;
    // One made for the window `atMs` falls in is as good as we can make: never made again
    // for that time (a maker whose proofs fail would otherwise be asked forever).
    if (proof !== null && (this.isGoodAt(proof, atMs) || proof.windowStartMs >= powWindowStart(atMs))) return Promise.resolve(proof);
    return this.renew();
  }

  dispose(): void {
    this.abort.abort();
    clearTimeout(this.renewTimer);
    this.renewTimer = undefined;
  }

  private isGoodAt(proof: ProofOfWork, atMs: number): boolean {
    return this.key !== null && isValidProof(this.key, proof, atMs, this.options.difficultyBits);
  }

  private renew(): Promise<ProofOfWork> {
    if (this.making !== null) return this.making;
    const key = this.key;
    if (key === null) return Promise.reject(new Error('no session key yet'));
    if (this.abort.signal.aborted) return Promise.reject(new Error('proof of work stopped'));
    this.progressValue = 0;
    this.options.onProgress();
    const job = { key, windowStartMs: powWindowStart(this.options.now()), difficultyBits: this.options.difficultyBits };
    const making = this.options.maker
      .make(
        job,
        (fraction) => {
          this.progressValue = fraction;
          this.options.onProgress();
        },
        this.abort.signal,
      )
      .then(
        (proof) => {
          this.making = null;
          this.progressValue = null;
          this.proof = proof;
          this.scheduleRenewal(proof);
          this.options.onProgress();
          this.options.onProof(proof);
          return proof;
        },
        (err: unknown) => {
          this.making = null;
          this.progressValue = null;
          this.options.onProgress();
          throw err;
        },
      );
    this.making = making;
    return making;
  }

  private scheduleRenewal(proof: ProofOfWork): void {
    clearTimeout(this.renewTimer);
    if (this.abort.signal.aborted) return;
    const delayMs = Math.max(0, proof.windowStartMs + POW_RENEW_AFTER_MS - this.options.now());
    this.renewTimer = setTimeout(() => {
      this.renewTimer = undefined;
      this.renew().catch((err: unknown) => this.warn(err));
    }, delayMs);
  }

  private warn(err: unknown): void {
    if (this.abort.signal.aborted) return;
    console.warn('our proof of work could not be made:', err instanceof Error ? err.message : String(err));
  }
}
