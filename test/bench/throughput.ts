/**
 * Test 2, most signals forwarded per second: every client keeps a fixed number of signals
 * in flight to its partner and sends the next one when one arrives (a closed loop), so the
 * server is saturated without unbounded queues. Counted over a window after a warm-up,
 * with the server's own CPU time over the same window.
 */

import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ADAPTERS } from './adapters.ts';
import type { BenchConfig, ServerKind } from './bench-config.ts';
import { ClientPool } from './bench-client.ts';
import { InspectorClient } from './inspector-client.ts';
import { connectPairs, drain, type Lane } from './pairs.ts';
import { cpuBetween, cpuSnapshot, type CpuUse } from './proc-stats.ts';
import { sleep, type ProcessTracker } from './server-process.ts';
import { startServer } from './servers.ts';
import { signalPayload } from './signaling-adapter.ts';
import { Reservoir, type Summary } from './stats.ts';

const DRAIN_TIMEOUT_MS = 3_000;
const LATENCY_SAMPLES = 100_000;
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const PROFILE_INTERVAL_US = 200;

export interface ThroughputResult {
  readonly pairs: number;
  readonly signalsInFlightPerClient: number;
  readonly signalsPerSecond: number;
  /** Signals per second for each core's worth of server CPU: the efficiency figure. */
  readonly signalsPerServerCoreSecond: number;
  readonly cpu: CpuUse;
  /** Sender → receiver time under saturation: mostly queueing, for context only. */
  readonly latencyMs: Summary;
  readonly errorFrames: number;
  /** Signals still missing a few seconds after sending stopped: dropped by the server. */
  readonly lost: number;
  /** Where the window's CPU profile was written, with --profile. */
  readonly profilePath: string | null;
}

export async function measureThroughput(
  kind: ServerKind,
  config: BenchConfig,
  tracker: ProcessTracker,
): Promise<ThroughputResult> {
  const adapter = ADAPTERS[kind];
  const server = await startServer(kind, 'throughput', tracker, { isInspectable: config.isProfiling });
  const pool = new ClientPool();
  let inspector: InspectorClient | null = null;
  try {
    if (config.isProfiling) inspector = await InspectorClient.connect(await server.inspectorUrl(5_000));
    const lanes = await connectPairs(adapter, server.port, config.throughputPairs, config.connectConcurrency, pool);
    let isSending = false;
    let isCounting = false;
    let received = 0;
    let errorFrames = 0;
    const latency = new Reservoir(LATENCY_SAMPLES);

    const send = (lane: Lane): void => {
      lane.inFlight += 1;
      lane.from.client.send(adapter.encodeSignal(lane.from, lane.to, signalPayload(performance.now())));
    };
    for (const lane of lanes) {
      const self = lane.to.address;
      lane.to.client.onText = (text) => {
        const inbound = adapter.decode(text, self);
        if (inbound.kind === 'error') errorFrames += 1;
        if (inbound.kind !== 'signal' || inbound.from !== lane.from.address) return;
        lane.inFlight -= 1;
        if (isCounting) {
          received += 1;
          latency.add(performance.now() - inbound.sentAtMs);
        }
        if (isSending) send(lane);
      };
    }

    isSending = true;
    for (const lane of lanes) for (let k = 0; k < config.signalsInFlight; k += 1) send(lane);
    await sleep(config.throughputWarmupMs);
    await inspector?.startProfiling(PROFILE_INTERVAL_US);
    const start = cpuSnapshot(server.pid);
    isCounting = true;
    await sleep(config.throughputWindowMs);
    const end = cpuSnapshot(server.pid);
    isCounting = false;
    isSending = false;
    const profilePath = inspector === null ? null : await saveProfile(inspector, kind);
    const lost = await drain(lanes, DRAIN_TIMEOUT_MS);
    server.assertAlive();

    const cpu = cpuBetween(start, end);
    const signalsPerSecond = received / cpu.wallSeconds;
    return {
      pairs: config.throughputPairs,
      signalsInFlightPerClient: config.signalsInFlight,
      signalsPerSecond,
      signalsPerServerCoreSecond: signalsPerSecond / cpu.serverCores,
      cpu,
      latencyMs: latency.summary(),
      errorFrames,
      lost,
      profilePath,
    };
  } finally {
    inspector?.close();
    pool.closeAll();
    await server.stop();
  }
}

async function saveProfile(inspector: InspectorClient, kind: ServerKind): Promise<string> {
  const path = `${RESULTS_DIR}${kind}-throughput.cpuprofile`;
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path, JSON.stringify(await inspector.stopProfiling()));
  return path;
}
