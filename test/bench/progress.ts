/** One-line summaries printed as each test finishes, so a long run shows where it is. */

import type { CrowdResult } from './crowd-compare.ts';
import type { IdleResult } from './idle-memory.ts';
import type { LatencyResult } from './latency.ts';
import type { PresenceResult } from './presence.ts';
import type { Outcome } from './results.ts';
import type { ThroughputResult } from './throughput.ts';

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const ms = (value: number): string => `${value.toFixed(2)} ms`;
const pct = (cores: number): string => `${(cores * 100).toFixed(0)} %`;

function describe<T>(outcome: Outcome<T> | undefined, text: (value: T) => string): string {
  if (outcome === undefined) return 'not run';
  return outcome.ok ? text(outcome.value) : `FAILED: ${outcome.error}`;
}

export const describeIdle = (outcome: Outcome<IdleResult> | undefined): string =>
  describe(outcome, ({ baseline, points }) =>
    [
      `baseline RSS ${kb(baseline.rssBytes)}`,
      ...points.map(
        (point) =>
          `${point.connections}: ${Math.round(point.rssBytesPerConnection)} B RSS, ` +
          `${Math.round(point.heapBytesPerConnection)} B heap per conn (${Math.round(point.connectsPerSecond)} connects/s)`,
      ),
    ].join('; '),
  );

export const describeThroughput = (outcome: Outcome<ThroughputResult> | undefined): string =>
  describe(
    outcome,
    (value) =>
      `${Math.round(value.signalsPerSecond)} signals/s, server CPU ${pct(value.cpu.serverCores)}, ` +
      `load generator ${pct(value.cpu.loadCores)}, other processes ${pct(value.cpu.otherCores)} → ` +
      `${Math.round(value.signalsPerServerCoreSecond)} per core-second; ` +
      `p50 ${ms(value.latencyMs.p50)}, errors ${value.errorFrames}, lost ${value.lost}`,
  );

export const describeLatency = (outcome: Outcome<LatencyResult> | undefined): string =>
  describe(
    outcome,
    (value) =>
      `p50 ${ms(value.latencyMs.p50)}, p99 ${ms(value.latencyMs.p99)}, max ${ms(value.latencyMs.max)} ` +
      `over ${value.latencyMs.count} signals (${Math.round(value.offeredSignalsPerSecond)}/s offered), ` +
      `server CPU ${pct(value.cpu.serverCores)}, other processes ${pct(value.cpu.otherCores)}, ` +
      `errors ${value.errorFrames}, lost ${value.lost}`,
  );

export const describePresence = (outcome: Outcome<PresenceResult | null> | undefined): string =>
  describe(outcome, (value) => {
    if (value === null) return 'n/a (no presence)';
    return Object.entries(value.ops)
      .map(([op, stats]) =>
        stats === null ? `${op} n/a` : `${op} p50 ${ms(stats.timeMs.p50)} / ${stats.framesPerOp.toFixed(0)} frames / ${Math.round(stats.bytesPerOp)} B`,
      )
      .join('; ');
  });

export const describeCrowd = (outcome: Outcome<CrowdResult | null> | undefined): string =>
  describe(outcome, (value) => {
    if (value === null) return 'n/a (no presence)';
    const people = `${value.fromPeople.toLocaleString('en-US')} → ${value.toPeople.toLocaleString('en-US')}`;
    return (
      `${people}: ${value.framesPerArrival.toFixed(1)} presence frames and ${ms(value.cpuMsPerArrival)} server CPU per arrival ` +
      `(${value.cpu.wallSeconds.toFixed(1)} s, other processes ${pct(value.cpu.otherCores)})`
    );
  });
