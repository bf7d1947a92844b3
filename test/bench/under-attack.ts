/**
 * Test 5 (NearTalk only), the relay under attack: 2,000 clients watch one cell and one
 * client floods presence there within its rate limit (`attack-crowd.ts`, its own process),
 * while 100 benign pairs in other cells signal once a second and `/health` is polled every
 * 100 ms. Reports the benign signal latency and `/health` latency over the attack, and the
 * relay's RSS before, at its peak, and how long it took to come back to 1.5× before.
 */

import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { createInterface } from 'node:readline';
import { ADAPTERS } from './adapters.ts';
import type { BenchConfig } from './bench-config.ts';
import { ClientPool } from './bench-client.ts';
import { connectPairs, drain, type Lane } from './pairs.ts';
import { readRssBytes } from './proc-stats.ts';
import { REPO_ROOT, sleep, type ProcessTracker } from './server-process.ts';
import { startServer } from './servers.ts';
import { signalPayload } from './signaling-adapter.ts';
import { Reservoir, summarize, type Summary } from './stats.ts';

const WATCHERS = 2_000;
const BENIGN_PAIRS = 100;
const ATTACK_MS = 10_000;
const QUIET_MS = 5_000;
const HEALTH_EVERY_MS = 100;
const RECOVERY_LIMIT_MS = 60_000;
const MIB = 1024 * 1024;

export interface UnderAttackResult {
  readonly watchers: number;
  readonly benignPairs: number;
  readonly attackSeconds: number;
  /** Frames the attacker sent, and frames its flood made the relay send the crowd. */
  readonly attackFrames: number;
  readonly crowdFramesReceived: number;
  /** The same benign load for 5 s just before the attack: what this machine gives right now. */
  readonly quietLatencyMs: Summary;
  readonly benignLatencyMs: Summary;
  readonly benignLost: number;
  readonly healthMs: Summary;
  /** /health requests that got no answer within 5 s. */
  readonly healthUnanswered: number;
  readonly rssBeforeMiB: number;
  readonly rssPeakMiB: number;
  /** Seconds after the flood until RSS ≤ 1.5 × before; null when not within 60 s. */
  readonly recoverySeconds: number | null;
  readonly rssAfterMiB: number;
}

function healthLatencyMs(port: number): Promise<number | null> {
  const startedAt = performance.now();
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path: '/health', timeout: 5_000 }, (response) => {
      response.resume();
      response.once('end', () => resolve(performance.now() - startedAt));
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(null));
  });
}

