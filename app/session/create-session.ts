/**
 * Builds the session from the page address and build-time settings: which relay, how
 * many direct links, and (for tests only) relay-only ICE.
 */

import { chooseRelayUrl } from '../core/relay-url.ts';
import { DEFAULT_LINK_BUDGET } from '../net/mesh.ts';
import { NearTalkSession } from './neartalk-session.ts';

/** Query parameter that sets the direct-link budget, e.g. `?budget=4` (1..64). */
const BUDGET_PARAMETER = 'budget';

export function createSession(pageUrl: string, buildTimeRelayUrl: string | undefined): NearTalkSession {
  const relay = chooseRelayUrl(pageUrl, buildTimeRelayUrl);
  for (const reason of relay.ignored) console.warn(`relay URL: ignoring an override: ${reason}`);
  const params = new URL(pageUrl).searchParams;
  const budgetText = params.get(BUDGET_PARAMETER);
  const budget = budgetText !== null && /^\d{1,2}$/.test(budgetText) ? Number(budgetText) : Number.NaN;
  const linkBudget = budget >= 1 && budget <= 64 ? budget : DEFAULT_LINK_BUDGET;
  if (budgetText !== null && linkBudget !== budget) console.warn(`?${BUDGET_PARAMETER}= must be 1 to 64; using ${linkBudget}`);
  return new NearTalkSession({
    relayUrl: relay.url,
    linkBudget,
    ...(params.get('ice') === 'relay' ? { iceTransportPolicy: 'relay' as const } : {}),
  });
}
