/**
 * The proof-of-work difficulty a page asks of every key, its own included: the product's
 * POW_DIFFICULTY_BITS, unless a test driver set `globalThis.__neartalkPowDifficultyBits`
 * before the app loaded (Playwright's mesh fixture does, so a hundred browser peers do not
 * each spend seconds of a shared core on a price their test is not about; tests of the
 * price itself keep the product's figure).
 *
 * Why this is no lever for anyone else: only script already running in the page can set
 * it, and such script can do anything there anyway; and a lower figure weakens only this
 * page's own check, while peers at the product's difficulty still refuse its cheaper
 * proofs. No address parameter does this: a shared link must never lower a person's
 * defences.
 */

import { POW_DIFFICULTY_BITS } from '../core/proof-of-work.ts';

/** The global a test driver may set (an integer from 1 to POW_DIFFICULTY_BITS). */
export const TEST_DIFFICULTY_GLOBAL = '__neartalkPowDifficultyBits';

/** The difficulty for a page whose global scope is `scope`; the product's unless a test set a valid lower one. */
export function pageDifficultyBits(scope: object): number {
  const value: unknown = Reflect.get(scope, TEST_DIFFICULTY_GLOBAL);
  if (value === undefined) return POW_DIFFICULTY_BITS;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= POW_DIFFICULTY_BITS) return value;
  console.warn(`${TEST_DIFFICULTY_GLOBAL} must be a whole number from 1 to ${POW_DIFFICULTY_BITS}; using ${POW_DIFFICULTY_BITS}`);
  return POW_DIFFICULTY_BITS;
}
