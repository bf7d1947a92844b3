/**
 * Which messages people nearby have collapsed: a message flagged by at least
 * FLAGS_TO_COLLAPSE distinct identities, each at least NEW_IDENTITY_MS old as this peer
 * can vouch (identity-ages.ts), none of them the message's author. One identity counts
 * once however often it flags. Pure: the caller gives the ages and the time.
 */

import type { FlagReason } from './flag.ts';
import { NEW_IDENTITY_MS } from './identity-ages.ts';

/** Distinct, old-enough flaggers that collapse a message for everyone. */
export const FLAGS_TO_COLLAPSE = 3;
/** Flaggers remembered per message: past the threshold more change nothing but memory. */
const MAX_FLAGGERS_PER_MESSAGE = 64;

export type FlagOutcome = 'added' | 'repeat' | 'own-message' | 'full';

export class FlagTally {
  /** message id → flagger key → reason (the first flag of each flagger). */
  private readonly flags = new Map<string, Map<string, FlagReason>>();

  /**
   * Records `flagger`'s flag on a message written by `author`. A repeat by the same
   * flagger, and an author flagging their own message, change nothing.
   */
  add(messageId: string, author: string, flagger: string, reason: FlagReason): FlagOutcome {
    if (flagger === author) return 'own-message';
    let flaggers = this.flags.get(messageId);
    if (flaggers === undefined) {
      flaggers = new Map();
      this.flags.set(messageId, flaggers);
    }
    if (flaggers.has(flagger)) return 'repeat';
    if (flaggers.size >= MAX_FLAGGERS_PER_MESSAGE) return 'full';
    flaggers.set(flagger, reason);
    return 'added';
  }

  /** Whether `flagger` has flagged the message. */
  hasFlagged(messageId: string, flagger: string): boolean {
    return this.flags.get(messageId)?.has(flagger) === true;
  }

  /** Flaggers of the message old enough to count, by `ageOf` (ms). */
  countedFlaggers(messageId: string, ageOf: (key: string) => number): number {
    let counted = 0;
    for (const flagger of this.flags.get(messageId)?.keys() ?? []) if (ageOf(flagger) >= NEW_IDENTITY_MS) counted += 1;
    return counted;
  }

  /** Whether people nearby have collapsed the message. */
  isCollapsed(messageId: string, ageOf: (key: string) => number): boolean {
    return this.countedFlaggers(messageId, ageOf) >= FLAGS_TO_COLLAPSE;
  }

  /** Flagger keys of a message (to pass its flags on to a newcomer). */
  flaggersOf(messageId: string): readonly string[] {
    return [...(this.flags.get(messageId)?.keys() ?? [])];
  }

  /** The message expired or was evicted: its flags go with it. */
  forget(messageId: string): void {
    this.flags.delete(messageId);
  }

  /** Every flagger with a flag held (to know when the next one comes of age). */
  allFlaggers(): Set<string> {
    const keys = new Set<string>();
    for (const flaggers of this.flags.values()) for (const key of flaggers.keys()) keys.add(key);
    return keys;
  }

  clear(): void {
    this.flags.clear();
  }
}
