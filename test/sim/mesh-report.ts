/**
 * Figures of one simulation run, from its raw facts and the ground truth: delivery ratio
 * to intended recipients within the window, latency, links per peer, frames sent per
 * delivery, memory per peer. Pure, apart from formatting.
 */

import { summarize, type Summary } from '../bench/stats.ts';
import { distanceBetween } from '../../app/core/position.ts';
import { BUCKETS, breakDownDeliveries, summarizeBreakdown, type BreakdownSummary, type Buckets } from './delivery-breakdown.ts';
import { intendedRecipients, mostPresentAtOnce, stateAt } from './ground-truth.ts';
import type { SimResult } from './mesh-sim.ts';

export interface MeshReport {
  readonly peers: number;
  readonly transport: string;
  readonly relay: string;
  readonly lossRate: number;
  readonly seed: number;
  readonly messagesSent: number;
  readonly unsent: number;
  /** (message, intended recipient) pairs. */
  readonly intended: number;
  /** Of those, stored within the window. */
  readonly delivered: number;
  /** Of the rest, held by the end of the run (late) rather than never. */
  readonly late: number;
  /** Of the missed, those whose recipient had arrived less than NEWCOMER_MS before the send. */
  readonly missedNewcomers: number;
  /** A few misses, described (who, how far, radii, how long the recipient had been there). */
  readonly missSamples: readonly string[];
  /** Of those never delivered, how many had no path of open links to the author inside the message's zone when it was sent (null: not known over workers). */
  readonly neverWithoutZonePath: number | null;
  readonly deliveryRatio: number;
  readonly latencyMs: Summary;
  /** Where deliveries' time went (hops, waits), overall and in the p99 tail. */
  readonly breakdown: BreakdownSummary | null;
  readonly maxConns: number;
  readonly maxConnsAtEnd: number;
  /** The most people present at the same moment (the plan brings `peers` over the run, some leave). */
  readonly peakPresent: number;
  readonly meanConns: number;
  readonly linkCap: number;
  /** Message bodies sent over links per copy stored by someone other than the author. */
  readonly overhead: number;
  readonly controlPerDelivery: number;
  readonly storedCopies: number;
  readonly bodies: number;
  /** Frames that carried those bodies. */
  readonly bodyFrames: number;
  readonly framesByType: Readonly<Record<string, number>>;
  readonly relayFramesPerPeer: { readonly in: number; readonly out: number };
  /** Frames the relay sent, per minute each peer was there. */
  readonly relayFramesOutPerPeerMinute: number;
  readonly linksMade: number;
  readonly linksOpened: number;
  readonly linksFailed: number;
  /** From a link end being made to its opening, over the links that opened. */
  readonly linkSetupMs: Summary;
  /** From a peer's arrival to its first open link. */
  readonly firstLinkMs: Summary;
  /** Open links closed by a peer that stayed (prunes, duplicates), and per peer-minute present. */
  readonly linksRetired: number;
  readonly linksRetiredPerPeerMinute: number;
  readonly drops: Readonly<Record<string, number>>;
  readonly rssBytesPerPeer: number;
  readonly heapBytesPerPeer: number;
  readonly peakRssBytesPerPeer: number;
  readonly isGcExposed: boolean;
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** With worker threads: each thread's event-loop delay (the figure above is the worst). */
  readonly threads: readonly ({ readonly thread: string } & MeshReport['eventLoopDelayMs'])[];
  /** CPU time of the simulator over wall time (1 = one core busy). */
  readonly cpuCores: number;
  readonly loadAverage: readonly [number, number];
  /** Simulated seconds from start to end (real seconds: this × slowMotion). */
  readonly wallSeconds: number;
  /** How many times slower than real time the run's clocks ran (1: real time). */
  readonly slowMotion: number;
}

/** A recipient that arrived this shortly before a message is still making its links. */
const NEWCOMER_MS = 5_000;
const MAX_MISS_SAMPLES = 8;

