/**
 * Usernames: 3 to 20 characters of letters (any script), digits and single spaces,
 * trimmed; at most 3 changes after the first choice, per session. The sender refuses a
 * 4th change, and receivers ignore one (see `UsernameHistory`).
 */

export const MIN_USERNAME_LENGTH = 3;
export const MAX_USERNAME_LENGTH = 20;
/** Changes allowed after the first choice, per session. */
export const MAX_USERNAME_CHANGES = 3;

// Letters and marks of any script (so "José" and "दीपक" work), digits, and spaces.
const USERNAME_PATTERN = /^[\p{L}\p{M}\p{Nd}]+(?: [\p{L}\p{M}\p{Nd}]+)*$/u;

export type UsernameCheck = { readonly ok: true; readonly username: string } | { readonly ok: false; readonly reason: string };

/** Normalises (NFC, trimmed, inner runs of spaces folded) and checks a username. */
export function checkUsername(input: unknown): UsernameCheck {
  if (typeof input !== 'string') return { ok: false, reason: 'Choose a username.' };
  const username = input.normalize('NFC').trim().replace(/\s+/g, ' ');
  const length = [...username].length;
  if (length < MIN_USERNAME_LENGTH) {
    return { ok: false, reason: `A username needs at least ${MIN_USERNAME_LENGTH} characters.` };
  }
  if (length > MAX_USERNAME_LENGTH) {
    return { ok: false, reason: `A username has at most ${MAX_USERNAME_LENGTH} characters.` };
  }
  if (!USERNAME_PATTERN.test(username)) {
    return { ok: false, reason: 'Use letters, digits and spaces only.' };
  }
  return { ok: true, username };
}

/** The sender's own username: the first choice plus at most 3 changes, per session. */
export class OwnUsername {
  private name: string | undefined;
  private changes: number;

  /**
   * A new session's name (none yet, every change left), or a restored one: the name kept
   * with a stored identity and the changes it had left (a reload gives no new changes).
   */
  constructor(restored?: { readonly username: string; readonly changesLeft: number }) {
    this.name = restored?.username;
    this.changes = restored === undefined ? 0 : MAX_USERNAME_CHANGES - Math.min(MAX_USERNAME_CHANGES, Math.max(0, restored.changesLeft));
  }

  /** The current name, or undefined before the first choice. */
  get current(): string | undefined {
    return this.name;
  }

  /** Changes still allowed. */
  get changesLeft(): number {
    return MAX_USERNAME_CHANGES - this.changes;
  }

  /** Sets the name; a refusal says why (invalid, or no changes left). Same name: no change counted. */
  set(input: string): UsernameCheck {
    const checked = checkUsername(input);
    if (!checked.ok || checked.username === this.name) return checked;
    if (this.name !== undefined) {
      if (this.changesLeft === 0) {
        return { ok: false, reason: `You have used all ${MAX_USERNAME_CHANGES} username changes for this session.` };
      }
      this.changes += 1;
    }
    this.name = checked.username;
    return checked;
  }
}

/**
 * What a receiver accepts of one author's names: at most 1 + 3 distinct names per
 * session key. Counting distinct names, not changes, keeps the check independent of the
 * order in which messages (and history) arrive.
 */
export class AuthorNames {
  private readonly seen = new Set<string>();

  /** True when `name` is one this author already used or a change still allowed. */
  accept(name: string): boolean {
    if (this.seen.has(name)) return true;
    if (this.seen.size > MAX_USERNAME_CHANGES) return false;
    this.seen.add(name);
    return true;
  }
}