export async function measureUnderAttack(config: BenchConfig, tracker: ProcessTracker): Promise<UnderAttackResult> {
  const adapter = ADAPTERS.neartalk;
  const server = await startServer('neartalk', 'latency', tracker, { isInspectable: false });
  const crowd = spawn(process.execPath, ['--import', 'tsx', 'test/bench/attack-crowd.ts', String(server.port), String(WATCHERS)], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // The crowd may have died (its error is on stderr); writing to it must not crash the bench.
  crowd.stdin.on('error', () => undefined);
  const lines = createInterface({ input: crowd.stdout })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const { value, done } = await lines.next();
    if (done === true) throw new Error('the attacking crowd exited early');
    return String(value);
  };
  const pool = new ClientPool();
  const timers = new Set<NodeJS.Timeout>();
  try {
    if ((await nextLine()) !== 'ready') throw new Error('the crowd did not get ready');
    // Benign pairs in groups 1..100: cells other than the crowd's (group 0).
    const lanes = (await connectPairs(adapter, server.port, BENIGN_PAIRS + 1, config.connectConcurrency, pool)).slice(2);
    await sleep(2_000);
    const rssBefore = readRssBytes(server.pid);
    const quiet = new Reservoir(100_000);
    const latency = new Reservoir(100_000);
    let isAttacked = false;
    let measureFromMs = Number.POSITIVE_INFINITY;
    for (const lane of lanes) {
      const self = lane.to.address;
      lane.to.client.onText = (text) => {
        const inbound = adapter.decode(text, self);
        if (inbound.kind !== 'signal' || inbound.from !== lane.from.address) return;
        lane.inFlight -= 1;
        if (inbound.sentAtMs >= measureFromMs) (isAttacked ? latency : quiet).add(performance.now() - inbound.sentAtMs);
      };
    }
    const schedule = (lane: Lane, delayMs: number): void => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        lane.inFlight += 1;
        lane.from.client.send(adapter.encodeSignal(lane.from, lane.to, signalPayload(performance.now())));
        schedule(lane, 1_000 * (0.8 + 0.4 * Math.random()));
      }, delayMs);
      timers.add(timer);
    };
    for (const lane of lanes) schedule(lane, 1_000 * Math.random());
    await sleep(1_000);
    measureFromMs = performance.now();
    await sleep(QUIET_MS);

    const health: number[] = [];
    let healthUnanswered = 0;
    let isProbing = true;
    let rssPeak = rssBefore;
    const probing = (async () => {
      while (isProbing) {
        const ms = await healthLatencyMs(server.port);
        if (ms === null) healthUnanswered += 1;
        else health.push(ms);
        rssPeak = Math.max(rssPeak, readRssBytes(server.pid));
        await sleep(HEALTH_EVERY_MS);
      }
    })();
    isAttacked = true;
    measureFromMs = performance.now();
    crowd.stdin.write(`attack ${ATTACK_MS}\n`);
    const [, received, sent] = (await nextLine()).split(' ');
    // Whatever the relay still owes the crowd counts as attack too.
    await sleep(2_000);
    isProbing = false;
    await probing;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    const benignLost = await drain(lanes, 2_000);

    const floodEndedAt = performance.now();
    let recoverySeconds: number | null = null;
    let rssAfter = readRssBytes(server.pid);
    while (performance.now() - floodEndedAt < RECOVERY_LIMIT_MS) {
      rssAfter = readRssBytes(server.pid);
      rssPeak = Math.max(rssPeak, rssAfter);
      if (rssAfter <= 1.5 * rssBefore) {
        recoverySeconds = (performance.now() - floodEndedAt) / 1000;
        break;
      }
      await sleep(1_000);
    }
    server.assertAlive();
    return {
      watchers: WATCHERS,
      benignPairs: BENIGN_PAIRS,
      attackSeconds: ATTACK_MS / 1000,
      attackFrames: Number(sent),
      crowdFramesReceived: Number(received),
      quietLatencyMs: quiet.summary(),
      benignLatencyMs: latency.summary(),
      benignLost,
      healthMs: summarize(health),
      healthUnanswered,
      rssBeforeMiB: rssBefore / MIB,
      rssPeakMiB: rssPeak / MIB,
      recoverySeconds,
      rssAfterMiB: rssAfter / MIB,
    };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    pool.closeAll();
    crowd.stdin.end('stop\n');
    if (crowd.exitCode === null) crowd.kill('SIGTERM');
    await server.stop();
  }
}

/** One line for the report. */
export function describeUnderAttack(result: UnderAttackResult): string {
  const { benignLatencyMs: benign, healthMs: health, quietLatencyMs: quiet } = result;
  const recovery = result.recoverySeconds === null ? `not within 60 s (${result.rssAfterMiB.toFixed(0)} MiB)` : `${result.recoverySeconds.toFixed(0)} s`;
  return (
    `before the attack: benign p99 ${quiet.p99.toFixed(1)} ms; during: ` +
    `benign signal p50 ${benign.p50.toFixed(1)} ms, p99 ${benign.p99.toFixed(1)} ms, max ${benign.max.toFixed(0)} ms (${result.benignLost} lost); ` +
    `/health p99 ${health.p99.toFixed(1)} ms, max ${health.max.toFixed(0)} ms (${result.healthUnanswered} unanswered); ` +
    `RSS ${result.rssBeforeMiB.toFixed(0)} → peak ${result.rssPeakMiB.toFixed(0)} MiB, ≤ 1.5× before after ${recovery}; ` +
    `attacker sent ${result.attackFrames} frames, the crowd received ${result.crowdFramesReceived}`
  );
}
