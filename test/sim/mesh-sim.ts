/**
 * Plays a scenario against real time with real peers (`SimNetwork`): arrivals, walks,
 * departures and messages at their planned times; measures deliveries, links, frames and
 * memory; disposes everything. Returns raw facts; `mesh-report.ts` turns them into figures.
 */

import { loadavg } from 'node:os';
import type { DropReason } from '../../app/core/chat-message.ts';
import { DeliveryTracker } from './delivery-tracker.ts';
import type { BlockedWithin } from './delivery-breakdown.ts';
import type { FrameTally } from './frame-tally.ts';
import type { PeerTimeline, SentMessage } from './ground-truth.ts';
import type { RelayLatency } from './in-process-relay.ts';
import type { LinkProfile } from './link-profile.ts';
import type { LinkCounts } from './link-registry.ts';
import { LoopDelayMonitor } from './loop-delay.ts';
import { LoopLag } from './loop-lag.ts';
import type { PathTracer } from './path-tracer.ts';
import { linkCapOf, type SimPolicy } from './node-options.ts';
import { createRandom } from './prng.ts';
import { planScenario, type ScenarioConfig, type ScenarioPlan } from './scenario.ts';
import { SimNetwork, type RelayKind, type TransportKind } from './sim-network.ts';
import type { SimPeer } from './sim-peer.ts';
import { SlowMotion } from './slow-motion.ts';
import { reachableInZone } from './zone-reach.ts';

export interface SimConfig {
  readonly transport: TransportKind;
  readonly relay: RelayKind;
  readonly seed: number;
  readonly scenario: ScenarioConfig;
  readonly profile: LinkProfile;
  readonly relayLatency: RelayLatency;
  readonly policy: SimPolicy | null;
  /** A message counts as delivered to a peer only within this time of being sent. */
  readonly windowMs: number;
  /** Every clock and timer runs this many times slower than real time (see `slow-motion.ts`); 1 when absent. */
  readonly slowMotion?: number;
  /** Told what is going on every few seconds. */
  readonly onProgress?: (line: string) => void;
}

export interface MemoryFigures {
  readonly baselineRssBytes: number;
  readonly baselineHeapBytes: number;
  /** At the end, with `endPeers` present (after a GC when `--expose-gc`). */
  readonly endRssBytes: number;
  readonly endHeapBytes: number;
  readonly peakRssBytes: number;
  readonly endPeers: number;
  readonly isGcExposed: boolean;
}

export interface SimResult {
  readonly config: SimConfig;
  readonly plan: ScenarioPlan;
  readonly timelines: readonly PeerTimeline[];
  readonly messages: readonly SentMessage[];
  /** message id → peer index → simulation time first stored (within the window). */
  readonly firstStored: ReadonlyMap<string, ReadonlyMap<number, number>>;
  /** Sum over peers of the simulated messages in their store that others wrote, when they left or at the end. */
  readonly storedCopies: number;
  /** Simulated message ids each peer present at the end holds (to tell late from never). */
  readonly heldAtEnd: ReadonlyMap<number, ReadonlySet<string>>;
  readonly tally: FrameTally;
  /** Every message's path over the links, for the delivery breakdown. */
  readonly tracer: PathTracer | null;
  /** When the simulator's loop was blocked, for the same breakdown (over worker threads: the worst thread's). */
  readonly loopLag: { readonly blockedWithin: BlockedWithin };
  readonly maxOpenEver: number;
  /** Open links of each peer present at the end. */
  readonly openAtEnd: readonly number[];
  readonly linkCap: number;
  readonly links: LinkCounts;
  /** Simulation time when the measurements were taken (peers still there were there until then). */
  readonly endAtMs: number;
  readonly relayFrames: { readonly in: number; readonly out: number };
  readonly drops: ReadonlyMap<DropReason, number>;
  /** Sends the app refused (rate limit) or skipped (author not there). */
  readonly unsent: number;
  readonly memory: MemoryFigures;
  /** The worst thread's, when the peers ran over worker threads. */
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** With worker threads: each thread's event-loop delay. */
  readonly threads?: readonly ({ readonly thread: string } & SimResult['eventLoopDelayMs'])[];
  /**
   * For each message, the peers its author reached over open links inside its zone when it
   * was sent (`zone-reach.ts`); one process only (over workers no thread sees every link).
   */
  readonly reachableAtSend?: ReadonlyMap<string, ReadonlySet<number>>;
  /** With workers: how far the furthest worker's clock was from the main thread's at the end (message transit included). */
  readonly workerClockSkewMs?: number;
  /** With worker threads: the app's warnings and unhandled rejections in each worker. */
  readonly workerNotes?: readonly string[];
  /** This process's CPU time (all threads, native WebRTC included) over the run. */
  readonly cpuMs: number;
  /** The machine's 1-minute load average at the start and at the end (others share the cores). */
  readonly loadAverage: readonly [number, number];
  readonly wallMs: number;
}

