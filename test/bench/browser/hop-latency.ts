/**
 * One-hop latency: signed chat frames from many synthetic authors (signed in Node) are
 * pushed down A's open data channel to B, and each is timed from right before A's
 * `channel.send()` to the moment it is in B's Messages list. That is one hop through B's
 * whole receive pipeline: parse, signature check, time, range and rate checks, store,
 * session state, Lit render.
 *
 * Two pacings, each on a fresh pair of peers (an empty list at the start):
 * - closed loop: the next frame is signed and sent only after the previous one showed,
 *   plus a short gap: latency with nothing queued;
 * - open loop: frames sent from inside A's page at a fixed interval, whatever B does.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, BrowserContext } from '@playwright/test';
import type { MeshPeer } from '../../fixture/mesh-peer.ts';
import { summarize, type Summary } from '../stats.ts';
import { benchToken, clockOffset, sendFrame, sendFramesPaced, shownTimes, waitShown } from './bench-probe.ts';
import { closeAll, dropCounters, LAT_A, LAT_B, LON, newBenchContext, openBenchPeer } from './bench-peers.ts';
import { SyntheticAuthors } from './synthetic-authors.ts';

/** The synthetic authors' radius, the app's default. */
const AUTHOR_RADIUS_M = 500;
/** How long one message may take before it counts as lost. */
const ARRIVAL_TIMEOUT_MS = 5_000;
/** Prefill frames sent in one burst; B's link queue holds at most 1,000 unhandled frames. */
const PREFILL_CHUNK = 100;
/** How long B may take to show one prefill burst (each message costs more as the list grows). */
const PREFILL_CHUNK_TIMEOUT_MS = 60_000;

export type Pacing = { readonly kind: 'closed-loop'; readonly gapMs: number } | { readonly kind: 'open-loop'; readonly intervalMs: number };

export interface HopLatencyOptions {
  readonly pacing: Pacing;
  /** Measured messages. */
  readonly count: number;
  /** Messages sent first and left out of the figures (JIT, first key imports). */
  readonly warmup: number;
  /** Messages put in B's list before anything is measured (0: start from an empty list). */
  readonly prefill: number;
}

export interface HopLatencyResult {
  readonly pacing: Pacing;
  readonly count: number;
  readonly warmup: number;
  /** Messages already in B's list when the warm-up started. */
  readonly prefill: number;
  readonly authors: number;
  /** Measured messages that never showed in B's list within the timeout. */
  readonly lost: number;
  readonly summary: Summary;
  /** p50 over the first and the last 100 measured messages: does a longer list cost more? */
  readonly firstHundredP50Ms: number;
  readonly lastHundredP50Ms: number;
  /** B's clock minus A's, estimated through Node (shortest of several round trips); 0 means one shared clock. */
  readonly clockSkewMs: number;
  /** Latency of each measured message in send order (null: lost). */
  readonly latenciesMs: readonly (number | null)[];
  readonly bDrops: Record<string, number>;
  readonly pageErrors: readonly string[];
}

/** Two fresh peers 300 m apart that see each other, with an open channel between them. */
async function openPair(browser: Browser, baseUrl: string, tag: string, contexts: BrowserContext[]): Promise<[MeshPeer, MeshPeer]> {
  const contextA = await newBenchContext(browser, { baseUrl, lat: LAT_A, lon: LON });
  contexts.push(contextA);
  const contextB = await newBenchContext(browser, { baseUrl, lat: LAT_B, lon: LON });
  contexts.push(contextB);
  const pair = await Promise.all([openBenchPeer(contextA, `Hop A${tag}`, LAT_A, LON), openBenchPeer(contextB, `Hop B${tag}`, LAT_B, LON)]);
  const [peerA, peerB] = pair;
  // B drops chat from a link before that link's presence claim: wait until each side lists the other.
  await peerB.expectNearby(peerA.name);
  await peerA.expectNearby(peerB.name);
  return pair;
}

