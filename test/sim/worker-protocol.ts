/**
 * What the main thread and the simulation's worker threads say to each other
 * (`mesh-sim-workers.ts` ↔ `sim-worker.ts`), and workers to each other. Only our own
 * threads post these (structured clones, never network data).
 */

import type { MessagePort } from 'node:worker_threads';
import type { DropReason } from '../../app/core/chat-message.ts';
import type { PeerTimeline, SentMessage } from './ground-truth.ts';
import type { LinkCounts } from './link-registry.ts';
import type { BridgeMessage } from './memory-network.ts';
import type { SimConfig } from './mesh-sim.ts';
import type { LoopDelay, TallyTotals, TracerData } from './worker-merge.ts';

export type WorkerSimConfig = Omit<SimConfig, 'onProgress'>;

export type ToWorker =
  | {
      readonly kind: 'init';
      readonly worker: number;
      readonly workers: number;
      readonly config: WorkerSimConfig;
      readonly ports: readonly (MessagePort | null)[];
      /** Real epoch time from which every thread's clock is slowed (`config.slowMotion`). */
      readonly timeAnchorEpochMs: number;
    }
  | { readonly kind: 'start'; readonly startEpochMs: number }
  | { readonly kind: 'where'; readonly relayId: string; readonly worker: number; readonly index: number }
  /** Another worker's peer sent a message (worker processes only; threads tell each other directly). */
  | { readonly kind: 'sent'; readonly message: SentMessage }
  | { readonly kind: 'relay-text'; readonly socketId: number; readonly text: string }
  | { readonly kind: 'relay-closed'; readonly socketId: number }
  | { readonly kind: 'collect' }
  | { readonly kind: 'dispose' };

/** One worker's share of the measurements. */
export interface WorkerPart {
  readonly worker: number;
  readonly timelines: readonly PeerTimeline[];
  readonly firstStored: ReadonlyMap<string, ReadonlyMap<number, number>>;
  readonly storedCopies: number;
  readonly heldAtEnd: ReadonlyMap<number, ReadonlySet<string>>;
  readonly tally: TallyTotals;
  readonly tracer: TracerData;
  readonly loopSamples: { readonly atMs: readonly number[]; readonly lagMs: readonly number[] };
  readonly maxOpenEver: number;
  readonly openAtEnd: readonly number[];
  readonly linkCap: number;
  readonly links: LinkCounts;
  readonly drops: ReadonlyMap<DropReason, number>;
  readonly unsent: number;
  readonly baselineHeapBytes: number;
  readonly endHeapBytes: number;
  readonly eventLoopDelayMs: LoopDelay;
  /** The app's warnings in this worker, counted by text. */
  readonly warnings: readonly string[];
  readonly rejections: readonly string[];
  /** Copies this worker timed late: stored before it heard the message was sent (see DeliveryTracker). */
  readonly storedBeforeNote: number;
  /** This worker's simulation clock when it collected its part (the main thread checks the clocks agree). */
  readonly collectedAtMs: number;
  /** This worker's CPU time over the run; its whole process's when it is one. */
  readonly cpuMs: number;
  /** RSS at the start (after GC), at the end and the largest seen (sampled): its whole process's. */
  readonly baselineRssBytes: number;
  readonly endRssBytes: number;
  readonly peakRssBytes: number;
}

export interface WorkerStatus {
  readonly present: number;
  readonly links: number;
  readonly maxLinks: number;
  readonly frames: number;
}

export type FromWorker =
  | { readonly kind: 'ready' }
  | { readonly kind: 'relay-open'; readonly socketId: number; readonly index: number }
  | { readonly kind: 'relay-send'; readonly socketId: number; readonly text: string }
  | { readonly kind: 'relay-close'; readonly socketId: number }
  | { readonly kind: 'sent'; readonly message: SentMessage }
  | { readonly kind: 'steps-done' }
  | { readonly kind: 'status'; readonly status: WorkerStatus }
  | { readonly kind: 'part'; readonly part: WorkerPart }
  | { readonly kind: 'disposed' }
  | { readonly kind: 'failed'; readonly error: string };

/** Between two workers, over their own channel. */
export type BetweenWorkers = { readonly kind: 'link'; readonly message: BridgeMessage } | { readonly kind: 'sent'; readonly message: SentMessage };
