/**
 * Signals through relays sharing Redis, against one relay: the relay bench's flood and
 * realistic-load tests, with the two clients of every pair on different relays so every
 * signal crosses Redis (relay → Redis → relay). Server CPU is the relays' plus Redis's.
 */

import { neartalkAdapter } from './neartalk-adapter.ts';
import { ClientPool, runBounded } from './bench-client.ts';
import { drain, type Lane } from './pairs.ts';
import { cpuBetween, cpuSnapshot, ownCpuSeconds, readCpuSeconds, type CpuSnapshot } from './proc-stats.ts';
import { remotePeersOf, startCluster, type Cluster } from './scaleout-cluster.ts';
import { sleep, type ProcessTracker } from './server-process.ts';
import { signalPayload, type Registered } from './signaling-adapter.ts';
import { Reservoir, type Summary } from './stats.ts';

const HANDSHAKE_TIMEOUT_MS = 10_000;
const CONNECT_DEADLINE_MS = 60_000;
const SETTLE_TIMEOUT_MS = 15_000;
const DRAIN_TIMEOUT_MS = 3_000;
const JITTER = 0.2;

export interface SignalsConfig {
  readonly throughputPairs: number;
  readonly signalsInFlight: number;
  readonly latencyPairs: number;
  readonly warmupMs: number;
  readonly throughputWindowMs: number;
  readonly latencyWindowMs: number;
  readonly connectConcurrency: number;
}

export interface SignalsResult {
  readonly relays: number;
  readonly pairs: number;
  readonly signalsPerSecond: number;
  /** Relays' and Redis's CPU over the window, in cores. */
  readonly serverCores: number;
  readonly redisCores: number;
  readonly loadCores: number;
  /** Every other process on the machine over the window: near 0 on a quiet machine. */
  readonly otherCores: number;
  readonly latencyMs: Summary;
  readonly errorFrames: number;
  readonly lost: number;
}

/** Client `index` goes to relay `index % relays`: the two clients of a pair are on different relays. */
async function connectLanes(cluster: Cluster, pairs: number, concurrency: number, pool: ClientPool): Promise<Lane[]> {
  const ports = cluster.relays.map((relay) => relay.port);
  const clients: Registered[] = await runBounded(0, pairs * 2, concurrency, CONNECT_DEADLINE_MS, (index) =>
    neartalkAdapter.register(ports[index % ports.length] ?? 0, index, Math.floor(index / 2), pool, HANDSHAKE_TIMEOUT_MS),
  );
  const lanes: Lane[] = [];
  for (let pair = 0; pair < pairs; pair += 1) {
    const a = clients[2 * pair];
    const b = clients[2 * pair + 1];
    if (a === undefined || b === undefined) throw new Error(`pair ${pair} is missing a client`);
    lanes.push({ from: a, to: b, inFlight: 0 }, { from: b, to: a, inFlight: 0 });
  }
  if (ports.length > 1) {
    // Every relay must know its clients' partners before the clock starts.
    const deadline = performance.now() + SETTLE_TIMEOUT_MS;
    for (;;) {
      const known = (await Promise.all(ports.map(remotePeersOf))).reduce((sum, count) => sum + count, 0);
      if (known >= pairs * 2) break;
      if (performance.now() > deadline) throw new Error(`relays know ${known} of ${pairs * 2} remote partners`);
      await sleep(50);
    }
  }
  return lanes;
}

interface Window {
  readonly wallMs: number;
  readonly serverSeconds: readonly number[];
  readonly loadSeconds: number;
  /** The whole machine, seen from the first server (its siblings count as "others" there). */
  readonly machine: CpuSnapshot;
}

const snapshot = (cluster: Cluster): Window => ({
  wallMs: performance.now(),
  serverSeconds: cluster.pids.map(readCpuSeconds),
  loadSeconds: ownCpuSeconds(),
  machine: cpuSnapshot(cluster.pids[0] ?? process.pid),
});

function cores(cluster: Cluster, start: Window, end: Window): { wallSeconds: number; server: number; redis: number; load: number; others: number } {
  const wallSeconds = (end.wallMs - start.wallMs) / 1000;
  const perPid = end.serverSeconds.map((seconds, index) => (seconds - (start.serverSeconds[index] ?? 0)) / wallSeconds);
  const redis = cluster.redis === null ? 0 : (perPid.at(-1) ?? 0);
  const server = perPid.reduce((sum, value) => sum + value, 0);
  const others = Math.max(0, cpuBetween(start.machine, end.machine).otherCores - (server - (perPid[0] ?? 0)));
  return { wallSeconds, server, redis, load: (end.loadSeconds - start.loadSeconds) / wallSeconds, others };
}

