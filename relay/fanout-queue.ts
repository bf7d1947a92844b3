/**
 * Frames on their way to many clients, handed to sockets a slice at a time so that no
 * broadcast monopolises the event loop: one presence change in a cell that 2,000
 * clients watch is 2,000 sends, and a burst of them sent in one go once kept the relay
 * deaf for seconds. Each slice runs in the loop's check phase (`setImmediate`) for at
 * most `sliceMs`; between slices the relay reads sockets and answers HTTP as usual.
 *
 * Order per client is kept by the hub: a frame for a client that still has frames here
 * is queued behind them (`Recipient.queuedFrames`), never sent past them.
 */

import type { ClientPort } from './relay-hub.ts';

/** A client as the queue sees it. */
export interface Recipient {
  readonly port: ClientPort;
  /** Frames for this client still in the queue; kept by the queue. */
  queuedFrames: number;
}

interface Job {
  readonly text: string;
  readonly bytes: number;
  readonly recipients: readonly Recipient[];
  /** Index of the next recipient to send to. */
  next: number;
}

/** How often a slice looks at the clock (a clock read costs more than a send's bookkeeping). */
const SENDS_PER_CLOCK_READ = 32;
/**
 * Most sends in one slice, whatever the clock says: each send to a socket corks it, and
 * uncorking (one system call per socket, in the next check phase) costs more than the
 * send itself, so the time a slice measures is not all it costs.
 */
const MAX_SENDS_PER_SLICE = 512;

export class FanoutQueue {
  private jobs: Job[] = [];
  private head = 0;
  private immediate: NodeJS.Immediate | null = null;
  private bytes = 0;

  constructor(
    /** Longest a slice sends before yielding to the event loop, in milliseconds. */
    private readonly sliceMs: number,
    private readonly now: () => number,
    /** Called after each slice, once its frames are handed to sockets (room was made). */
    private readonly onSlice: () => void = () => undefined,
  ) {}

  /** Bytes (UTF-8) still to be handed to sockets: each frame counted once per recipient. */
  get queuedBytes(): number {
    return this.bytes;
  }

  /** True while frames wait. */
  get isBusy(): boolean {
    return this.head < this.jobs.length;
  }

  /** Queues `text` for every recipient, in order after everything queued before. */
  push(text: string, recipients: readonly Recipient[]): void {
    if (recipients.length === 0) return;
    const bytes = Buffer.byteLength(text);
    for (const recipient of recipients) recipient.queuedFrames += 1;
    this.jobs.push({ text, bytes, recipients, next: 0 });
    this.bytes += bytes * recipients.length;
    this.immediate ??= setImmediate(() => this.drain());
  }

  /** Drops every queued frame and the pending slice (the relay is closing). */
  dispose(): void {
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.immediate = null;
    for (let index = this.head; index < this.jobs.length; index += 1) {
      const job = this.jobs[index];
      if (job === undefined) continue;
      for (let at = job.next; at < job.recipients.length; at += 1) {
        const recipient = job.recipients[at];
        if (recipient !== undefined) recipient.queuedFrames -= 1;
      }
    }
    this.jobs = [];
    this.head = 0;
    this.bytes = 0;
  }

  private drain(): void {
    this.immediate = null;
    const deadline = this.now() + this.sliceMs;
    let sent = 0;
    try {
      while (this.head < this.jobs.length) {
        const job = this.jobs[this.head];
        if (job === undefined) break;
        while (job.next < job.recipients.length) {
          const recipient = job.recipients[job.next];
          job.next += 1;
          this.bytes -= job.bytes;
          sent += 1;
          if (recipient === undefined) continue;
          recipient.queuedFrames -= 1;
          recipient.port.send(job.text);
          if (sent >= MAX_SENDS_PER_SLICE || (sent % SENDS_PER_CLOCK_READ === 0 && this.now() >= deadline)) return;
        }
        this.head += 1;
      }
      this.jobs = [];
      this.head = 0;
    } finally {
      if (this.head > 1024 && this.head * 2 > this.jobs.length) {
        this.jobs = this.jobs.slice(this.head);
        this.head = 0;
      }
      if (this.isBusy) this.immediate ??= setImmediate(() => this.drain());
      this.onSlice();
    }
  }
}
