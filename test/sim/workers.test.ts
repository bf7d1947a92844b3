import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RELAY_LATENCY } from './in-process-relay.ts';
import { buildReport } from './mesh-report.ts';
import type { SimConfig, SimResult } from './mesh-sim.ts';
import { runMeshSimOverWorkers } from './mesh-sim-workers.ts';
import { DEFAULT_AREA } from './placement.ts';
import { DEFAULT_SCENARIO } from './scenario.ts';
import { TEST_LINK_PROFILE } from './sim-harness.ts';
import type { TransportKind } from './sim-network.ts';
import { workerOfPeer } from './worker-merge.ts';

const PEOPLE = 20;
const WORKERS = 2;

/**
 * Everyone within 50 m of the centre (so in mutual range: radii are ≥ 100 m), arriving in
 * the first 2.5 s and staying; three authors each talk at least once from 3 s on.
 */
function smallRoom(transport: TransportKind, seed: number, peerCount: number): SimConfig {
  return {
    transport,
    relay: 'hub',
    seed,
    scenario: { ...DEFAULT_SCENARIO, area: { ...DEFAULT_AREA, denseShare: 1, denseRadiusM: 50, edgeRadiusM: 100 }, peerCount, authorCount: 3, durationMs: 10_000, lateJoinShare: 0, leaveShare: 0, moveShare: 0, messageGapMs: [6_000, 6_000] },
    profile: TEST_LINK_PROFILE,
    relayLatency: DEFAULT_RELAY_LATENCY,
    policy: { degree: 3, degreeLow: 2, degreeHigh: 6 },
    windowMs: 5_000,
  };
}

/** Messages stored by some peer of another worker than their author's. */
function messagesThatCrossedWorkers(result: SimResult): SimResult['messages'] {
  return result.messages.filter((message) =>
    [...(result.firstStored.get(message.id)?.keys() ?? [])].some((index) => workerOfPeer(index, WORKERS) !== workerOfPeer(message.authorIndex, WORKERS)),
  );
}

test('20 peers over 2 worker threads in slow motion: links form across the workers, every message reaches its intended recipients, the threads share one slowed clock, and the figures come back', async () => {
  const factor = 2;
  const realStartMs = performance.now();
  const result = await runMeshSimOverWorkers({ ...smallRoom('memory', 5, PEOPLE), slowMotion: factor }, WORKERS);
  const realElapsedMs = performance.now() - realStartMs;
  const report = buildReport(result);
  // The run's clock ran at half speed (set-up and tear-down are real time, hence only a lower bound)...
  assert.ok(realElapsedMs >= result.wallMs * factor, `simulated ${result.wallMs} ms took ${realElapsedMs} ms`);
  // ...and so did each worker's: at the end they read what the main thread read, give or take a post.
  assert.ok(result.workerClockSkewMs !== undefined && result.workerClockSkewMs < 250, `worker clocks off by ${result.workerClockSkewMs} ms`);
  assert.equal(report.slowMotion, factor);
  assert.ok(report.messagesSent >= 3, `${report.messagesSent} messages sent`);
  assert.ok(report.intended > 0);
  assert.equal(report.delivered, report.intended, `delivery ${report.delivered}/${report.intended}: ${report.missSamples.join('; ')}`);

  // Deliveries and links that crossed from one worker to the other.
  const crossDeliveries = messagesThatCrossedWorkers(result);
  assert.ok(crossDeliveries.length > 0, 'some message reached a peer of the other worker');
  const crossHops = [...(result.tracer?.hops.values() ?? [])].flatMap((links) =>
    [...links].filter(([key, times]) => {
      const [from = 0, to = 0] = key.split('>').map(Number);
      return times.bodyReceivedMs !== undefined && times.bodySentMs !== undefined && workerOfPeer(from, WORKERS) !== workerOfPeer(to, WORKERS);
    }),
  );
  assert.ok(crossHops.length > 0, 'the path tracer followed bodies from one worker to the other (sent there, received here)');

  assert.equal(result.timelines.length, PEOPLE);
  assert.equal(result.openAtEnd.length, PEOPLE);
  assert.ok(result.openAtEnd.every((count) => count >= 2), `links per peer at the end: ${result.openAtEnd.join(',')}`);
  assert.ok(report.maxConns <= report.linkCap && report.linkCap === 6, `max ${report.maxConns}, cap ${report.linkCap}`);
  assert.ok(report.linksOpened >= result.openAtEnd.reduce((sum, count) => sum + count, 0));
  assert.ok(report.storedCopies >= report.delivered && report.bodies > 0);
  assert.ok(report.relayFramesPerPeer.in > 0 && report.relayFramesPerPeer.out > 0);
  assert.deepEqual(
    report.threads.map((thread) => thread.thread),
    ['main (relay)', 'worker 0', 'worker 1'],
  );
});

test('12 WebRTC peers over 2 worker processes: real links form between the processes, every message reaches its intended recipients, and each process reports', async () => {
  const people = 12;
  const result = await runMeshSimOverWorkers(smallRoom('webrtc', 7, people), WORKERS);
  const report = buildReport(result);
  assert.ok(report.messagesSent >= 3, `${report.messagesSent} messages sent`);
  assert.equal(report.delivered, report.intended, `delivery ${report.delivered}/${report.intended}: ${report.missSamples.join('; ')}`);
  const crossDeliveries = messagesThatCrossedWorkers(result);
  assert.ok(crossDeliveries.length > 0, 'some message reached a peer of the other process');
  assert.ok(result.openAtEnd.length === people && result.openAtEnd.every((count) => count >= 2), `links per peer at the end: ${result.openAtEnd.join(',')}`);
  assert.deepEqual(
    report.threads.map((thread) => thread.thread),
    ['main (relay)', 'worker 0', 'worker 1'],
  );
  // The worker processes' memory is counted with this process's: more than this process holds alone.
  assert.ok(result.memory.baselineRssBytes > process.memoryUsage.rss(), `baseline RSS ${result.memory.baselineRssBytes} B`);
  assert.ok(result.cpuMs > 0);
  assert.ok(report.breakdown !== null && Number.isFinite(report.breakdown.withoutSimulator.p99));
});
