/**
 * Who we exchange audio with, and how loud they play. Pure: the session feeds it the
 * neighbours it knows and applies the answer to its links.
 */

import { isVisible } from './visibility.ts';

/** Default number of people one sends audio to and receives it from. */
export const DEFAULT_VOICE_CAP = 6;
/** Gain at the edge of the mutual range when distance attenuation is on. */
export const EDGE_GAIN = 0.25;
/** Within this share of the range a voice plays at full volume. */
const FULL_VOLUME_SHARE = 0.1;

export interface VoiceCandidate {
  readonly key: string;
  readonly distanceM: number;
  readonly radiusM: number;
  readonly isInVoice: boolean;
}

/**
 * The people to exchange audio with: in voice, within mutual range (those already heard
 * stay until a margin beyond it, so nobody flaps at the edge), the nearest `cap` of them.
 * Audio flows only where both sides pick each other: each side enforces its own range and
 * cap whatever the other asks.
 */
export function selectVoicePeers(
  candidates: readonly VoiceCandidate[],
  myRadiusM: number,
  cap: number,
  currentlyHeard: ReadonlySet<string>,
): Set<string> {
  const eligible = candidates
    .filter((candidate) => candidate.isInVoice && isVisible(candidate.distanceM, myRadiusM, candidate.radiusM, currentlyHeard.has(candidate.key)))
    .sort((a, b) => a.distanceM - b.distanceM || (a.key < b.key ? -1 : 1));
  return new Set(eligible.slice(0, Math.max(0, cap)).map((candidate) => candidate.key));
}

/**
 * Playback gain for a voice `distanceM` away when the mutual range is `rangeM`: 1 within
 * the nearest 10 % of the range, then falling as 1 / (1 + 3x²), where x runs from 0 there
 * to 1 at the edge: 0.75 a third of the way, 0.43 at two thirds, 0.25 at the edge.
 */
export function distanceGain(distanceM: number, rangeM: number): number {
  if (!(rangeM > 0)) return 1;
  const start = rangeM * FULL_VOLUME_SHARE;
  if (distanceM <= start) return 1;
  const x = Math.min(1, (distanceM - start) / (rangeM - start));
  return 1 / (1 + (1 / EDGE_GAIN - 1) * x * x);
}