export function buildReport(result: SimResult): MeshReport {
  const { config, memory } = result;
  const latencies: number[] = [];
  let intended = 0;
  let late = 0;
  let missedNewcomers = 0;
  let neverWithoutZonePath = 0;
  const missSamples: string[] = [];
  const timelines = new Map(result.timelines.map((timeline) => [timeline.index, timeline]));
  const intendedByMessage = new Map<string, Set<number>>();
  for (const message of result.messages) {
    const arrivals = result.firstStored.get(message.id);
    const recipients = intendedRecipients(message, result.timelines, config.windowMs);
    intendedByMessage.set(message.id, new Set(recipients));
    for (const index of recipients) {
      intended += 1;
      const atMs = arrivals?.get(index);
      if (atMs !== undefined && atMs <= message.sentAtMs + config.windowMs) {
        latencies.push(atMs - message.sentAtMs);
        continue;
      }
      const isLate = result.heldAtEnd.get(index)?.has(message.id) === true;
      if (isLate) late += 1;
      const reached = result.reachableAtSend?.get(message.id);
      const hadNoZonePath = reached !== undefined && !reached.has(index);
      if (!isLate && hadNoZonePath) neverWithoutZonePath += 1;
      const timeline = timelines.get(index);
      const state = timeline === undefined ? undefined : stateAt(timeline, message.sentAtMs);
      const thereForMs = message.sentAtMs - (timeline?.states[0]?.atMs ?? 0);
      if (thereForMs < NEWCOMER_MS) missedNewcomers += 1;
      if (state !== undefined && missSamples.length < MAX_MISS_SAMPLES) {
        missSamples.push(
          `peer ${index} (r ${state.radiusM} m, there ${(thereForMs / 1000).toFixed(1)} s) missed peer ${message.authorIndex}'s ` +
            `message at ${(message.sentAtMs / 1000).toFixed(1)} s (r ${message.radiusM} m, ${distanceBetween(message.position, state.position).toFixed(0)} m away, ` +
            `${arrivals?.size ?? 0} others got it in time)${isLate ? ', got it later' : ''}` +
            `${hadNoZonePath ? '; no path to the author inside its zone when sent' : ''}`,
        );
      }
    }
  }
  const peers = result.plan.peers.length;
  const endPeers = Math.max(1, memory.endPeers);
  const tally = result.tally;
  return {
    peers,
    transport: config.transport,
    relay: config.relay,
    lossRate: config.transport === 'memory' ? config.profile.lossRate : 0,
    seed: config.seed,
    messagesSent: result.messages.length,
    unsent: result.unsent,
    intended,
    delivered: latencies.length,
    late,
    missedNewcomers,
    missSamples,
    neverWithoutZonePath: result.reachableAtSend === undefined ? null : neverWithoutZonePath,
    deliveryRatio: intended === 0 ? Number.NaN : latencies.length / intended,
    latencyMs: summarize(latencies),
    breakdown:
      result.tracer === null ? null : summarizeBreakdown(
            breakDownDeliveries(result.messages, result.firstStored, intendedByMessage, result.tracer, config.windowMs, (from, to, receiver) =>
              result.loopLag.blockedWithin(from, to, receiver),
            ),
          ),
    maxConns: result.maxOpenEver,
    maxConnsAtEnd: Math.max(0, ...result.openAtEnd),
    peakPresent: mostPresentAtOnce(result.timelines),
    meanConns: result.openAtEnd.length === 0 ? 0 : result.openAtEnd.reduce((sum, count) => sum + count, 0) / result.openAtEnd.length,
    linkCap: result.linkCap,
    overhead: result.storedCopies === 0 ? Number.NaN : tally.bodies / result.storedCopies,
    controlPerDelivery: result.storedCopies === 0 ? Number.NaN : tally.controlFrames / result.storedCopies,
    storedCopies: result.storedCopies,
    bodies: tally.bodies,
    bodyFrames: tally.bodyFrames,
    framesByType: Object.fromEntries(tally.framesByType),
    relayFramesPerPeer: { in: result.relayFrames.in / peers, out: result.relayFrames.out / peers },
    relayFramesOutPerPeerMinute: result.relayFrames.out / Math.max(1, peerMinutes(result)),
    linksMade: result.links.made,
    linksOpened: result.links.opened,
    linksFailed: result.links.failed,
    linkSetupMs: summarize(result.links.setupMs),
    firstLinkMs: summarize(result.links.firstLinkMs),
    linksRetired: result.links.retired,
    linksRetiredPerPeerMinute: result.links.retired / Math.max(1, peerMinutes(result)),
    drops: Object.fromEntries(result.drops),
    rssBytesPerPeer: (memory.endRssBytes - memory.baselineRssBytes) / endPeers,
    heapBytesPerPeer: (memory.endHeapBytes - memory.baselineHeapBytes) / endPeers,
    peakRssBytesPerPeer: (memory.peakRssBytes - memory.baselineRssBytes) / peers,
    isGcExposed: memory.isGcExposed,
    eventLoopDelayMs: result.eventLoopDelayMs,
    threads: result.threads ?? [],
    cpuCores: result.cpuMs / Math.max(1, result.wallMs * (config.slowMotion ?? 1)),
    loadAverage: result.loadAverage,
    wallSeconds: result.wallMs / 1000,
    slowMotion: config.slowMotion ?? 1,
  };
}

