/**
 * Test 3, forward latency at a realistic load: every client sends its partner one signal
 * about every second (jittered ±20 %, random phase, like peers trickling ICE candidates),
 * and the receiver, in this same process and clock, records now − the payload's send time.
 */

import { ADAPTERS } from './adapters.ts';
import type { BenchConfig, ServerKind } from './bench-config.ts';
import { ClientPool } from './bench-client.ts';
import { connectPairs, drain, type Lane } from './pairs.ts';
import { cpuBetween, cpuSnapshot, type CpuUse } from './proc-stats.ts';
import { sleep, type ProcessTracker } from './server-process.ts';
import { startServer } from './servers.ts';
import { signalPayload } from './signaling-adapter.ts';
import { Reservoir, type Summary } from './stats.ts';

const DRAIN_TIMEOUT_MS = 2_000;
const LATENCY_SAMPLES = 200_000;
const JITTER = 0.2;

export interface LatencyResult {
  readonly pairs: number;
  readonly offeredSignalsPerSecond: number;
  readonly latencyMs: Summary;
  readonly cpu: CpuUse;
  readonly errorFrames: number;
  readonly lost: number;
}

export async function measureLatency(kind: ServerKind, config: BenchConfig, tracker: ProcessTracker): Promise<LatencyResult> {
  const adapter = ADAPTERS[kind];
  const server = await startServer(kind, 'latency', tracker, { isInspectable: false });
  const pool = new ClientPool();
  const timers = new Set<NodeJS.Timeout>();
  try {
    const lanes = await connectPairs(adapter, server.port, config.latencyPairs, config.connectConcurrency, pool);
    const latency = new Reservoir(LATENCY_SAMPLES);
    let errorFrames = 0;
    let measureFromMs = Number.POSITIVE_INFINITY;
    const intervalMs = config.latencySendIntervalMs;

    for (const lane of lanes) {
      const self = lane.to.address;
      lane.to.client.onText = (text) => {
        const inbound = adapter.decode(text, self);
        if (inbound.kind === 'error') errorFrames += 1;
        if (inbound.kind !== 'signal' || inbound.from !== lane.from.address) return;
        lane.inFlight -= 1;
        if (inbound.sentAtMs >= measureFromMs) latency.add(performance.now() - inbound.sentAtMs);
      };
    }
    // Each client is its own sender with its own timer, as real clients are.
    const schedule = (lane: Lane, delayMs: number): void => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        lane.inFlight += 1;
        lane.from.client.send(adapter.encodeSignal(lane.from, lane.to, signalPayload(performance.now())));
        schedule(lane, intervalMs * (1 - JITTER + 2 * JITTER * Math.random()));
      }, delayMs);
      timers.add(timer);
    };
    for (const lane of lanes) schedule(lane, intervalMs * Math.random());

    await sleep(config.latencyWarmupMs);
    const start = cpuSnapshot(server.pid);
    measureFromMs = performance.now();
    await sleep(config.latencyWindowMs);
    const end = cpuSnapshot(server.pid);
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    const lost = await drain(lanes, DRAIN_TIMEOUT_MS);
    server.assertAlive();
    return {
      pairs: config.latencyPairs,
      offeredSignalsPerSecond: lanes.length * (1000 / intervalMs),
      latencyMs: latency.summary(),
      cpu: cpuBetween(start, end),
      errorFrames,
      lost,
    };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    pool.closeAll();
    await server.stop();
  }
}
