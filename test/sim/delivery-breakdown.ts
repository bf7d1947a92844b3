/**
 * Where each delivery's time went. A delivery (message m stored by peer R within the
 * window) is followed back along the links its first body took: R got it first from S,
 * S from T, … back to the author. Each hop's time is split into buckets a reader can act
 * on; the buckets of all hops add up to the delivery's latency. Pure.
 *
 * Per hop S → R (times are the first ones on that link for m, see PathTracer):
 * - linkWait: S held m before its link to R opened (the history path of a new link);
 * - forwardWait: from S holding m (and the link open) to S's first offer, `have` or body;
 * - askWait: after a `have`, until R asked S (`want`): R's have/want round trip, plus any
 *   time R spent asking another announcer first;
 * - reAskWait: the part of askWait after R's first want for m to anyone, when that first
 *   want went elsewhere (the 3 s announcer timeout);
 * - serveWait: from R's want to S's body;
 * - transit: from S's body send to R's receipt (the link);
 * - receiverQueue: from R's receipt to R's store (parse, signature check and its queue);
 * - simulatorLoop: the part of the last two during which the simulator's event loop was
 *   blocked (every simulated peer shares one process: that is the simulator's queueing,
 *   not the mesh's), taken out of the receiver queue first, then out of transit.
 */

import type { SentMessage } from './ground-truth.ts';
import type { HopTimes, PathTracer } from './path-tracer.ts';

export const BUCKETS = ['linkWait', 'forwardWait', 'askWait', 'reAskWait', 'serveWait', 'transit', 'receiverQueue', 'simulatorLoop'] as const;
export type Bucket = (typeof BUCKETS)[number];
export type Buckets = Record<Bucket, number>;

export interface DeliveryPath {
  readonly messageId: string;
  readonly recipient: number;
  readonly latencyMs: number;
  /** Links from the author; null when the chain could not be followed back. */
  readonly hops: number | null;
  readonly buckets: Buckets;
  /** Latency the buckets do not account for (a chain that could not be followed). */
  readonly unexplainedMs: number;
}

const emptyBuckets = (): Buckets => ({ linkWait: 0, forwardWait: 0, askWait: 0, reAskWait: 0, serveWait: 0, transit: 0, receiverQueue: 0, simulatorLoop: 0 });

/** How long the simulator's loop was blocked within a span (see LoopLag); none by default. */
/** Milliseconds of [fromMs, toMs] during which the event loop that runs `receiver` was blocked. */
export type BlockedWithin = (fromMs: number, toMs: number, receiver: number) => number;

function addInto(target: Buckets, source: Buckets): void {
  for (const bucket of BUCKETS) target[bucket] += source[bucket];
}

/**
 * For each peer a body of one message reached, the sender whose body came first, with that
 * link's times: one pass over the message's links (a search per recipient would cost
 * recipients × links, minutes at a few thousand peers).
 */
function firstBodies(links: ReadonlyMap<string, HopTimes>): Map<number, { sender: number; times: HopTimes }> {
  const first = new Map<number, { sender: number; times: HopTimes }>();
  for (const [key, times] of links) {
    if (times.bodyReceivedMs === undefined) continue;
    const [from, to] = key.split('>').map(Number);
    if (from === undefined || to === undefined || !Number.isFinite(from) || !Number.isFinite(to)) continue;
    const best = first.get(to);
    if (best === undefined || times.bodyReceivedMs < (best.times.bodyReceivedMs ?? Infinity)) first.set(to, { sender: from, times });
  }
  return first;
}

/**
 * The buckets of one hop into `recipient`, who stored m at `storedMs`, from `sender`, who
 * held it from `senderHeldMs`. Each is clamped at zero; they sum to `storedMs - senderHeldMs`
 * when the recorded times are in their natural order.
 */
