/**
 * Audio round-trip time as WebRTC reports it, on loopback: B's RTCPeerConnection to A
 * (both in voice) is read with `getStats()` every `intervalMs` for a few seconds. Two
 * sources, each counted once per new measurement:
 * - `remote-inbound-rtp` (audio): `roundTripTime` from A's RTCP receiver reports on B's
 *   audio (one every few seconds for audio);
 * - the selected `candidate-pair`: `currentRoundTripTime` from STUN connectivity checks.
 * B's `inbound-rtp` audio adds the jitter buffer's mean delay and target over the window,
 * which, not the network, dominate the time from mouth to ear on one machine.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from '@playwright/test';
import { summarize, type Summary } from '../stats.ts';

/** What one `getStats()` of the page's open connections says about audio. */
export interface AudioStatsSample {
  readonly time: number;
  /** remote-inbound-rtp (audio): roundTripTime s, and how many measurements so far. */
  readonly remoteInbound: readonly { readonly id: string; readonly rttS: number | null; readonly measurements: number; readonly totalS: number }[];
  /** Selected candidate pairs: currentRoundTripTime s, and STUN responses so far. */
  readonly candidatePairs: readonly { readonly id: string; readonly rttS: number | null; readonly responses: number; readonly totalS: number }[];
  /** inbound-rtp (audio) counters. */
  readonly inbound: readonly {
    readonly id: string;
    readonly packetsReceived: number;
    readonly packetsLost: number;
    readonly jitterBufferDelayS: number;
    readonly jitterBufferTargetDelayS: number;
    readonly jitterBufferEmittedCount: number;
  }[];
}

export interface AudioRttResult {
  readonly windowMs: number;
  readonly samples: number;
  /** RTT per new RTCP report, ms. */
  readonly remoteInboundRtt: Summary;
  /** RTT per new STUN response on the selected pair, ms. */
  readonly candidatePairRtt: Summary;
  /** Means over the connection's life (totalRoundTripTime ÷ count), ms: there even when the window saw few reports. */
  readonly remoteInboundLifeMeanMs: number | null;
  readonly candidatePairLifeMeanMs: number | null;
  /** Mean jitter buffer delay and target over the window, ms (null: nothing emitted). */
  readonly jitterBufferDelayMs: number | null;
  readonly jitterBufferTargetMs: number | null;
  readonly packetsReceived: number;
  readonly packetsLost: number;
}

/** One `getStats()` of every connected connection of the page (the voice probe keeps them). */
export async function readAudioStats(page: Page): Promise<AudioStatsSample> {
  return page.evaluate(async () => {
    const sample = {
      time: performance.timeOrigin + performance.now(),
      remoteInbound: [] as { id: string; rttS: number | null; measurements: number; totalS: number }[],
      candidatePairs: [] as { id: string; rttS: number | null; responses: number; totalS: number }[],
      inbound: [] as { id: string; packetsReceived: number; packetsLost: number; jitterBufferDelayS: number; jitterBufferTargetDelayS: number; jitterBufferEmittedCount: number }[],
    };
    for (const pc of window.__ntVoiceBench?.connections ?? []) {
      if (pc.connectionState !== 'connected') continue;
      const report = await pc.getStats();
      const all = [...report.values()] as Record<string, unknown>[];
      const selected = new Set(all.filter((entry) => entry['type'] === 'transport').map((entry) => entry['selectedCandidatePairId']));
      for (const entry of all) {
        const id = String(entry['id']);
        // No helper functions here: the page has no `__name` for tsx's wrapped declarations.
        const numbers: Record<string, number> = {};
        for (const [key, value] of Object.entries(entry)) if (typeof value === 'number') numbers[key] = value;
        if (entry['type'] === 'remote-inbound-rtp' && entry['kind'] === 'audio') {
          sample.remoteInbound.push({ id, rttS: numbers['roundTripTime'] ?? null, measurements: numbers['roundTripTimeMeasurements'] ?? 0, totalS: numbers['totalRoundTripTime'] ?? 0 });
        } else if (entry['type'] === 'candidate-pair' && selected.has(entry['id'])) {
          sample.candidatePairs.push({ id, rttS: numbers['currentRoundTripTime'] ?? null, responses: numbers['responsesReceived'] ?? 0, totalS: numbers['totalRoundTripTime'] ?? 0 });
        } else if (entry['type'] === 'inbound-rtp' && entry['kind'] === 'audio') {
          sample.inbound.push({
            id,
            packetsReceived: numbers['packetsReceived'] ?? 0,
            packetsLost: numbers['packetsLost'] ?? 0,
            jitterBufferDelayS: numbers['jitterBufferDelay'] ?? 0,
            jitterBufferTargetDelayS: numbers['jitterBufferTargetDelay'] ?? 0,
            jitterBufferEmittedCount: numbers['jitterBufferEmittedCount'] ?? 0,
          });
        }
      }
    }
    return sample;
  });
}

