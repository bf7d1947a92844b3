/** The chat screen's tabs on narrow screens, and how keys move between them (ARIA tabs pattern). */

export type ChatTab = 'chat' | 'people';

/** The tab a key selects from `current`, or null when the key is not a tab key. Wraps around. */
export function tabAfterKey<T extends string>(current: T, key: string, order: readonly T[]): T | null {
  const index = order.indexOf(current);
  if (index < 0 || order.length === 0) return null;
  switch (key) {
    case 'ArrowRight':
      return order[(index + 1) % order.length] ?? null;
    case 'ArrowLeft':
      return order[(index - 1 + order.length) % order.length] ?? null;
    case 'Home':
      return order[0] ?? null;
    case 'End':
      return order[order.length - 1] ?? null;
    default:
      return null;
  }
}