export function hopBuckets(
  times: HopTimes,
  senderHeldMs: number,
  storedMs: number,
  linkOpenedMs: number | undefined,
  recipientFirstWantMs: number | undefined,
  blockedWithin: (fromMs: number, toMs: number) => number = () => 0,
): Buckets {
  const buckets = emptyBuckets();
  const bodySentMs = times.bodySentMs ?? storedMs;
  const bodyReceivedMs = times.bodyReceivedMs ?? storedMs;
  const readyMs = Math.max(senderHeldMs, linkOpenedMs ?? senderHeldMs);
  buckets.linkWait = readyMs - senderHeldMs;
  const offeredMs = Math.min(times.haveSentMs ?? bodySentMs, bodySentMs);
  buckets.forwardWait = Math.max(0, offeredMs - readyMs);
  if (bodySentMs > offeredMs) {
    const wantMs = times.wantSentMs;
    if (wantMs !== undefined && wantMs >= offeredMs && wantMs <= bodySentMs) {
      const asked = wantMs - offeredMs;
      const askedElsewhereFirst = recipientFirstWantMs !== undefined && recipientFirstWantMs < wantMs;
      buckets.reAskWait = askedElsewhereFirst ? Math.min(asked, wantMs - Math.max(recipientFirstWantMs, offeredMs)) : 0;
      buckets.askWait = asked - buckets.reAskWait;
      buckets.serveWait = bodySentMs - wantMs;
    } else {
      // A body that followed its own `have` without a want (e.g. a history push).
      buckets.serveWait = bodySentMs - offeredMs;
    }
  }
  buckets.transit = Math.max(0, bodyReceivedMs - bodySentMs);
  buckets.receiverQueue = Math.max(0, storedMs - bodyReceivedMs);
  const loop = Math.min(buckets.transit + buckets.receiverQueue, blockedWithin(bodySentMs, storedMs));
  const fromQueue = Math.min(buckets.receiverQueue, loop);
  buckets.receiverQueue -= fromQueue;
  buckets.transit -= loop - fromQueue;
  buckets.simulatorLoop = loop;
  return buckets;
}

/**
 * The path and buckets of every delivery to an intended recipient within the window.
 * `firstStored` is message → peer → when stored; `intended` message → its intended recipients.
 */
export function breakDownDeliveries(
  messages: readonly SentMessage[],
  firstStored: ReadonlyMap<string, ReadonlyMap<number, number>>,
  intended: ReadonlyMap<string, ReadonlySet<number>>,
  tracer: PathTracer,
  windowMs: number,
  blockedWithin: BlockedWithin = () => 0,
): DeliveryPath[] {
  const paths: DeliveryPath[] = [];
  for (const message of messages) {
    const stored = firstStored.get(message.id);
    const links = tracer.hops.get(message.id);
    if (stored === undefined) continue;
    const firstBodyInto = links === undefined ? new Map<number, { sender: number; times: HopTimes }>() : firstBodies(links);
    const wants = tracer.firstWant.get(message.id);
    // peer → its chain back to the author (memoised per message; a visited mark stops cycles).
    const chains = new Map<number, { hops: number | null; buckets: Buckets }>();
    chains.set(message.authorIndex, { hops: 0, buckets: emptyBuckets() });
    const chainOf = (peer: number, depth: number): { hops: number | null; buckets: Buckets } => {
      const known = chains.get(peer);
      if (known !== undefined) return known;
      const storedMs = stored.get(peer);
      const first = firstBodyInto.get(peer) ?? null;
      if (storedMs === undefined || first === null || depth > 64) return { hops: null, buckets: emptyBuckets() };
      chains.set(peer, { hops: null, buckets: emptyBuckets() });
      const senderHeldMs = first.sender === message.authorIndex ? message.sentAtMs : stored.get(first.sender);
      if (senderHeldMs === undefined) return { hops: null, buckets: emptyBuckets() };
      const upstream = chainOf(first.sender, depth + 1);
      const buckets = emptyBuckets();
      addInto(buckets, upstream.buckets);
      addInto(buckets, hopBuckets(first.times, senderHeldMs, storedMs, tracer.linkOpenedMs.get(`${first.sender}>${peer}`), wants?.get(peer), (from, to) => blockedWithin(from, to, peer)));
      const chain = { hops: upstream.hops === null ? null : upstream.hops + 1, buckets };
      chains.set(peer, chain);
      return chain;
    };
    for (const [recipient, storedMs] of stored) {
      if (recipient === message.authorIndex || intended.get(message.id)?.has(recipient) !== true) continue;
      const latencyMs = storedMs - message.sentAtMs;
      if (latencyMs > windowMs) continue;
      const chain = chainOf(recipient, 0);
      const explained = BUCKETS.reduce((sum, bucket) => sum + chain.buckets[bucket], 0);
      paths.push({ messageId: message.id, recipient, latencyMs, hops: chain.hops, buckets: chain.buckets, unexplainedMs: latencyMs - explained });
    }
  }
  return paths;
}

