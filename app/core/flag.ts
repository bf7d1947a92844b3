/**
 * A flag: one identity's signed statement that a message is spam, harassment or other
 * abuse. It travels like a message (same links, same gossip relevance as the message it
 * flags), is judged by every receiver on its own, and lives only as long as that message.
 */

import { isMessageId, isPublicKey, isSignature } from './chat-message.ts';
import { isJsonObject } from './json.ts';
import { parseProofOfWork, type ProofOfWork } from './proof-of-work.ts';

/** Why a person flags a message. */
export type FlagReason = 'spam' | 'harassment' | 'other';
export const FLAG_REASONS: readonly FlagReason[] = ['spam', 'harassment', 'other'];
/** Version of the signed layout; part of what is signed. */
export const FLAG_VERSION = 1;
/** Most flags one identity may send per minute, counted by every receiver. */
export const MAX_FLAGS_PER_MINUTE = 10;

export interface Flag {
  /** 16 random bytes in base64url: flags are deduplicated by it, like messages. */
  readonly id: string;
  /** The flagged message. */
  readonly messageId: string;
  /** The flagger's session public key. */
  readonly flagger: string;
  readonly reason: FlagReason;
  /** The flagger's clock, ms since the epoch. */
  readonly sentAtMs: number;
  /** The flagger key's proof of work, valid at `sentAtMs` (not signed: bound to the key). */
  readonly pow: ProofOfWork;
  /** ECDSA P-256 / SHA-256 over `flagPayload`, base64url. */
  readonly signature: string;
}

/** The exact text a flag's signature covers. */
export function flagPayload(flag: Omit<Flag, 'signature' | 'pow'>): string {
  return JSON.stringify(['flag', FLAG_VERSION, flag.id, flag.messageId, flag.flagger, flag.reason, flag.sentAtMs]);
}

const isFlagReason = (value: unknown): value is FlagReason => value === 'spam' || value === 'harassment' || value === 'other';

/** A flag's shape from network data (not its signature, proof or time), or null. */
export function parseFlag(value: unknown): Flag | null {
  if (!isJsonObject(value)) return null;
  const { id, messageId, flagger, reason, sentAtMs, signature } = value;
  if (!isMessageId(id) || !isMessageId(messageId)) return null;
  if (!isPublicKey(flagger) || !isSignature(signature) || !isFlagReason(reason)) return null;
  if (typeof sentAtMs !== 'number' || !Number.isSafeInteger(sentAtMs) || sentAtMs < 0) return null;
  const pow = parseProofOfWork(value['pow']);
  if (pow === null) return null;
  return { id, messageId, flagger, reason, sentAtMs, pow, signature };
}
