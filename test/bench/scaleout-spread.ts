/**
 * Connections spread over several relay processes on one Redis, as behind a round-robin
 * load balancer: client `i` goes to relay `i % relays`, ten clients per cell, so every
 * relay follows every cell and knows the others' peers there (the costly case). Reports
 * memory and idle CPU per relay, and Redis's.
 */

import { neartalkAdapter } from './neartalk-adapter.ts';
import { ClientPool, runBounded } from './bench-client.ts';
import { readCpuSeconds, readRssBytes } from './proc-stats.ts';
import { remotePeersOf, startCluster } from './scaleout-cluster.ts';
import { sleep, type ProcessTracker } from './server-process.ts';

const HANDSHAKE_TIMEOUT_MS = 10_000;
const CONNECT_DEADLINE_MS = 120_000;
const SETTLE_TIMEOUT_MS = 30_000;
const GROUP_SIZE = 10;
const QUIET_MS = 1_000;

export interface SpreadConfig {
  readonly spreadRelays: number;
  readonly connectionsPerRelay: number;
  readonly idleWindowMs: number;
  readonly connectConcurrency: number;
}

export interface RelayReading {
  readonly connections: number;
  readonly remotePeers: number;
  readonly rssBytes: number;
  /** (RSS − RSS before any client) ÷ connections. */
  readonly rssBytesPerConnection: number;
  /** Over the idle window: heartbeats, liveness checks, pings. */
  readonly idleCores: number;
}

export interface SpreadResult {
  readonly relays: readonly RelayReading[];
  readonly redisRssBytes: number;
  readonly redisIdleCores: number;
  readonly connectsPerSecond: number;
}

export async function measureSpread(config: SpreadConfig, tracker: ProcessTracker): Promise<SpreadResult> {
  const cluster = await startCluster(config.spreadRelays, true, 'idle', tracker);
  const pool = new ClientPool();
  try {
    const ports = cluster.relays.map((relay) => relay.port);
    const baselineRss = cluster.relays.map((relay) => readRssBytes(relay.pid));
    const total = config.spreadRelays * config.connectionsPerRelay;
    const startedMs = performance.now();
    await runBounded(0, total, config.connectConcurrency, CONNECT_DEADLINE_MS, (index) =>
      neartalkAdapter.register(ports[index % ports.length] ?? 0, index, Math.floor(index / GROUP_SIZE), pool, HANDSHAKE_TIMEOUT_MS),
    );
    const connectsPerSecond = total / ((performance.now() - startedMs) / 1000);
    // Each relay knows, in every cell, the clients the other relays hold there.
    const expectedRemote = total - config.connectionsPerRelay;
    const deadline = performance.now() + SETTLE_TIMEOUT_MS;
    let remote = await Promise.all(ports.map(remotePeersOf));
    while (remote.some((count) => count < expectedRemote)) {
      if (performance.now() > deadline) throw new Error(`relays know ${remote.join('/')} remote peers, expected ${expectedRemote} each`);
      await sleep(100);
      remote = await Promise.all(ports.map(remotePeersOf));
    }
    await sleep(QUIET_MS);
    const startCpu = cluster.pids.map(readCpuSeconds);
    const startMs = performance.now();
    await sleep(config.idleWindowMs);
    const seconds = (performance.now() - startMs) / 1000;
    const idleCores = cluster.pids.map((pid, index) => (readCpuSeconds(pid) - (startCpu[index] ?? 0)) / seconds);
    for (const relay of cluster.relays) relay.assertAlive();
    const relays = cluster.relays.map((relay, index): RelayReading => {
      const rssBytes = readRssBytes(relay.pid);
      return {
        connections: config.connectionsPerRelay,
        remotePeers: remote[index] ?? 0,
        rssBytes,
        rssBytesPerConnection: (rssBytes - (baselineRss[index] ?? 0)) / config.connectionsPerRelay,
        idleCores: idleCores[index] ?? 0,
      };
    });
    const redisPid = cluster.redis?.pid;
    return {
      relays,
      redisRssBytes: redisPid === undefined ? 0 : readRssBytes(redisPid),
      redisIdleCores: idleCores.at(-1) ?? 0,
      connectsPerSecond,
    };
  } finally {
    pool.closeAll();
    await cluster.stop();
  }
}
