/**
 * Builds the session from the page address and build-time settings: which relay, how
 * many direct links, and (for tests only) relay-only ICE.
 */

import { chooseRelayUrl } from '../core/relay-url.ts';
import { DEFAULT_VOICE_CAP } from '../core/voice-policy.ts';
import { DEFAULT_LINK_BUDGET } from '../net/mesh.ts';
import { NearTalkSession } from './neartalk-session.ts';

/** Query parameter that sets the direct-link budget, e.g. `?budget=4` (1..64). */
const BUDGET_PARAMETER = 'budget';
/** Query parameter that sets how many people we exchange audio with, e.g. `?voice-cap=2` (1..16). */
const VOICE_CAP_PARAMETER = 'voice-cap';

/** A whole number from the page address within [min, max], else `fallback` (with a warning if set). */
function integerParameter(params: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const text = params.get(name);
  if (text === null) return fallback;
  const value = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (value >= min && value <= max) return value;
  console.warn(`?${name}= must be ${min} to ${max}; using ${fallback}`);
  return fallback;
}

export function createSession(pageUrl: string, buildTimeRelayUrl: string | undefined): NearTalkSession {
  const relay = chooseRelayUrl(pageUrl, buildTimeRelayUrl);
  for (const reason of relay.ignored) console.warn(`relay URL: ignoring an override: ${reason}`);
  const params = new URL(pageUrl).searchParams;
  return new NearTalkSession({
    relayUrl: relay.url,
    linkBudget: integerParameter(params, BUDGET_PARAMETER, 1, 64, DEFAULT_LINK_BUDGET),
    voiceCap: integerParameter(params, VOICE_CAP_PARAMETER, 1, 16, DEFAULT_VOICE_CAP),
    ...(params.get('ice') === 'relay' ? { iceTransportPolicy: 'relay' as const } : {}),
  });
}
