/** Pure helpers of the message list: time labels, what is new, what to announce. */

import type { ShownMessage } from '../session/session-state.ts';

/** At most this many messages are read out at once; a burst (history) is summarised. */
const MAX_ANNOUNCED = 3;
/** Time labels kept before the cache starts over (a few pages' worth). */
const MAX_TIME_LABELS = 1_000;

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
/** Formatted times by send time: formatting on every render was a measurable cost. */
const timeLabels = new Map<number, { readonly iso: string; readonly label: string }>();

export function timeLabel(sentAtMs: number): { readonly iso: string; readonly label: string } {
  let label = timeLabels.get(sentAtMs);
  if (label === undefined) {
    if (timeLabels.size >= MAX_TIME_LABELS) timeLabels.clear();
    label = { iso: new Date(sentAtMs).toISOString(), label: timeFormat.format(sentAtMs) };
    timeLabels.set(sentAtMs, label);
  }
  return label;
}

export function newMessages(previous: readonly ShownMessage[], current: readonly ShownMessage[]): ShownMessage[] {
  const known = new Set(previous.map((message) => message.id));
  return current.filter((message) => !known.has(message.id));
}

export function announce(fromOthers: readonly ShownMessage[]): string {
  if (fromOthers.length === 0) return '';
  if (fromOthers.length > MAX_ANNOUNCED) return `${fromOthers.length} new messages`;
  return fromOthers.map((message) => `${message.username}, ${message.distanceLabel}: ${message.text}`).join('. ');
}