/** RTT values (ms) each time `counter` of the same stats id went up between samples. */
function newMeasurements<T extends { readonly id: string; readonly rttS: number | null }>(
  samples: readonly AudioStatsSample[],
  pick: (sample: AudioStatsSample) => readonly T[],
  counter: (entry: T) => number,
): number[] {
  const seen = new Map<string, number>();
  const values: number[] = [];
  for (const sample of samples) {
    for (const entry of pick(sample)) {
      const count = counter(entry);
      const previous = seen.get(entry.id);
      seen.set(entry.id, count);
      // The first sample only sets the baseline: its value may predate the window.
      if (previous !== undefined && count > previous && entry.rttS !== null) values.push(entry.rttS * 1000);
    }
  }
  return values;
}

function lifeMean(entries: readonly { readonly totalS: number; readonly count: number }[]): number | null {
  const count = entries.reduce((sum, entry) => sum + entry.count, 0);
  return count === 0 ? null : (entries.reduce((sum, entry) => sum + entry.totalS, 0) / count) * 1000;
}

/** What happened between two samples of one page, summed over its connections. */
export interface StatsBetween {
  /** Mean RTT of the RTCP reports and STUN responses that came in between, ms (null: none came). */
  readonly remoteInboundRttMs: number | null;
  readonly candidatePairRttMs: number | null;
  /** Mean jitter buffer delay and target of the audio emitted in between, ms. */
  readonly jitterBufferDelayMs: number | null;
  readonly jitterBufferTargetMs: number | null;
  readonly packetsReceived: number;
  readonly packetsLost: number;
}

/** Mean of Δtotal ÷ Δcount over entries present in both samples. */
function meanOfDeltas<T extends { readonly id: string }>(first: readonly T[], last: readonly T[], total: (entry: T) => number, count: (entry: T) => number): number | null {
  let totals = 0;
  let counts = 0;
  for (const entry of last) {
    const start = first.find((candidate) => candidate.id === entry.id);
    if (start === undefined) continue;
    totals += total(entry) - total(start);
    counts += count(entry) - count(start);
  }
  return counts > 0 ? totals / counts : null;
}

export function statsBetween(first: AudioStatsSample, last: AudioStatsSample): StatsBetween {
  const toMs = (seconds: number | null): number | null => (seconds === null ? null : seconds * 1000);
  let packetsReceived = 0;
  let packetsLost = 0;
  for (const entry of last.inbound) {
    const start = first.inbound.find((candidate) => candidate.id === entry.id);
    packetsReceived += entry.packetsReceived - (start?.packetsReceived ?? 0);
    packetsLost += entry.packetsLost - (start?.packetsLost ?? 0);
  }
  return {
    remoteInboundRttMs: toMs(meanOfDeltas(first.remoteInbound, last.remoteInbound, (entry) => entry.totalS, (entry) => entry.measurements)),
    candidatePairRttMs: toMs(meanOfDeltas(first.candidatePairs, last.candidatePairs, (entry) => entry.totalS, (entry) => entry.responses)),
    jitterBufferDelayMs: toMs(meanOfDeltas(first.inbound, last.inbound, (entry) => entry.jitterBufferDelayS, (entry) => entry.jitterBufferEmittedCount)),
    jitterBufferTargetMs: toMs(meanOfDeltas(first.inbound, last.inbound, (entry) => entry.jitterBufferTargetDelayS, (entry) => entry.jitterBufferEmittedCount)),
    packetsReceived,
    packetsLost,
  };
}

/** Samples `page`'s audio stats for `windowMs`, every `intervalMs`. */
export async function measureAudioRtt(page: Page, windowMs: number, intervalMs: number): Promise<AudioRttResult> {
  const samples: AudioStatsSample[] = [];
  const end = performance.now() + windowMs;
  while (performance.now() < end) {
    samples.push(await readAudioStats(page));
    await sleep(intervalMs);
  }
  samples.push(await readAudioStats(page));
  const first = samples[0];
  const last = samples.at(-1);
  const between = first === undefined || last === undefined ? null : statsBetween(first, last);
  return {
    windowMs,
    samples: samples.length,
    remoteInboundRtt: summarize(newMeasurements(samples, (sample) => sample.remoteInbound, (entry) => entry.measurements)),
    candidatePairRtt: summarize(newMeasurements(samples, (sample) => sample.candidatePairs, (entry) => entry.responses)),
    remoteInboundLifeMeanMs: lifeMean(last?.remoteInbound.map((entry) => ({ totalS: entry.totalS, count: entry.measurements })) ?? []),
    candidatePairLifeMeanMs: lifeMean(last?.candidatePairs.map((entry) => ({ totalS: entry.totalS, count: entry.responses })) ?? []),
    jitterBufferDelayMs: between?.jitterBufferDelayMs ?? null,
    jitterBufferTargetMs: between?.jitterBufferTargetMs ?? null,
    packetsReceived: between?.packetsReceived ?? 0,
    packetsLost: between?.packetsLost ?? 0,
  };
}
