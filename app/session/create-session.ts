/**
 * Builds the session from the page address and build-time settings: which relay, how
 * many direct links, and (for tests only) relay-only ICE.
 */

import { detectPeerSupport } from '../core/peer-support.ts';
import { chooseRelayUrl } from '../core/relay-url.ts';
import { DEFAULT_VOICE_CAP } from '../core/voice-policy.ts';
import { DEFAULT_MESH_POLICY, MAX_DEGREE, meshPolicyProblem, policyForDegree, type MeshPolicyConfig } from '../core/mesh-policy.ts';
import { IdentityKeeper } from '../identity/identity-keeper.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import { NearTalkSession } from './neartalk-session.ts';
import { pageDifficultyBits } from './page-difficulty.ts';

/**
 * Query parameters for the link policy: `?degree=D` (low and high marks follow as 2/3 D
 * and 2 D unless `?degree-low=` / `?degree-high=` say otherwise). `?budget=` is the older
 * name of `?degree=`.
 */
const DEGREE_PARAMETERS = ['degree', 'budget'] as const;
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

/**
 * The session for this page: the profile's identity restored from `store` when it was
 * used in the last 30 minutes (else a new one), `onStartFresh` called after "Start fresh".
 */
export async function createSession(
  pageUrl: string,
  buildTimeRelayUrl: string | undefined,
  store: IdentityStore,
  onStartFresh: () => void,
): Promise<NearTalkSession> {
  const keeper = await IdentityKeeper.open({ store });
  const relay = chooseRelayUrl(pageUrl, buildTimeRelayUrl);
  for (const reason of relay.ignored) console.warn(`relay URL: ignoring an override: ${reason}`);
  const params = new URL(pageUrl).searchParams;
  const peerSupport = detectPeerSupport(globalThis);
  if (peerSupport !== 'supported') console.warn(`no WebRTC in this browser (${peerSupport}): NearTalk cannot connect to anyone`);
  return new NearTalkSession({
    peerSupport,
    relayUrl: relay.url,
    policy: meshPolicy(params),
    voiceCap: integerParameter(params, VOICE_CAP_PARAMETER, 1, 16, DEFAULT_VOICE_CAP),
    ...(params.get('ice') === 'relay' ? { iceTransportPolicy: 'relay' as const } : {}),
    keeper,
    // The proof is paid once per identity, and blocks last as long as it does.
    saved: keeper.safety,
    onSafetyRecord: (record) => keeper.saveSafety(record),
    onStartFresh,
    powDifficultyBits: pageDifficultyBits(globalThis),
    ...(typeof window === 'undefined' ? {} : { window }),
  });
}

/** The link policy from the page address, or the default with a warning when it does not hold together. */
function meshPolicy(params: URLSearchParams): MeshPolicyConfig {
  const named = DEGREE_PARAMETERS.find((name) => params.has(name));
  const base = named === undefined ? DEFAULT_MESH_POLICY : policyForDegree(integerParameter(params, named, 1, MAX_DEGREE, DEFAULT_MESH_POLICY.degree));
  const policy: MeshPolicyConfig = {
    degree: base.degree,
    degreeLow: integerParameter(params, 'degree-low', 1, MAX_DEGREE, Math.min(base.degreeLow, base.degree)),
    degreeHigh: integerParameter(params, 'degree-high', 1, MAX_DEGREE, Math.max(base.degreeHigh, base.degree)),
  };
  const problem = meshPolicyProblem(policy);
  if (problem === null) return policy;
  console.warn(`link policy from the page address: ${problem}; using the default`);
  return DEFAULT_MESH_POLICY;
}
