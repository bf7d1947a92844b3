/**
 * How the in-memory transport behaves: connection set-up time, one-way latency with
 * jitter, and loss on a reliable, ordered channel. Pure.
 *
 * Data channels are SCTP, reliable and ordered: a lost packet is not a lost message but a
 * late one. A frame lost with probability P is sent again after the retransmission
 * timeout (RTO), which doubles on each further loss (RFC 4960 §6.3.3); frames behind it
 * wait (head-of-line blocking, see `OrderedPipe`). So loss shows up as latency, and a
 * message is only lost when a link closes with it in flight.
 */

import type { Random } from './prng.ts';

export interface LinkProfile {
  /** Time from both sides having a link to the channel being open (ICE, DTLS, SCTP). */
  readonly connectDelayMs: number;
  readonly connectJitterMs: number;
  /** One-way latency: base plus a uniform extra in [0, jitter). */
  readonly latencyMs: number;
  readonly jitterMs: number;
  /** Probability that one transmission of a frame is lost, in [0, 0.5]. */
  readonly lossRate: number;
  /** First retransmission timeout; doubles on each further loss of the same frame. */
  readonly rtoMs: number;
  /** Share of link pairs that never open (blocked path); each side fails after its timeout. */
  readonly failRate: number;
}

export const DEFAULT_LINK_PROFILE: LinkProfile = {
  connectDelayMs: 100,
  connectJitterMs: 200,
  latencyMs: 20,
  jitterMs: 10,
  lossRate: 0,
  rtoMs: 200,
  failRate: 0,
};

/** RTO never grows past this (RFC 4960's RTO.Max). */
const MAX_RTO_MS = 60_000;

/** Checks a profile; throws a TypeError naming the bad field. */
export function checkLinkProfile(profile: LinkProfile): LinkProfile {
  for (const [name, value] of Object.entries(profile)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a finite number ≥ 0`);
  }
  if (profile.lossRate > 0.5) throw new TypeError('lossRate must be at most 0.5');
  if (profile.failRate > 1) throw new TypeError('failRate must be at most 1');
  return profile;
}

/** One frame's one-way delay: every lost transmission costs one (doubling) RTO before the next try. */
export function frameDelayMs(profile: LinkProfile, random: Random): number {
  let delayMs = 0;
  let rtoMs = profile.rtoMs;
  while (random.chance(profile.lossRate)) {
    delayMs += rtoMs;
    rtoMs = Math.min(rtoMs * 2, MAX_RTO_MS);
  }
  return delayMs + profile.latencyMs + random.between(0, profile.jitterMs);
}

/** Time for a link pair to open once both sides exist. */
export function connectDelayMs(profile: LinkProfile, random: Random): number {
  return profile.connectDelayMs + random.between(0, profile.connectJitterMs);
}