/** Fills B's list with `count` messages from their own authors, a burst at a time. */
async function prefill(peerA: MeshPeer, peerB: MeshPeer, count: number): Promise<void> {
  const authors = await SyntheticAuthors.create(count, { lat: LAT_A, lon: LON }, AUTHOR_RADIUS_M, 'Fill');
  for (let first = 0; first < count; first += PREFILL_CHUNK) {
    const frames: string[] = [];
    const last = Math.min(count, first + PREFILL_CHUNK) - 1;
    for (let index = first; index <= last; index += 1) frames.push(await authors.chatFrame(`prefill ${benchToken('fill', index)}`, Date.now()));
    await sendFramesPaced(peerA.page, frames, 1);
    if ((await waitShown(peerB.page, benchToken('fill', last), PREFILL_CHUNK_TIMEOUT_MS)) === null) {
      throw new Error(`prefill: message ${last} did not show in B within ${PREFILL_CHUNK_TIMEOUT_MS} ms`);
    }
  }
}

async function closedLoop(peerA: MeshPeer, peerB: MeshPeer, authors: SyntheticAuthors, total: number, gapMs: number): Promise<(number | null)[]> {
  const latencies: (number | null)[] = [];
  for (let index = 0; index < total; index += 1) {
    const token = benchToken('hop', index);
    const frame = await authors.chatFrame(`closed loop ${token}`, Date.now());
    const sentAt = await sendFrame(peerA.page, frame);
    if (sentAt === null) throw new Error(`A has no open data channel (message ${index})`);
    const shownAt = await waitShown(peerB.page, token, ARRIVAL_TIMEOUT_MS);
    latencies.push(shownAt === null ? null : shownAt - sentAt);
    await sleep(gapMs);
  }
  return latencies;
}

async function openLoop(peerA: MeshPeer, peerB: MeshPeer, authors: SyntheticAuthors, total: number, intervalMs: number): Promise<(number | null)[]> {
  const start = Date.now() + 200;
  const tokens = Array.from({ length: total }, (_, index) => benchToken('paced', index));
  // Signed ahead with the time each is due; the sends themselves are timed in A's page.
  const frames: string[] = [];
  for (const [index, token] of tokens.entries()) frames.push(await authors.chatFrame(`open loop ${token}`, start + index * intervalMs));
  const sentTimes = await sendFramesPaced(peerA.page, frames, intervalMs);
  const lastToken = tokens.at(-1);
  if (lastToken !== undefined) await waitShown(peerB.page, lastToken, ARRIVAL_TIMEOUT_MS);
  const shown = await shownTimes(peerB.page);
  return tokens.map((token, index) => {
    const sentAt = sentTimes[index];
    const shownAt = shown.get(token);
    if (sentAt === null || sentAt === undefined) throw new Error(`A had no open data channel (message ${index})`);
    return shownAt === undefined ? null : shownAt - sentAt;
  });
}

const p50Of = (values: readonly (number | null)[]): number =>
  summarize(values.filter((value): value is number => value !== null)).p50;

export async function measureHopLatency(browser: Browser, baseUrl: string, options: HopLatencyOptions): Promise<HopLatencyResult> {
  const contexts: BrowserContext[] = [];
  try {
    const [peerA, peerB] = await openPair(browser, baseUrl, options.pacing.kind === 'closed-loop' ? 'c' : 'o', contexts);
    const [offsetA, offsetB] = [await clockOffset(peerA.page), await clockOffset(peerB.page)];
    if (options.prefill > 0) await prefill(peerA, peerB, options.prefill);
    const total = options.warmup + options.count;
    const authors = await SyntheticAuthors.create(total, { lat: LAT_A, lon: LON }, AUTHOR_RADIUS_M, options.pacing.kind === 'closed-loop' ? 'Bench' : 'Paced');
    const all =
      options.pacing.kind === 'closed-loop'
        ? await closedLoop(peerA, peerB, authors, total, options.pacing.gapMs)
        : await openLoop(peerA, peerB, authors, total, options.pacing.intervalMs);
    const measured = all.slice(options.warmup);
    return {
      pacing: options.pacing,
      count: options.count,
      warmup: options.warmup,
      prefill: options.prefill,
      authors: authors.authorCount,
      lost: measured.filter((latency) => latency === null).length,
      summary: summarize(measured.filter((latency): latency is number => latency !== null)),
      firstHundredP50Ms: p50Of(measured.slice(0, 100)),
      lastHundredP50Ms: p50Of(measured.slice(-100)),
      clockSkewMs: offsetB.offsetMs - offsetA.offsetMs,
      latenciesMs: measured,
      bDrops: await dropCounters(peerB.page),
      pageErrors: [...peerA.pageErrors.map((error) => `A: ${error}`), ...peerB.pageErrors.map((error) => `B: ${error}`)],
    };
  } finally {
    await closeAll(contexts);
  }
}