/** Minutes each peer was there (arrival to departure or the end), summed. */
function peerMinutes(result: SimResult): number {
  let totalMs = 0;
  for (const timeline of result.timelines) {
    const arrivedAtMs = timeline.states[0]?.atMs;
    if (arrivedAtMs !== undefined) totalMs += (timeline.leftAtMs ?? result.endAtMs) - arrivedAtMs;
  }
  return totalMs / 60_000;
}

const percent = (ratio: number): string => (Number.isFinite(ratio) ? `${(ratio * 100).toFixed(2)}%` : 'n/a');
const wholeMs = (value: number): string => (Number.isFinite(value) ? `${Math.round(value)}ms` : 'n/a');
const oneDecimal = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : 'n/a');
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;

/** The comparable summary, always the last line printed. */
export function lastLine(report: MeshReport): string {
  return (
    `mesh peers=${report.peers} transport=${report.transport} delivery=${percent(report.deliveryRatio)} ` +
    `p50=${wholeMs(report.latencyMs.p50)} p99=${wholeMs(report.latencyMs.p99)} maxConns=${report.maxConns} ` +
    `meanConns=${oneDecimal(report.meanConns)} overhead=${oneDecimal(report.overhead)}`
  );
}

/** The per-run report, a line per figure. */
export function reportLines(report: MeshReport, windowMs: number): string[] {
  const types = Object.entries(report.framesByType)
    .sort(([, a], [, b]) => b - a)
    .map(([type, count]) => `${type} ${count}`)
    .join(', ');
  const drops = Object.entries(report.drops)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  const { latencyMs: latency, eventLoopDelayMs: loop } = report;
  const workers = report.threads.length - 1;
  const loopWhere =
    workers > 0
      ? `worst of ${report.threads.length} event loops (${workers} ${report.transport === 'webrtc' ? 'processes' : 'threads'} run the peers, the main thread the relay)`
      : 'one process runs every peer';
  return [
    `run: ${report.peers} peers (at most ${report.peakPresent} present at once), ${report.transport} links${report.transport === 'memory' ? ` (loss ${percent(report.lossRate)})` : ''}, ` +
      `relay ${report.relay}, seed ${report.seed}, ${report.wallSeconds.toFixed(1)} s` +
      (report.slowMotion === 1
        ? ''
        : ` in slow motion ×${report.slowMotion} (${(report.wallSeconds * report.slowMotion).toFixed(0)} s real: every clock, timer and link delay ` +
          `${report.slowMotion} times slower, so each peer had ${report.slowMotion} times the CPU per simulated second; times below are simulated)`),
    `messages: ${report.messagesSent} sent (${report.unsent} not sent), ${report.intended} intended deliveries ` +
      `(${(report.intended / Math.max(1, report.messagesSent)).toFixed(1)} per message)`,
    `delivery within ${windowMs / 1000} s: ${percent(report.deliveryRatio)} (${report.delivered}/${report.intended}; ` +
      `missed ${report.intended - report.delivered}: ${report.late} arrived later, ${report.intended - report.delivered - report.late} never` +
      `${report.neverWithoutZonePath === null ? '' : ` (${report.neverWithoutZonePath} of them without a path to the author inside its zone when sent)`}; ` +
      `${report.missedNewcomers} by peers there for less than ${NEWCOMER_MS / 1000} s)`,
    ...report.missSamples.map((line) => `  ${line}`),
    `latency: p50 ${wholeMs(latency.p50)}, p99 ${wholeMs(latency.p99)}, max ${wholeMs(latency.max)}, mean ${wholeMs(latency.mean)}`,
    ...(report.breakdown === null ? [] : breakdownLines(report.breakdown)),
    `links per peer: max ${report.maxConns} over the run (cap ${report.linkCap}), at the end max ${report.maxConnsAtEnd} mean ${oneDecimal(report.meanConns)}; ` +
      `link ends: ${report.linksMade} made, ${report.linksOpened} opened, ${report.linksFailed} failed, ` +
      `${report.linksMade - report.linksOpened - report.linksFailed} closed before opening (refused or given up); ` +
      `set-up (made → open) p50 ${wholeMs(report.linkSetupMs.p50)}, p99 ${wholeMs(report.linkSetupMs.p99)}, max ${wholeMs(report.linkSetupMs.max)}; ` +
      `a newcomer's first open link after ${wholeMs(report.firstLinkMs.p50)} (p50), ${wholeMs(report.firstLinkMs.p99)} (p99)`,
    `churn: ${report.linksRetired} open links closed by a peer that stayed (prunes, duplicates), ` +
      `${report.linksRetiredPerPeerMinute.toFixed(2)} per peer-minute`,
    `frames over links: ${types || 'none'}`,
    `overhead: ${report.bodies} message bodies sent (in ${report.bodyFrames} frames) for ${report.storedCopies} copies stored = ` +
      `${oneDecimal(report.overhead)} per delivery (${oneDecimal(report.bodyFrames / Math.max(1, report.storedCopies))} frames); ` +
      `control frames ${oneDecimal(report.controlPerDelivery)} per delivery`,
    `relay frames per peer: ${report.relayFramesPerPeer.in.toFixed(1)} in, ${report.relayFramesPerPeer.out.toFixed(1)} out ` +
      `(${report.relayFramesOutPerPeerMinute.toFixed(1)} out per peer-minute)`,
    `drops: ${drops || 'none'}`,
    `memory per peer: ${kib(report.rssBytesPerPeer)} RSS, ${kib(report.heapBytesPerPeer)} heap at the end` +
      `${report.isGcExposed ? ' (after GC)' : ' (no GC: run with --expose-gc)'}; peak RSS ${kib(report.peakRssBytesPerPeer)}`,
    `simulator: event loop delay p50 ${loop.p50.toFixed(1)} ms, p99 ${loop.p99.toFixed(1)} ms, max ${loop.max.toFixed(0)} ms ` +
      `(${loopWhere}: latency includes this queueing); CPU ${report.cpuCores.toFixed(2)} cores; ` +
      `machine load ${report.loadAverage[0].toFixed(1)} → ${report.loadAverage[1].toFixed(1)}`,
    ...report.threads.map((thread) => `  ${thread.thread}: event loop delay p50 ${thread.p50.toFixed(1)} ms, p99 ${thread.p99.toFixed(1)} ms, max ${thread.max.toFixed(0)} ms`),
  ];
}