/** Closed-loop flood: every client keeps `signalsInFlight` signals in flight to its partner. */
export async function measureFlood(relayCount: number, config: SignalsConfig, tracker: ProcessTracker): Promise<SignalsResult> {
  const cluster = await startCluster(relayCount, relayCount > 1, 'throughput', tracker);
  const pool = new ClientPool();
  try {
    const lanes = await connectLanes(cluster, config.throughputPairs, config.connectConcurrency, pool);
    const latency = new Reservoir(100_000);
    let isSending = true;
    let isCounting = false;
    let received = 0;
    let errorFrames = 0;
    const send = (lane: Lane): void => {
      lane.inFlight += 1;
      lane.from.client.send(neartalkAdapter.encodeSignal(lane.from, lane.to, signalPayload(performance.now())));
    };
    for (const lane of lanes) {
      lane.to.client.onText = (text) => {
        const inbound = neartalkAdapter.decode(text, lane.to.address);
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
    for (const lane of lanes) for (let k = 0; k < config.signalsInFlight; k += 1) send(lane);
    await sleep(config.warmupMs);
    const start = snapshot(cluster);
    isCounting = true;
    await sleep(config.throughputWindowMs);
    const end = snapshot(cluster);
    isCounting = false;
    isSending = false;
    const lost = await drain(lanes, DRAIN_TIMEOUT_MS);
    for (const relay of cluster.relays) relay.assertAlive();
    const used = cores(cluster, start, end);
    return {
      relays: relayCount,
      pairs: config.throughputPairs,
      signalsPerSecond: received / used.wallSeconds,
      serverCores: used.server,
      redisCores: used.redis,
      loadCores: used.load,
      otherCores: used.others,
      latencyMs: latency.summary(),
      errorFrames,
      lost,
    };
  } finally {
    pool.closeAll();
    await cluster.stop();
  }
}

/** Realistic load: every client sends its partner one signal about every second. */
export async function measureSteady(relayCount: number, config: SignalsConfig, tracker: ProcessTracker): Promise<SignalsResult> {
  const cluster = await startCluster(relayCount, relayCount > 1, 'latency', tracker);
  const pool = new ClientPool();
  const timers = new Set<NodeJS.Timeout>();
  try {
    const lanes = await connectLanes(cluster, config.latencyPairs, config.connectConcurrency, pool);
    const latency = new Reservoir(200_000);
    let errorFrames = 0;
    let received = 0;
    let measureFromMs = Number.POSITIVE_INFINITY;
    for (const lane of lanes) {
      lane.to.client.onText = (text) => {
        const inbound = neartalkAdapter.decode(text, lane.to.address);
        if (inbound.kind === 'error') errorFrames += 1;
        if (inbound.kind !== 'signal' || inbound.from !== lane.from.address) return;
        lane.inFlight -= 1;
        if (inbound.sentAtMs < measureFromMs) return;
        received += 1;
        latency.add(performance.now() - inbound.sentAtMs);
      };
    }
    const schedule = (lane: Lane, delayMs: number): void => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        lane.inFlight += 1;
        lane.from.client.send(neartalkAdapter.encodeSignal(lane.from, lane.to, signalPayload(performance.now())));
        schedule(lane, 1_000 * (1 - JITTER + 2 * JITTER * Math.random()));
      }, delayMs);
      timers.add(timer);
    };
    for (const lane of lanes) schedule(lane, 1_000 * Math.random());
    await sleep(config.warmupMs);
    const start = snapshot(cluster);
    measureFromMs = performance.now();
    await sleep(config.latencyWindowMs);
    const end = snapshot(cluster);
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    const lost = await drain(lanes, DRAIN_TIMEOUT_MS);
    for (const relay of cluster.relays) relay.assertAlive();
    const used = cores(cluster, start, end);
    return {
      relays: relayCount,
      pairs: config.latencyPairs,
      signalsPerSecond: received / used.wallSeconds,
      serverCores: used.server,
      redisCores: used.redis,
      loadCores: used.load,
      otherCores: used.others,
      latencyMs: latency.summary(),
      errorFrames,
      lost,
    };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    pool.closeAll();
    await cluster.stop();
  }
}
