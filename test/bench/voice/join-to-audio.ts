/**
 * Join to first audio: A and B are 200 m apart in the chat, B already in voice. From A's
 * click on "Join voice" (stamped in A's page by a capture listener) to the first moment B
 * receives energy from A's microphone (B's page samples every received audio track; A's
 * tone is checked on that track afterwards). Each run uses a fresh pair (A's first join:
 * a new audio line on the link); on the same pair A then leaves, B falls silent, and A
 * joins again (the line exists and only changes direction).
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { expect, type Browser, type BrowserContext } from '@playwright/test';
import { DEFAULT_TOLERANCE_HZ, heardTracks, SILENCE_RMS } from '../../fixture/audio-probe.ts';
import type { MeshPeer } from '../../fixture/mesh-peer.ts';
import { closeAll } from '../browser/bench-peers.ts';
import { armFirstAudio, firstAudio, joinClicks, pcEvents, type PcEvent } from './voice-probe.ts';
import { expectInVoice, joinVoice, openVoicePeer, pageErrorsOf } from './voice-peers.ts';

export const A_TONE_HZ = 440;
export const B_TONE_HZ = 660;
/** B is this far north of A. */
const DISTANCE_M = 200;
/** Sampling timer period in B's page (browsers clamp repeated timers to 4 ms). */
export const SAMPLE_INTERVAL_MS = 4;
const FIRST_AUDIO_TIMEOUT_MS = 10_000;
/** B keeps sampling this long after first audio, to measure how often its analyser updates. */
const TAIL_MS = 200;
/** Quiet time before a join, so the previous step's traffic is over. */
const SETTLE_MS = 300;

/** One join, times in ms after A's click (null: not seen). */
export interface JoinSteps {
  /** A's link asked for negotiation: microphone granted, audio line added or turned on. */
  readonly aNegotiationNeeded: number | null;
  /** The first offer after the click, on either side. */
  readonly firstOffer: number | null;
  /** B's connection fired `track` for the audio line. */
  readonly bTrack: number | null;
  /** First RTP packet from A at B, estimated from B's stats (last packet − 20 ms × (packets − 1)). */
  readonly bFirstPacket: number | null;
  /** B's sampler saw RMS above the threshold: the figure. */
  readonly bFirstAudio: number | null;
}

export interface JoinRun {
  readonly run: number;
  readonly kind: 'first join' | 'rejoin';
  readonly steps: JoinSteps;
  /** Offers made on either side between the click and first audio (1 when nothing collided). */
  readonly offers: number;
  /** The dominant frequency on the track that first had energy (A's tone is 440 Hz). */
  readonly heardHz: number | null;
  readonly firstRms: number | null;
  /** Mean time between updates of B's analyser once audio flowed, ms: the sampling's real resolution. */
  readonly analyserUpdateMs: number | null;
  /** Connection events of both pages since the click, for the JSON report. */
  readonly events: readonly (PcEvent & { readonly page: 'A' | 'B' })[];
}

export interface JoinResult {
  readonly runs: readonly JoinRun[];
  readonly pageErrors: readonly string[];
}

function firstAfter(events: readonly PcEvent[], start: number, what: (name: string) => boolean): number | null {
  const found = events.find((event) => event.time >= start && what(event.what));
  return found === undefined ? null : found.time - start;
}

