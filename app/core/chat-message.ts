/**
 * A chat message as it travels between peers, and the checks every receiver runs on
 * it before anything is shown. The signature check itself needs WebCrypto and lives in
 * `app/identity`; this file says what is signed (`signedPayload`).
 */

import { isJsonObject } from './json.ts';
import { parseProofOfWork, type ProofOfWork } from './proof-of-work.ts';
import { parseSharedPosition, type Position } from './position.ts';
import { checkUsername } from './username.ts';
import { isValidRadius } from './visibility.ts';

/** Longest message text, in characters (code points). */
export const MAX_MESSAGE_CHARS = 500;
/** How far in the future a send time may lie (clock skew between devices). */
export const MAX_FUTURE_SKEW_MS = 2 * 60 * 1000;
/** Version of the signed layout; part of what is signed. */
export const CHAT_MESSAGE_VERSION = 1;

/** A base64url P-256 public key (65 raw bytes → 87 characters). */
const PUBLIC_KEY_PATTERN = /^[A-Za-z0-9_-]{87}$/;
/** A base64url P-256 ECDSA signature (64 bytes → 86 characters). */
const SIGNATURE_PATTERN = /^[A-Za-z0-9_-]{86}$/;

/** True for a string shaped like a session public key (not proof it is on the curve). */
export const isPublicKey = (value: unknown): value is string => typeof value === 'string' && PUBLIC_KEY_PATTERN.test(value);
/** True for a string shaped like an ECDSA P-256 signature. */
export const isSignature = (value: unknown): value is string => typeof value === 'string' && SIGNATURE_PATTERN.test(value);
/** A message id: 16 random bytes in base64url. */
const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** Whether `value` has the form of a message id. */
export function isMessageId(value: unknown): value is string {
  return typeof value === 'string' && MESSAGE_ID_PATTERN.test(value);
}

export interface ChatMessage {
  readonly id: string;
  /** The author's per-session public key (raw P-256, base64url). */
  readonly author: string;
  readonly username: string;
  readonly text: string;
  /** Author's clock, milliseconds since the epoch. */
  readonly sentAtMs: number;
  /** The author's shared (quantized) position. */
  readonly position: Position;
  readonly radiusM: number;
  /**
   * The author key's proof of work, valid at `sentAtMs`. Not signed: it is bound to the
   * key by its hash, so swapping in another valid proof for the same key changes nothing.
   */
  readonly pow: ProofOfWork;
  /** ECDSA P-256 / SHA-256 signature over `signedPayload`, base64url. */
  readonly signature: string;
}

export type UnsignedChatMessage = Omit<ChatMessage, 'signature'>;
/** What the signature covers. */
export type SignedFields = Omit<ChatMessage, 'signature' | 'pow'>;

/** The exact text that is signed and verified: every field but the signature and the proof of work, in a fixed order. */
export function signedPayload(message: SignedFields): string {
  return JSON.stringify([
    CHAT_MESSAGE_VERSION,
    message.id,
    message.author,
    message.username,
    message.text,
    message.sentAtMs,
    message.position.lat,
    message.position.lon,
    message.radiusM,
  ]);
}

/** Why a message was not shown; counted, never displayed. */
export type DropReason =
  | 'malformed'
  | 'bad-signature'
  | 'too-long'
  | 'future'
  | 'expired'
  | 'out-of-range'
  | 'rate-limited'
  | 'username-changes'
  /** A neighbour's first claim on a new link older than one it already made (a replay). */
  | 'stale-presence'
  /** The author key has no valid proof of work at the time the item claims. */
  | 'no-proof'
  /** Chat or hints on a link whose peer has not (validly) said who and where it is: we cannot judge its range. */
  | 'unannounced'
  /** Flags (app/core/flag.ts): the same checks, counted apart. */
  | 'flag-malformed'
  | 'flag-forged'
  | 'flag-unknown-message'
  | 'flag-no-proof'
  | 'flag-rate-limited'
  | 'flag-expired';

/** True when `text` is a message a person may send: not blank, at most 500 characters. */
export function isSendableText(text: string): boolean {
  const length = [...text].length;
  return text.trim().length > 0 && length <= MAX_MESSAGE_CHARS;
}

/**
 * Checks the shape of a received message (not its signature, time or range): every
 * field present, typed and within bounds. Returns the message or the reason to drop it.
 */
export function parseChatMessage(value: unknown): ChatMessage | 'malformed' | 'too-long' {
  if (!isJsonObject(value)) return 'malformed';
  const { id, author, username, text, sentAtMs, position, radiusM, signature } = value;
  const pow = parseProofOfWork(value['pow']);
  if (pow === null) return 'malformed';
  if (!isMessageId(id)) return 'malformed';
  if (!isPublicKey(author) || !isSignature(signature)) return 'malformed';
  if (typeof text !== 'string' || text.trim().length === 0) return 'malformed';
  if (text.length > MAX_MESSAGE_CHARS * 2 || [...text].length > MAX_MESSAGE_CHARS) return 'too-long';
  if (typeof sentAtMs !== 'number' || !Number.isSafeInteger(sentAtMs) || sentAtMs < 0) return 'malformed';
  if (!isValidRadius(radiusM)) return 'malformed';
  const shared = parseSharedPosition(position);
  if (shared === null) return 'malformed';
  const checkedName = checkUsername(username);
  if (!checkedName.ok || checkedName.username !== username) return 'malformed';
  return { id, author, username, text, sentAtMs, position: shared, radiusM, pow, signature };
}
