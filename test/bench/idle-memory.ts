/**
 * Test 1, bytes per idle connection: one server is ramped through the connection counts
 * and, after each step and a forced full GC, its VmRSS and live V8 heap are compared with
 * the same readings at zero connections.
 */

import { ADAPTERS } from './adapters.ts';
import type { BenchConfig, ServerKind } from './bench-config.ts';
import { ClientPool, runBounded } from './bench-client.ts';
import { InspectorClient } from './inspector-client.ts';
import { readRssBytes } from './proc-stats.ts';
import { sleep, type ProcessTracker, type ServerProcess } from './server-process.ts';
import { startServer } from './servers.ts';

const HANDSHAKE_TIMEOUT_MS = 10_000;
const CONNECT_DEADLINE_MS = 60_000;
/** Lets sockets, timers and connection-time garbage go quiet before the forced GC. */
const QUIET_MS = 1_000;
const AFTER_GC_MS = 300;

export interface MemoryReading {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
}

export interface IdlePoint {
  readonly connections: number;
  readonly reading: MemoryReading;
  /** (RSS − baseline RSS) / connections. */
  readonly rssBytesPerConnection: number;
  /** (heap used − baseline heap used) / connections: live JS objects only. */
  readonly heapBytesPerConnection: number;
  /** Handshake plus registration rate while ramping to this point. */
  readonly connectsPerSecond: number;
}

export interface IdleResult {
  readonly baseline: MemoryReading;
  readonly points: readonly IdlePoint[];
}

export async function measureIdleMemory(
  kind: ServerKind,
  config: BenchConfig,
  tracker: ProcessTracker,
): Promise<IdleResult> {
  const adapter = ADAPTERS[kind];
  const server = await startServer(kind, 'idle', tracker, { isInspectable: true });
  const pool = new ClientPool();
  let inspector: InspectorClient | null = null;
  try {
    inspector = await InspectorClient.connect(await server.inspectorUrl(5_000));
    const baseline = await settledReading(server, inspector);
    const points: IdlePoint[] = [];
    let connected = 0;
    for (const target of config.idleCounts) {
      const startedMs = performance.now();
      await runBounded(connected, target, config.connectConcurrency, CONNECT_DEADLINE_MS, (index) =>
        adapter.register(server.port, index, Math.floor(index / config.idleGroupSize), pool, HANDSHAKE_TIMEOUT_MS),
      );
      const connectsPerSecond = (target - connected) / ((performance.now() - startedMs) / 1000);
      connected = target;
      const reading = await settledReading(server, inspector);
      const open = pool.openCount();
      if (open !== target) throw new Error(`${kind}: only ${open} of ${target} idle clients still connected`);
      points.push({
        connections: target,
        reading,
        rssBytesPerConnection: (reading.rssBytes - baseline.rssBytes) / target,
        heapBytesPerConnection: (reading.heapUsedBytes - baseline.heapUsedBytes) / target,
        connectsPerSecond,
      });
    }
    return { baseline, points };
  } finally {
    inspector?.close();
    pool.closeAll();
    await server.stop();
  }
}

/** Memory after a quiet spell and two full collections: what the connections really hold. */
async function settledReading(server: ServerProcess, inspector: InspectorClient): Promise<MemoryReading> {
  await sleep(QUIET_MS);
  await inspector.collectGarbage();
  await sleep(AFTER_GC_MS);
  await inspector.collectGarbage();
  await sleep(AFTER_GC_MS);
  server.assertAlive();
  const { usedBytes } = await inspector.heapUsage();
  return { rssBytes: readRssBytes(server.pid), heapUsedBytes: usedBytes };
}