type Step = { readonly atMs: number; readonly run: () => void };

const PROGRESS_EVERY_MS = 5_000;
/** After the last window closes, a moment for stragglers before the final count. */
const SETTLE_MS = 500;

function collectGarbage(): boolean {
  const gc: unknown = Reflect.get(globalThis, 'gc');
  if (typeof gc !== 'function') return false;
  gc();
  return true;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export async function runMeshSim(config: SimConfig): Promise<SimResult> {
  const slowMotion = SlowMotion.start(config.slowMotion ?? 1, Date.now());
  try {
    return await simulate(config, slowMotion);
  } finally {
    slowMotion?.stop();
  }
}

async function simulate(config: SimConfig, slowMotion: SlowMotion | null): Promise<SimResult> {
  const random = createRandom(config.seed);
  const plan = planScenario(config.scenario, random.fork('scenario'));
  const isGcExposed = collectGarbage();
  const baseline = process.memoryUsage();
  const loopDelay = new LoopDelayMonitor(slowMotion?.toSimulatedMs.bind(slowMotion));
  loopDelay.enable();
  const loadAtStart = loadavg()[0] ?? 0;
  const cpuAtStart = process.cpuUsage();
  const startMs = performance.now();
  const clock = (): number => performance.now() - startMs;
  const network = await SimNetwork.start({
    transport: config.transport,
    relay: config.relay,
    random: random.fork('network'),
    profile: config.profile,
    relayLatency: config.relayLatency,
    policy: config.policy,
    expectedPeers: plan.peers.length,
    clock,
    isTracingPaths: true,
  });
  const tracker = new DeliveryTracker(clock, config.windowMs);
  const loopLag = new LoopLag(clock);
  loopLag.start();
  const messages: SentMessage[] = [];
  const sentIds = new Set<string>();
  const reachableAtSend = new Map<string, ReadonlySet<number>>();
  const unsubscribes: (() => void)[] = [];
  let storedCopies = 0;
  let unsent = 0;
  let peakRssBytes = baseline.rss;
  let linkCap = 0;

  const countStored = (peer: SimPeer): void => {
    const key = peer.node.key;
    for (const message of peer.node.router.store.list()) if (sentIds.has(message.id) && message.author !== key) storedCopies += 1;
  };
  const leave = (peer: SimPeer): void => {
    if (peer.leftAtMs !== null) return;
    countStored(peer);
    network.registry.markLeaving(peer.index);
    peer.leave();
  };

  const steps: Step[] = [];
  for (const peerPlan of plan.peers) {
    steps.push({
      atMs: peerPlan.joinAtMs,
      run: () => {
        const peer = network.addPeer({ index: peerPlan.index, username: peerPlan.username, radiusM: peerPlan.radiusM });
        network.registry.markArrived(peer.index);
        linkCap = Math.max(linkCap, linkCapOf(peer.node));
        unsubscribes.push(tracker.watch(peer.index, peer.node.router.store));
        void peer.moveTo(peerPlan.position);
      },
    });
    for (const move of peerPlan.moves) steps.push({ atMs: move.atMs, run: () => void network.peers.get(peerPlan.index)?.moveTo(move.position) });
    if (peerPlan.leaveAtMs !== null) {
      steps.push({
        atMs: peerPlan.leaveAtMs,
        run: () => {
          const peer = network.peers.get(peerPlan.index);
          if (peer !== undefined) leave(peer);
        },
      });
    }
  }
  for (const messagePlan of plan.messages) {
    steps.push({
      atMs: messagePlan.atMs,
      run: () => {
        const author = network.peers.get(messagePlan.authorIndex);
        if (author === undefined) {
          unsent += 1;
          return;
        }
        void author.say(messagePlan.text).then((sent) => {
          if (sent === null) {
            unsent += 1;
            return;
          }
          const { message } = sent;
          const record: SentMessage = { id: message.id, authorIndex: author.index, sentAtMs: sent.sentAtMs, position: message.position, radiusM: message.radiusM };
          messages.push(record);
          sentIds.add(message.id);
          tracker.sent(record);
          reachableAtSend.set(message.id, reachableInZone(record, network.peers.values(), network.registry));
        });
      },
    });
  }
  steps.sort((a, b) => a.atMs - b.atMs);

  const sampler = setInterval(() => {
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
  }, 1_000);
  let nextProgressMs = PROGRESS_EVERY_MS;
  try {
    for (const step of steps) {
      await sleep(step.atMs - clock());
      step.run();
      if (config.onProgress !== undefined && clock() >= nextProgressMs) {
        nextProgressMs += PROGRESS_EVERY_MS;
        config.onProgress(progressLine(network, clock(), messages.length));
      }
    }
    const lastDeadlineMs = Math.max(plan.config.durationMs, ...messages.map((message) => message.sentAtMs)) + config.windowMs;
    await sleep(lastDeadlineMs + SETTLE_MS - clock());
    config.onProgress?.(progressLine(network, clock(), messages.length));

    const present = [...network.peers.values()].filter((peer) => peer.leftAtMs === null);
    const endAtMs = clock();
    const openAtEnd = present.map((peer) => network.registry.openCount(peer.index));
    for (const peer of present) countStored(peer);
    const heldAtEnd = new Map(present.map((peer) => [peer.index, new Set(peer.node.router.store.list().map((message) => message.id).filter((id) => sentIds.has(id)))]));
    peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
    collectGarbage();
    const end = process.memoryUsage();
    const cpu = process.cpuUsage(cpuAtStart);
    return {
      config,
      plan,
      // Copies: disposing the peers below marks every one as left.
      timelines: [...network.peers.values()].map((peer) => ({ index: peer.index, states: [...peer.states], leftAtMs: peer.leftAtMs })),
      messages,
      firstStored: tracker.firstStored,
      reachableAtSend,
      storedCopies,
      heldAtEnd,
      tally: network.registry.tally,
      tracer: network.tracer,
      // One process: every receiver's queueing is this loop's.
      loopLag: { blockedWithin: (fromMs, toMs) => loopLag.blockedWithin(fromMs, toMs) },
      maxOpenEver: network.registry.maxOpenEver,
      openAtEnd,
      linkCap,
      links: network.registry.counts,
      endAtMs,
      relayFrames: network.relayFrames(),
      drops: network.drops,
      unsent,
      memory: {
        baselineRssBytes: baseline.rss,
        baselineHeapBytes: baseline.heapUsed,
        endRssBytes: end.rss,
        endHeapBytes: end.heapUsed,
        peakRssBytes,
        endPeers: present.length,
        isGcExposed,
      },
      eventLoopDelayMs: loopDelay.figures(),
      cpuMs: (cpu.user + cpu.system) / 1000,
      loadAverage: [loadAtStart, loadavg()[0] ?? 0],
      wallMs: clock(),
    };
  } finally {
    clearInterval(sampler);
    loopLag.stop();
    loopDelay.disable();
    for (const unsubscribe of unsubscribes) unsubscribe();
    await network.dispose();
  }
}

function progressLine(network: SimNetwork, atMs: number, sent: number): string {
  const present = [...network.peers.values()].filter((peer) => peer.isPresent);
  const links = present.reduce((total, peer) => total + network.registry.openCount(peer.index), 0);
  const rssMiB = process.memoryUsage.rss() / 2 ** 20;
  return (
    `t=${(atMs / 1000).toFixed(0)}s present=${present.length} links/peer=${(links / Math.max(1, present.length)).toFixed(1)} ` +
    `maxLinks=${network.registry.maxOpenEver} sent=${sent} frames=${network.registry.tally.frames} rss=${rssMiB.toFixed(0)}MiB`
  );
}