/** A's click on "Join voice" while B watches; the run's figures. */
async function measureJoin(peerA: MeshPeer, peerB: MeshPeer, run: number, kind: JoinRun['kind']): Promise<JoinRun> {
  await sleep(SETTLE_MS);
  await armFirstAudio(peerB.page, { thresholdRms: SILENCE_RMS, intervalMs: SAMPLE_INTERVAL_MS, timeoutMs: FIRST_AUDIO_TIMEOUT_MS, tailMs: TAIL_MS });
  const clicksBefore = (await joinClicks(peerA.page)).length;
  await peerA.page.getByRole('button', { name: 'Join voice' }).click();
  const heard = await firstAudio(peerB.page);
  const click = (await joinClicks(peerA.page))[clicksBefore];
  if (click === undefined) throw new Error(`run ${run}: A's click on Join voice was not stamped`);
  await expect(peerA.page.getByRole('button', { name: 'Leave voice' })).toBeVisible();
  const [eventsA, eventsB] = await Promise.all([pcEvents(peerA.page), pcEvents(peerB.page)]);
  const end = heard?.time ?? Number.POSITIVE_INFINITY;
  const isOffer = (name: string): boolean => name === 'signaling:have-local-offer';
  let heardHz: number | null = null;
  if (heard !== null) {
    // The fixture's probe (170 ms window) names the tone on the track that first had energy.
    await expect
      .poll(async () => {
        heardHz = (await heardTracks(peerB.page)).find((track) => track.trackId === heard.trackId)?.hz ?? null;
        return heardHz !== null && Math.abs(heardHz - A_TONE_HZ) <= DEFAULT_TOLERANCE_HZ;
      }, { message: `run ${run}: B hears A's ${A_TONE_HZ} Hz on the track that had energy` })
      .toBe(true);
  }
  const since = (time: number | null | undefined): number | null => (time === null || time === undefined ? null : time - click);
  return {
    run,
    kind,
    steps: {
      aNegotiationNeeded: firstAfter(eventsA, click, (name) => name === 'negotiationneeded'),
      firstOffer: [firstAfter(eventsA, click, isOffer), firstAfter(eventsB, click, isOffer)].reduce<number | null>(
        (earliest, time) => (time === null ? earliest : earliest === null ? time : Math.min(earliest, time)),
        null,
      ),
      bTrack: firstAfter(eventsB, click, (name) => name === 'track:audio'),
      bFirstPacket: since(heard?.firstPacketEstimate),
      bFirstAudio: since(heard?.time),
    },
    offers: [...eventsA, ...eventsB].filter((event) => event.time >= click && event.time <= end && isOffer(event.what)).length,
    heardHz,
    firstRms: heard?.rms ?? null,
    analyserUpdateMs: heard?.analyserUpdateMs ?? null,
    events: [
      ...eventsA.filter((event) => event.time >= click).map((event) => ({ ...event, page: 'A' as const, time: event.time - click })),
      ...eventsB.filter((event) => event.time >= click).map((event) => ({ ...event, page: 'B' as const, time: event.time - click })),
    ].sort((left, right) => left.time - right.time),
  };
}

/** A leaves voice and B's received audio falls silent. */
async function leaveAndSilence(peerA: MeshPeer, peerB: MeshPeer): Promise<void> {
  await peerA.page.getByRole('button', { name: 'Leave voice' }).click();
  await expect(peerA.page.getByRole('button', { name: 'Join voice' })).toBeVisible();
  await expect.poll(() => peerB.receivedAudioLevel(), { message: 'B falls silent after A left voice' }).toBeLessThan(SILENCE_RMS);
}

/** A fresh pair 200 m apart, each listing the other, B in voice and A seeing that. */
async function openPair(browser: Browser, baseUrl: string, run: number, contexts: BrowserContext[]): Promise<[MeshPeer, MeshPeer]> {
  const pair = await Promise.all([
    openVoicePeer(browser, { baseUrl, name: `Voice A${run}`, northM: 0, eastM: 0, toneHz: A_TONE_HZ }, contexts),
    openVoicePeer(browser, { baseUrl, name: `Voice B${run}`, northM: DISTANCE_M, eastM: 0, toneHz: B_TONE_HZ }, contexts),
  ]);
  const [peerA, peerB] = pair;
  await peerA.expectNearby(peerB.name);
  await peerB.expectNearby(peerA.name);
  await joinVoice(peerB);
  await expectInVoice(peerA, peerB.name);
  return pair;
}

/**
 * `runs` fresh pairs, each measured on A's first join and on a rejoin. `afterLast` gets the
 * last pair with both in voice, before it is closed (the round-trip figure uses it).
 */
export async function measureJoinToAudio(
  browser: Browser,
  baseUrl: string,
  runs: number,
  onRun: (first: JoinRun, again: JoinRun) => void,
  afterLast: (peerA: MeshPeer, peerB: MeshPeer) => Promise<void>,
): Promise<JoinResult> {
  const results: JoinRun[] = [];
  const pageErrors: string[] = [];
  for (let run = 1; run <= runs; run += 1) {
    const contexts: BrowserContext[] = [];
    try {
      const [peerA, peerB] = await openPair(browser, baseUrl, run, contexts);
      const first = await measureJoin(peerA, peerB, run, 'first join');
      await leaveAndSilence(peerA, peerB);
      const again = await measureJoin(peerA, peerB, run, 'rejoin');
      results.push(first, again);
      onRun(first, again);
      if (run === runs) await afterLast(peerA, peerB);
      pageErrors.push(...pageErrorsOf([peerA, peerB]));
    } finally {
      await closeAll(contexts);
    }
  }
  return { runs: results, pageErrors };
}
