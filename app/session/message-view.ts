/**
 * The Messages list as this person sees it: in range (or their own), minus people they
 * blocked; each marked hidden (by them), collapsed (by people nearby), new (an identity
 * younger than 2 minutes) or flagged by them; the same text from many people folded into
 * its first copy. Also says when the view will next change by itself (someone comes of age).
 */

import type { ChatMessage } from '../core/chat-message.ts';
import type { FlagTally } from '../core/flag-tally.ts';
import { NEW_IDENTITY_MS, type IdentityAges } from '../core/identity-ages.ts';
import { distanceBetween, formatDistance, type Position } from '../core/position.ts';
import { foldSameText } from '../core/same-text.ts';
import { isInMutualRange } from '../core/visibility.ts';
import type { ShownMessage } from './session-state.ts';

export interface MessageViewInput {
  readonly stored: readonly ChatMessage[];
  readonly ownKey: string | null;
  readonly position: Position;
  readonly radiusM: number;
  readonly nowMs: number;
  readonly isBlocked: (key: string) => boolean;
  readonly hiddenIds: ReadonlySet<string>;
  readonly revealedIds: ReadonlySet<string>;
  readonly isShowingHidden: boolean;
  readonly tally: FlagTally;
  readonly ages: IdentityAges;
}

export interface MessageView {
  readonly messages: ShownMessage[];
  /** Messages this person hid that are in the list's scope (for "Show hidden (N)"). */
  readonly hiddenCount: number;
  /** When an identity in view comes of age (a "new" mark goes, a flag starts to count); null if none. */
  readonly nextChangeAtMs: number | null;
}

export function buildMessageView(input: MessageViewInput): MessageView {
  const { nowMs, ages } = input;
  const ageOf = (key: string): number => ages.ageMs(key, nowMs);
  let nextChangeAtMs: number | null = null;
  const watchAge = (key: string): void => {
    const at = ages.comesOfAgeAt(key);
    if (at !== null && at > nowMs && (nextChangeAtMs === null || at < nextChangeAtMs)) nextChangeAtMs = at;
  };
  const inScope = input.stored.filter((message) => {
    if (message.author === input.ownKey) return true;
    if (input.isBlocked(message.author)) return false;
    return isInMutualRange(distanceBetween(input.position, message.position), message.radiusM, input.radiusM);
  });
  const hiddenCount = inScope.filter((message) => input.hiddenIds.has(message.id)).length;
  const visible = inScope.filter((message) => input.isShowingHidden || !input.hiddenIds.has(message.id));
  const { heads, folded } = foldSameText(visible.filter((message) => message.author !== input.ownKey));
  const messages: ShownMessage[] = [];
  for (const message of visible) {
    if (folded.has(message.id)) continue;
    const isOwn = message.author === input.ownKey;
    for (const flagger of input.tally.flaggersOf(message.id)) watchAge(flagger);
    if (!isOwn) watchAge(message.author);
    messages.push({
      id: message.id,
      authorKey: message.author,
      username: message.username,
      text: message.text,
      distanceLabel: isOwn ? 'you' : formatDistance(distanceBetween(input.position, message.position)),
      isOwn,
      sentAtMs: message.sentAtMs,
      isHidden: input.hiddenIds.has(message.id),
      isCollapsed: input.tally.isCollapsed(message.id, ageOf) && !input.revealedIds.has(message.id),
      isNew: !isOwn && ageOf(message.author) < NEW_IDENTITY_MS,
      hasFlagged: input.ownKey !== null && input.tally.hasFlagged(message.id, input.ownKey),
      sameTextCount: heads.get(message.id) ?? 1,
    });
  }
  return { messages, hiddenCount, nextChangeAtMs };
}
