/**
 * The event-loop delay figures the report prints for a thread (Node's histogram of how
 * late the loop ran), as the simulated milliseconds the rest of the report is in: in
 * slow motion a real delay of K ms is 1 ms of simulated time. Owns the histogram.
 */

import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { LoopDelay } from './worker-merge.ts';

/** Sampling interval; the histogram records it as part of each sample, taken out below. */
const RESOLUTION_MS = 10;

export class LoopDelayMonitor {
  private readonly histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });

  constructor(private readonly toSimulatedMs: (realMs: number) => number = (realMs) => realMs) {}

  enable(): void {
    this.histogram.enable();
  }

  disable(): void {
    this.histogram.disable();
  }

  figures(): LoopDelay {
    const lateBy = (nanoseconds: number): number => this.toSimulatedMs(Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS));
    return { p50: lateBy(this.histogram.percentile(50)), p99: lateBy(this.histogram.percentile(99)), max: lateBy(this.histogram.max) };
  }
}
