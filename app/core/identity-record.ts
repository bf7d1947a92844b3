/**
 * The stored identity of one browser profile, as pure data: what is kept between page
 * loads (so a reload is the same person to its neighbours), when it is dropped (30
 * minutes without use), and how a record read back is checked. What IndexedDB hands back
 * is untrusted input like any frame: another version of the app, a corrupted profile or
 * a person's devtools may have written it.
 *
 * The key type is a parameter (`K`): the browser stores a non-extractable `CryptoKey`,
 * which this module (shared with the relay, compiled without the DOM) cannot name.
 *
 * Extending the record (issue 14: proof of work, blocked keys): add optional fields to
 * `IdentityRecord` and their checks to `parseIdentityRecord`; an older record without
 * them stays valid, so `IDENTITY_RECORD_VERSION` changes only when a field changes meaning.
 */

import { EMPTY_SAFETY_RECORD, parseSafetyRecord, type SafetyRecord } from './safety-record.ts';
import { isPublicKey } from './chat-message.ts';
import { checkUsername, MAX_USERNAME_CHANGES } from './username.ts';

/** Version of the stored record; a record of another version is dropped (a new identity is made). */
export const IDENTITY_RECORD_VERSION = 1;
/** An identity unused this long (ms) is dropped: nothing about a person outlives 30 minutes. */
export const IDENTITY_IDLE_MS = 30 * 60_000;
/** How often (ms) a page in use refreshes its record's `lastUsedMs`. */
export const IDENTITY_TOUCH_MS = 60_000;
/**
 * Tolerated clock disagreement (ms): a `lastUsedMs` further in the future than this is a
 * record from a wrong clock or a forgery, and is not trusted.
 */
export const IDENTITY_CLOCK_SKEW_MS = 5 * 60_000;
/**
 * Presence sequence numbers reserved per write. The record holds a ceiling: every number
 * used is below it, and a page loaded later starts at it. Saving only when a block runs
 * out keeps writes rare, and a reload that lost an unfinished write never reuses a number.
 */
export const PRESENCE_SEQ_BLOCK = 1_000;

/** One browser profile's identity, as stored. */
export interface IdentityRecord<K> {
  readonly version: typeof IDENTITY_RECORD_VERSION;
  /** The ECDSA P-256 private key; in the browser a non-extractable `CryptoKey`. */
  readonly privateKey: K;
  /** Its raw public key, base64url: the author key of every message. */
  readonly publicKey: string;
  /** The chosen username, or null before the first choice. */
  readonly username: string | null;
  /** Username changes still allowed (0..MAX_USERNAME_CHANGES). */
  readonly usernameChangesLeft: number;
  /** Every presence sequence number used so far is below this (see PRESENCE_SEQ_BLOCK). */
  readonly presenceSeqCeiling: number;
  readonly createdAtMs: number;
  /** Refreshed while the app is in use; the record is dropped IDENTITY_IDLE_MS after it. */
  readonly lastUsedMs: number;
  /** The identity's proof of work and whom it blocked (app/core/safety-record.ts); empty at first. */
  readonly safety: SafetyRecord;
}

/** Why a stored record cannot be used, or 'usable'. */
export type IdentityVerdict = 'usable' | 'expired' | 'from-the-future';

/** Whether a record read back at `nowMs` may be used again. */
export function judgeIdentity(record: Pick<IdentityRecord<unknown>, 'lastUsedMs'>, nowMs: number): IdentityVerdict {
  if (record.lastUsedMs > nowMs + IDENTITY_CLOCK_SKEW_MS) return 'from-the-future';
  return nowMs - record.lastUsedMs >= IDENTITY_IDLE_MS ? 'expired' : 'usable';
}

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * Checks a record read back from storage, field by field; null for anything that is not
 * exactly a record this version wrote (the caller then makes a new identity). `isKey`
 * checks the private key (in the browser: a private ECDSA `CryptoKey` that can sign).
 */
export function parseIdentityRecord<K>(value: unknown, isKey: (key: unknown) => key is K): IdentityRecord<K> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  // Read as plain properties: the key is not JSON, so the object is not a JsonObject.
  const field = (name: string): unknown => (Object.hasOwn(value, name) ? Reflect.get(value, name) : undefined);
  const privateKey = field('privateKey');
  const publicKey = field('publicKey');
  const username = field('username');
  const changesLeft = field('usernameChangesLeft');
  const ceiling = field('presenceSeqCeiling');
  const createdAtMs = field('createdAtMs');
  const lastUsedMs = field('lastUsedMs');
  // A record from before safety was kept has none: it starts empty rather than being dropped.
  const safety = field('safety') === undefined ? EMPTY_SAFETY_RECORD : parseSafetyRecord(field('safety'));
  if (safety === null) return null;
  if (field('version') !== IDENTITY_RECORD_VERSION || !isKey(privateKey) || !isPublicKey(publicKey)) return null;
  if (username !== null) {
    const checked = checkUsername(username);
    if (!checked.ok || checked.username !== username) return null;
  }
  if (typeof changesLeft !== 'number' || !Number.isInteger(changesLeft) || changesLeft < 0 || changesLeft > MAX_USERNAME_CHANGES) return null;
  if (!isTime(ceiling) || !isTime(createdAtMs) || !isTime(lastUsedMs) || lastUsedMs < createdAtMs) return null;
  return { version: IDENTITY_RECORD_VERSION, privateKey, publicKey, username, usernameChangesLeft: changesLeft, presenceSeqCeiling: ceiling, createdAtMs, lastUsedMs, safety };
}

/**
 * Presence sequence numbers that keep growing across page loads. Starts at the stored
 * ceiling; `next()` says when a new ceiling must be saved before the number is used.
 */
export class PresenceSeq {
  private nextValue: number;
  private ceilingValue: number;

  constructor(storedCeiling: number) {
    this.nextValue = storedCeiling;
    this.ceilingValue = storedCeiling;
  }

  /** Every number handed out so far is below this. */
  get ceiling(): number {
    return this.ceilingValue;
  }

  /** The next number, and the ceiling to save first when the reserved block ran out (else null). */
  next(): { readonly seq: number; readonly newCeiling: number | null } {
    const seq = this.nextValue;
    this.nextValue += 1;
    if (seq < this.ceilingValue) return { seq, newCeiling: null };
    this.ceilingValue = seq + PRESENCE_SEQ_BLOCK;
    return { seq, newCeiling: this.ceilingValue };
  }
}
