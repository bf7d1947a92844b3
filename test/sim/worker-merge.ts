/**
 * Puts the measurements of peers spread over worker threads back together, as if one
 * process had taken them: frame tallies add up, the path tracer keeps the first time of
 * each event whichever worker saw it, link counts add up, and each thread's event-loop
 * figures stay its own (the report shows the worst). Pure.
 */

import type { FrameTally } from './frame-tally.ts';
import type { LinkCounts } from './link-registry.ts';
import { PathTracer, type HopTimes } from './path-tracer.ts';

/** A frame tally's totals, as a worker sends them. */
export interface TallyTotals {
  readonly framesByType: ReadonlyMap<string, number>;
  readonly bodies: number;
  readonly bodyFrames: number;
  readonly controlFrames: number;
}

/** A path tracer's first times, as a worker sends them. */
export interface TracerData {
  readonly hops: ReadonlyMap<string, ReadonlyMap<string, HopTimes>>;
  readonly firstWant: ReadonlyMap<string, ReadonlyMap<number, number>>;
  readonly linkOpenedMs: ReadonlyMap<string, number>;
}

export interface LoopDelay {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** The totals of a tally (what crosses from a worker). */
export function tallyTotals(tally: FrameTally): TallyTotals {
  return { framesByType: tally.framesByType, bodies: tally.bodies, bodyFrames: tally.bodyFrames, controlFrames: tally.controlFrames };
}

/** Adds `parts` into `into`. */
export function addTallies(into: FrameTally, parts: readonly TallyTotals[]): FrameTally {
  for (const part of parts) {
    for (const [type, count] of part.framesByType) into.framesByType.set(type, (into.framesByType.get(type) ?? 0) + count);
    into.bodies += part.bodies;
    into.bodyFrames += part.bodyFrames;
    into.controlFrames += part.controlFrames;
  }
  return into;
}

const earliest = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.min(a, b));

/**
 * One tracer from several: the sender's worker records sends and offers on a link, the
 * receiver's worker its receipts and wants; each field keeps its earliest time.
 */
export function mergeTracers(parts: readonly TracerData[]): PathTracer {
  const merged = new PathTracer(() => 0);
  const fields = ['haveSentMs', 'bodySentMs', 'bodyReceivedMs', 'wantSentMs'] as const;
  for (const part of parts) {
    for (const [id, links] of part.hops) {
      let mergedLinks = merged.hops.get(id);
      if (mergedLinks === undefined) {
        mergedLinks = new Map();
        merged.hops.set(id, mergedLinks);
      }
      for (const [key, times] of links) {
        const target = mergedLinks.get(key) ?? {};
        for (const field of fields) {
          const value = earliest(target[field], times[field]);
          if (value !== undefined) target[field] = value;
        }
        mergedLinks.set(key, target);
      }
    }
    for (const [id, wants] of part.firstWant) {
      let mergedWants = merged.firstWant.get(id);
      if (mergedWants === undefined) {
        mergedWants = new Map();
        merged.firstWant.set(id, mergedWants);
      }
      for (const [peer, atMs] of wants) mergedWants.set(peer, earliest(mergedWants.get(peer), atMs) ?? atMs);
    }
    for (const [key, atMs] of part.linkOpenedMs) merged.linkOpenedMs.set(key, earliest(merged.linkOpenedMs.get(key), atMs) ?? atMs);
  }
  return merged;
}

export function addLinkCounts(parts: readonly LinkCounts[]): LinkCounts {
  return parts.reduce(
    (sum, part) => ({
      made: sum.made + part.made,
      opened: sum.opened + part.opened,
      failed: sum.failed + part.failed,
      retired: sum.retired + part.retired,
      setupMs: [...sum.setupMs, ...part.setupMs],
      firstLinkMs: [...sum.firstLinkMs, ...part.firstLinkMs],
    }),
    { made: 0, opened: 0, failed: 0, retired: 0, setupMs: [], firstLinkMs: [] } as LinkCounts,
  );
}

/** Each figure's worst over the threads. */
export function worstLoopDelay(parts: readonly LoopDelay[]): LoopDelay {
  return parts.reduce((worst, part) => ({ p50: Math.max(worst.p50, part.p50), p99: Math.max(worst.p99, part.p99), max: Math.max(worst.max, part.max) }), {
    p50: 0,
    p99: 0,
    max: 0,
  });
}

/** Peer `index`'s worker when `workers` share the peers out in turn. */
export function workerOfPeer(index: number, workers: number): number {
  return index % workers;
}

/** Adds counts by key. */
export function addCounts<K>(parts: readonly ReadonlyMap<K, number>[]): Map<K, number> {
  const sum = new Map<K, number>();
  for (const part of parts) for (const [key, count] of part) sum.set(key, (sum.get(key) ?? 0) + count);
  return sum;
}