const bucketText = (buckets: Buckets): string => BUCKETS.map((bucket) => `${bucket} ${wholeMs(buckets[bucket])}`).join(', ');

/** Where the time went: hop counts, mean buckets overall and in the tail, the slowest deliveries. */
export function breakdownLines(breakdown: BreakdownSummary): string[] {
  const hops = Object.entries(breakdown.hopCounts)
    .sort(([a], [b]) => (a === '?' ? 1 : b === '?' ? -1 : Number(a) - Number(b)))
    .map(([count, deliveries]) => `${count}: ${deliveries}`)
    .join(', ');
  const { meanAll: all, meanTail: tail } = breakdown;
  return [
    `hops per delivery: ${hops || 'none'}`,
    `where the time went, mean of all (${wholeMs(all.latencyMs)}, ${all.hops.toFixed(1)} hops): ${bucketText(all)}`,
    `latency without the simulator's queueing (each hop's simulatorLoop taken out): p50 ${wholeMs(breakdown.withoutSimulator.p50)}, p99 ${wholeMs(breakdown.withoutSimulator.p99)}`,
    `where the time went, mean of the ${tail.count} at or above p99 (${wholeMs(tail.latencyMs)}, ${tail.hops.toFixed(1)} hops): ${bucketText(tail)}`,
    ...breakdown.slowest.map(
      (path) => `  slowest: ${wholeMs(path.latencyMs)} to peer ${path.recipient}, ${path.hops ?? '?'} hops: ${bucketText(path.buckets)}` +
        (Math.abs(path.unexplainedMs) >= 1 ? `, unexplained ${wholeMs(path.unexplainedMs)}` : ''),
    ),
  ];
}