export interface BreakdownSummary {
  /** How many deliveries took each hop count ('?' for chains not followed). */
  readonly hopCounts: Readonly<Record<string, number>>;
  /** Mean of each bucket over every delivery. */
  readonly meanAll: Buckets & { readonly latencyMs: number; readonly hops: number };
  /** Mean of each bucket over the deliveries at or above the p99 latency. */
  readonly meanTail: Buckets & { readonly latencyMs: number; readonly hops: number; readonly count: number };
  /** The slowest few, each with its own buckets. */
  readonly slowest: readonly DeliveryPath[];
  /**
   * Latency with the simulator's own queueing (the `simulatorLoop` bucket) taken out of
   * each delivery, nearest-rank percentiles: what the mesh would give peers that each had
   * their own machine, as browsers do.
   */
  readonly withoutSimulator: { readonly p50: number; readonly p99: number };
}

function meanOf(paths: readonly DeliveryPath[]): Buckets & { latencyMs: number; hops: number } {
  const sum = emptyBuckets();
  let latency = 0;
  let hops = 0;
  let withHops = 0;
  for (const path of paths) {
    addInto(sum, path.buckets);
    latency += path.latencyMs;
    if (path.hops !== null) {
      hops += path.hops;
      withHops += 1;
    }
  }
  const n = Math.max(1, paths.length);
  const mean = emptyBuckets();
  for (const bucket of BUCKETS) mean[bucket] = sum[bucket] / n;
  return { ...mean, latencyMs: latency / n, hops: hops / Math.max(1, withHops) };
}

/** The hop distribution, the mean buckets overall and in the tail (≥ p99), the slowest `slowestCount`. */
export function summarizeBreakdown(paths: readonly DeliveryPath[], slowestCount = 5): BreakdownSummary {
  const hopCounts: Record<string, number> = {};
  for (const path of paths) {
    const key = path.hops === null ? '?' : String(path.hops);
    hopCounts[key] = (hopCounts[key] ?? 0) + 1;
  }
  const byLatency = [...paths].sort((a, b) => a.latencyMs - b.latencyMs);
  // Nearest rank, as the report's p99 (test/bench/stats.ts).
  const p99Index = Math.max(0, Math.ceil(byLatency.length * 0.99) - 1);
  const tail = byLatency.slice(p99Index);
  const withoutSimulator = paths.map((path) => path.latencyMs - path.buckets.simulatorLoop).sort((a, b) => a - b);
  const rank = (share: number): number => withoutSimulator[Math.max(0, Math.ceil(withoutSimulator.length * share) - 1)] ?? Number.NaN;
  return {
    hopCounts,
    withoutSimulator: { p50: rank(0.5), p99: rank(0.99) },
    meanAll: meanOf(paths),
    meanTail: { ...meanOf(tail), count: tail.length },
    slowest: byLatency.slice(-slowestCount).reverse(),
  };
}
