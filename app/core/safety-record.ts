/**
 * What the safety layer keeps for as long as the identity lives (and across reloads, in
 * the identity store): the identity's proof of work, and whom it blocked, with the names
 * they had (for the "Blocked people" list). Plain data, so it can be stored as it is.
 */

import { isPublicKey } from './chat-message.ts';
import { isJsonObject } from './json.ts';
import { parseProofOfWork, type ProofOfWork } from './proof-of-work.ts';
import { checkUsername } from './username.ts';

/** Most people one identity can block (a bound, far above any real use). */
export const MAX_BLOCKED = 500;

export interface BlockedPerson {
  readonly key: string;
  /** Their name when they were blocked. */
  readonly username: string;
}

export interface SafetyRecord {
  readonly proof: ProofOfWork | null;
  readonly blocked: readonly BlockedPerson[];
}

export const EMPTY_SAFETY_RECORD: SafetyRecord = { proof: null, blocked: [] };

/** A stored record, checked field by field (storage is input too), or null. */
export function parseSafetyRecord(value: unknown): SafetyRecord | null {
  if (!isJsonObject(value)) return null;
  const { proof, blocked } = value;
  const parsedProof = proof === null ? null : parseProofOfWork(proof);
  if (proof !== null && parsedProof === null) return null;
  if (!Array.isArray(blocked) || blocked.length > MAX_BLOCKED) return null;
  const people: BlockedPerson[] = [];
  for (const item of blocked) {
    if (!isJsonObject(item)) return null;
    const { key, username } = item;
    const name = checkUsername(username);
    if (!isPublicKey(key) || !name.ok) return null;
    people.push({ key, username: name.username });
  }
  return { proof: parsedProof, blocked: people };
}

/** The people one identity has blocked, in the order they were blocked. */
export class BlockList {
  private readonly people = new Map<string, string>();

  constructor(initial: readonly BlockedPerson[] = []) {
    for (const person of initial) this.block(person.key, person.username);
  }

  has(key: string): boolean {
    return this.people.has(key);
  }

  /** Blocks `key`; false when already blocked or the list is full. */
  block(key: string, username: string): boolean {
    if (this.people.has(key) || this.people.size >= MAX_BLOCKED) return false;
    this.people.set(key, username);
    return true;
  }

  unblock(key: string): boolean {
    return this.people.delete(key);
  }

  list(): BlockedPerson[] {
    return [...this.people].map(([key, username]) => ({ key, username }));
  }
}
