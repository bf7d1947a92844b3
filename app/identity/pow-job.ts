/**
 * What the page and the proof-of-work worker say to each other, checked on both sides
 * (a message from a worker is still data: it is parsed, not cast).
 */

import { isJsonObject } from '../core/json.ts';
import { parseProofOfWork, type ProofOfWork } from '../core/proof-of-work.ts';
import { isPublicKey } from '../core/chat-message.ts';

/** Nonces tried between two progress reports (a few tens of milliseconds). */
export const POW_SLICE = 1 << 14;

export interface PowJob {
  readonly key: string;
  readonly windowStartMs: number;
  readonly difficultyBits: number;
}

export type PowWorkerReply =
  | { readonly type: 'progress'; readonly tried: number }
  | { readonly type: 'done'; readonly proof: ProofOfWork }
  | { readonly type: 'error'; readonly message: string };

export function parsePowJob(value: unknown): PowJob | null {
  if (!isJsonObject(value)) return null;
  const { key, windowStartMs, difficultyBits } = value;
  if (!isPublicKey(key) || typeof windowStartMs !== 'number' || !Number.isSafeInteger(windowStartMs)) return null;
  if (typeof difficultyBits !== 'number' || !Number.isSafeInteger(difficultyBits) || difficultyBits < 0 || difficultyBits > 64) return null;
  return { key, windowStartMs, difficultyBits };
}

export function parsePowReply(value: unknown): PowWorkerReply | null {
  if (!isJsonObject(value)) return null;
  switch (value['type']) {
    case 'progress': {
      const tried = value['tried'];
      return typeof tried === 'number' && Number.isSafeInteger(tried) && tried >= 0 ? { type: 'progress', tried } : null;
    }
    case 'done': {
      const proof = parseProofOfWork(value['proof']);
      return proof === null ? null : { type: 'done', proof };
    }
    case 'error': {
      const message = value['message'];
      return typeof message === 'string' ? { type: 'error', message } : null;
    }
    default:
      return null;
  }
}
