/**
 * The price of a fresh identity: a proof of work bound to a session public key and to a
 * time window. Making one takes about a second of one core (POW_DIFFICULTY_BITS); checking
 * one is a single SHA-256 of about 120 bytes. Peers link to a key, and accept its messages
 * and flags, only with a proof valid at the time the item claims.
 *
 * The hash is `@noble/hashes` SHA-256, synchronous: making is millions of tiny hashes, where
 * WebCrypto's promise per `digest` costs far more than the hash itself, and checking must fit
 * in the synchronous parsers (see test/bench/README.md for the figures).
 *
 * What the window bounds: a proof is accepted from 2 minutes before its window starts until
 * 30 minutes after, so each proof buys at most ~32 minutes of use. Windows are predictable,
 * so proofs for a later window can be computed ahead of time; the window limits how long
 * each one serves, not when the work was done (see app/README.md, Safety).
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { isJsonObject } from './json.ts';

/**
 * Leading zero bits the proof's hash must have. Each bit doubles the expected work: 2^19
 * hashes on average, a median of about 1 s on one core of the reference machine (test/bench/README.md).
 */
export const POW_DIFFICULTY_BITS = 19;
/** Length of a time window; a proof names the start of one (a multiple of this). */
export const POW_WINDOW_MS = 10 * 60 * 1000;
/** A proof is refused once its window started this long ago. */
export const POW_MAX_AGE_MS = 30 * 60 * 1000;
/** A proof is refused when its window starts further than this in the future (clock skew). */
export const POW_MAX_FUTURE_MS = 2 * 60 * 1000;
/** Our own proof is made again once its window started this long ago (10 minutes before it lapses). */
export const POW_RENEW_AFTER_MS = POW_MAX_AGE_MS - 10 * 60 * 1000;
/** Domain separation: these hashes can be mistaken for no other hash NearTalk makes. */
const DOMAIN = 'NearTalk-pow-v1';
/** Nonces are safe integers, written in decimal. */
const MAX_NONCE = Number.MAX_SAFE_INTEGER;

/** A proof of work for one key: the window it is made for and the nonce that was found. */
export interface ProofOfWork {
  /** Start of the window, ms since the epoch, a multiple of POW_WINDOW_MS. */
  readonly windowStartMs: number;
  readonly nonce: number;
}

/** Why a proof is refused, or 'ok'. */
export type ProofCheck = 'ok' | 'stale' | 'future' | 'insufficient';

/** The start of the window `nowMs` falls in: what a proof made now names. */
export function powWindowStart(nowMs: number): number {
  return Math.floor(nowMs / POW_WINDOW_MS) * POW_WINDOW_MS;
}

/** The proof's shape from network data (not its validity), or null. */
export function parseProofOfWork(value: unknown): ProofOfWork | null {
  if (!isJsonObject(value)) return null;
  const { windowStartMs, nonce } = value;
  if (typeof windowStartMs !== 'number' || !Number.isSafeInteger(windowStartMs) || windowStartMs < 0) return null;
  if (windowStartMs % POW_WINDOW_MS !== 0) return null;
  if (typeof nonce !== 'number' || !Number.isSafeInteger(nonce) || nonce < 0) return null;
  return { windowStartMs, nonce };
}

/**
 * Whether `proof` is a valid proof of work for `key` at time `atMs` (the time an item
 * claims: a presence's receipt, a message's or flag's send time). One hash; never throws.
 */
export function checkProofOfWork(key: string, proof: ProofOfWork, atMs: number, difficultyBits = POW_DIFFICULTY_BITS): ProofCheck {
  if (proof.windowStartMs > atMs + POW_MAX_FUTURE_MS) return 'future';
  if (atMs - proof.windowStartMs >= POW_MAX_AGE_MS) return 'stale';
  const input = new ProofInput(key, proof.windowStartMs);
  return leadingZeroBits(sha256(input.withNonce(proof.nonce))) >= difficultyBits ? 'ok' : 'insufficient';
}

/** True when `proof` is valid for `key` at `atMs`. */
export function isValidProof(key: string, proof: ProofOfWork, atMs: number, difficultyBits = POW_DIFFICULTY_BITS): boolean {
  return checkProofOfWork(key, proof, atMs, difficultyBits) === 'ok';
}

/**
 * Tries `count` nonces from `fromNonce` for `key` in the window starting at `windowStartMs`;
 * the first that meets the difficulty, or null. Made in slices so a worker can report
 * progress (and a caller can stop) between them.
 */
export function searchProofOfWork(key: string, windowStartMs: number, difficultyBits: number, fromNonce: number, count: number): ProofOfWork | null {
  if (!Number.isSafeInteger(difficultyBits) || difficultyBits < 0 || difficultyBits > 64) throw new RangeError(`difficulty must be 0..64 bits, got ${difficultyBits}`);
  const input = new ProofInput(key, windowStartMs);
  const end = Math.min(MAX_NONCE, fromNonce + count);
  for (let nonce = fromNonce; nonce < end; nonce += 1) {
    if (leadingZeroBits(sha256(input.withNonce(nonce))) >= difficultyBits) return { windowStartMs, nonce };
  }
  return null;
}

/** Makes a proof for `key` at `nowMs` in one go (Node, tests, the simulation): blocks until found. */
export function makeProofOfWork(key: string, nowMs: number, difficultyBits = POW_DIFFICULTY_BITS, firstNonce = 0): ProofOfWork {
  const windowStartMs = powWindowStart(nowMs);
  const slice = 1 << 16;
  for (let from = firstNonce; from < MAX_NONCE; from += slice) {
    const found = searchProofOfWork(key, windowStartMs, difficultyBits, from, slice);
    if (found !== null) return found;
  }
  throw new Error('no proof of work in the whole nonce range');
}

/** Leading zero bits of a hash. */
export function leadingZeroBits(hash: Uint8Array): number {
  let bits = 0;
  for (const byte of hash) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/**
 * The hashed bytes, `NearTalk-pow-v1|<key>|<windowStartMs>|<nonce>` in ASCII, with the
 * fixed prefix encoded once and the nonce's digits written in place for each try.
 */
class ProofInput {
  private readonly buffer: Uint8Array;
  private readonly prefixLength: number;

  constructor(key: string, windowStartMs: number) {
    const prefix = new TextEncoder().encode(`${DOMAIN}|${key}|${windowStartMs}|`);
    this.prefixLength = prefix.length;
    this.buffer = new Uint8Array(prefix.length + 16);
    this.buffer.set(prefix);
  }

  withNonce(nonce: number): Uint8Array {
    const digits = String(nonce);
    for (let index = 0; index < digits.length; index += 1) this.buffer[this.prefixLength + index] = digits.charCodeAt(index);
    return this.buffer.subarray(0, this.prefixLength + digits.length);
  }
}
