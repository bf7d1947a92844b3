/**
 * The identity a page runs with, and its record in the store: restored when the profile
 * used it less than 30 minutes ago (same key, name and name changes left, presence
 * sequence going on from where it was), else made new. While the page runs it refreshes
 * the record's last-used time; "Start fresh" forgets it at once.
 */

import { EMPTY_SAFETY_RECORD, type SafetyRecord } from '../core/safety-record.ts';
import {
  IDENTITY_RECORD_VERSION,
  IDENTITY_TOUCH_MS,
  judgeIdentity,
  PresenceSeq,
  type IdentityRecord,
} from '../core/identity-record.ts';
import { MAX_USERNAME_CHANGES } from '../core/username.ts';
import type { IdentityStore, StoredIdentityRecord } from './identity-store.ts';
import { SessionIdentity } from './session-identity.ts';

export interface IdentityKeeperOptions {
  readonly store: IdentityStore;
  readonly now?: () => number;
}

export class IdentityKeeper {
  private record: StoredIdentityRecord;
  private readonly seq: PresenceSeq;
  /** Sequence numbers are handed out in order, each after the save it depends on. */
  private seqChain: Promise<unknown> = Promise.resolve();
  private touchTimer: ReturnType<typeof setInterval> | undefined;
  private isForgotten = false;

  private constructor(
    private readonly store: IdentityStore,
    private readonly now: () => number,
    readonly identity: SessionIdentity,
    record: StoredIdentityRecord,
    /** True when the identity came back from the store (a reload or a reopen in time). */
    readonly isRestored: boolean,
  ) {
    this.record = record;
    this.seq = new PresenceSeq(record.presenceSeqCeiling);
  }

  /** Restores the profile's identity if it may be used again, else makes (and stores) a new one. */
  static async open(options: IdentityKeeperOptions): Promise<IdentityKeeper> {
    const now = options.now ?? (() => Date.now());
    const { store } = options;
    const stored = await store.load();
    const nowMs = now();
    if (stored !== null) {
      const verdict = judgeIdentity(stored, nowMs);
      const identity = verdict === 'usable' ? await SessionIdentity.restore(stored.privateKey, stored.publicKey) : null;
      if (identity !== null) {
        const keeper = new IdentityKeeper(store, now, identity, { ...stored, lastUsedMs: nowMs }, true);
        await keeper.write();
        return keeper;
      }
      await store.clear();
    }
    const identity = await SessionIdentity.create();
    const record: IdentityRecord<CryptoKey> = {
      version: IDENTITY_RECORD_VERSION,
      privateKey: identity.privateKey,
      publicKey: identity.publicKey,
      username: null,
      usernameChangesLeft: MAX_USERNAME_CHANGES,
      presenceSeqCeiling: 0,
      createdAtMs: nowMs,
      lastUsedMs: nowMs,
      safety: EMPTY_SAFETY_RECORD,
    };
    const keeper = new IdentityKeeper(store, now, identity, record, false);
    await keeper.write();
    return keeper;
  }

  /** The username kept with the identity, or null before the first choice. */
  get username(): string | null {
    return this.record.username;
  }

  get usernameChangesLeft(): number {
    return this.record.usernameChangesLeft;
  }

  /** The next presence sequence number: larger than any this identity used, in this page or before. */
  nextPresenceSeq(): Promise<number> {
    const next = this.seqChain.then(async () => {
      const { seq, newCeiling } = this.seq.next();
      if (newCeiling !== null) {
        this.record = { ...this.record, presenceSeqCeiling: newCeiling };
        await this.write();
      }
      return seq;
    });
    this.seqChain = next;
    return next;
  }

  /** Keeps a (new) username and the changes left with the identity. */
  saveUsername(username: string, changesLeft: number): void {
    this.record = { ...this.record, username, usernameChangesLeft: changesLeft };
    void this.write();
  }

  /** The identity's proof of work and whom it blocked, as last kept. */
  get safety(): SafetyRecord {
    return this.record.safety;
  }

  /** Keeps a new proof or a changed block list with the identity (they survive a reload). */
  saveSafety(safety: SafetyRecord): void {
    this.record = { ...this.record, safety };
    void this.write();
  }

  /** The identity is in use now: its 30 minutes start again. */
  touch(): void {
    this.record = { ...this.record, lastUsedMs: this.now() };
    void this.write();
  }

  /** Refreshes the last-used time every IDENTITY_TOUCH_MS until `dispose()`. */
  startTouching(): void {
    if (this.touchTimer !== undefined || this.isForgotten) return;
    this.touchTimer = setInterval(() => this.touch(), IDENTITY_TOUCH_MS);
  }

  /** Forgets the identity for good ("Start fresh"): the record is deleted, nothing is written again. */
  async forget(): Promise<void> {
    this.dispose();
    this.isForgotten = true;
    await this.seqChain.catch(() => undefined);
    await this.store.clear();
  }

  /** Stops refreshing the record (it is kept, and expires 30 minutes after the last refresh). */
  dispose(): void {
    clearInterval(this.touchTimer);
    this.touchTimer = undefined;
  }

  private async write(): Promise<void> {
    if (this.isForgotten) return;
    try {
      await this.store.save(this.record);
    } catch (err: unknown) {
      // Without storage the identity still works for this page; a reload makes a new one.
      console.warn('the identity could not be stored:', err instanceof Error ? err.message : String(err));
    }
  }
}
