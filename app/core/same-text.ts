/**
 * A spam signal: the same text from many keys within a minute is one item on screen
 * ("same text from 4 people"), not a wall. Pure; texts compare after trimming, case and
 * runs of spaces folded, so trivial variations do not escape it.
 */

/** Distinct authors of one text within the window that fold it into one item. */
export const FOLD_MIN_AUTHORS = 3;
/** Copies further apart than this (from the group's first) are not folded with it. */
export const FOLD_WINDOW_MS = 60_000;

export interface FoldInput {
  readonly id: string;
  readonly author: string;
  readonly text: string;
  readonly sentAtMs: number;
}

/** The text as compared. */
const normalise = (text: string): string => text.trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * For messages oldest first: id → how many distinct people sent the same text in its
 * group, for the first message of each folded group; ids folded into another, in `folded`.
 */
export function foldSameText(messages: readonly FoldInput[]): { readonly heads: Map<string, number>; readonly folded: Set<string> } {
  const heads = new Map<string, number>();
  const folded = new Set<string>();
  const groups = new Map<string, Array<{ first: FoldInput; members: FoldInput[]; authors: Set<string> }>>();
  for (const message of messages) {
    const text = normalise(message.text);
    const candidates = groups.get(text) ?? [];
    let group = candidates.find((candidate) => message.sentAtMs - candidate.first.sentAtMs < FOLD_WINDOW_MS);
    if (group === undefined) {
      group = { first: message, members: [], authors: new Set() };
      candidates.push(group);
      groups.set(text, candidates);
    }
    group.members.push(message);
    group.authors.add(message.author);
  }
  for (const candidates of groups.values()) {
    for (const group of candidates) {
      if (group.authors.size < FOLD_MIN_AUTHORS) continue;
      heads.set(group.first.id, group.authors.size);
      for (const member of group.members) if (member !== group.first) folded.add(member.id);
    }
  }
  return { heads, folded };
}
