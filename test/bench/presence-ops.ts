/**
 * Times one presence operation: frames sent by one actor, until every other client has
 * received the event that reports it, counting every frame and byte on the way.
 */

import type { BenchClient } from './bench-client.ts';
import { sleep } from './server-process.ts';

const OP_TIMEOUT_MS = 5_000;
/** After the last notification, frames still arriving (the actor's own list) belong to this op. */
const QUIET_AFTER_MS = 20;

export interface OpSample {
  readonly ms: number;
  /** Frames sent by the actor plus frames received by all clients. */
  readonly frames: number;
  readonly bytes: number;
}

interface ActiveOp {
  readonly isEvent: (text: string) => boolean;
  readonly waiting: Set<number>;
  readonly done: () => void;
}

export class PresenceOps {
  private frames = 0;
  private bytes = 0;
  private active: ActiveOp | null = null;

  constructor(private readonly clients: readonly BenchClient[]) {
    clients.forEach((client, index) => {
      client.onText = (text) => {
        this.frames += 1;
        this.bytes += Buffer.byteLength(text);
        const op = this.active;
        if (op !== null && op.waiting.has(index) && op.isEvent(text)) {
          op.waiting.delete(index);
          if (op.waiting.size === 0) op.done();
        }
      };
    });
  }

  /**
   * Sends `frames` from client `actor` and resolves when every other client has received
   * a frame `isEvent` accepts. `isEvent` sees every frame any other client receives.
   */
  async run(actor: number, frames: readonly string[], isEvent: (text: string) => boolean): Promise<OpSample> {
    const sender = this.clients[actor];
    if (sender === undefined) throw new Error(`no client ${actor}`);
    const waiting = new Set(this.clients.keys());
    waiting.delete(actor);
    await sleep(QUIET_AFTER_MS);
    this.frames = frames.length;
    this.bytes = frames.reduce((sum, frame) => sum + Buffer.byteLength(frame), 0);
    let timer: NodeJS.Timeout | undefined;
    const startedMs = performance.now();
    try {
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`presence op by client ${actor}: ${waiting.size} peers not notified in ${OP_TIMEOUT_MS} ms`)),
          OP_TIMEOUT_MS,
        );
        this.active = { isEvent, waiting, done: resolve };
        for (const frame of frames) sender.send(frame);
      });
    } finally {
      clearTimeout(timer);
      this.active = null;
    }
    const ms = performance.now() - startedMs;
    await sleep(QUIET_AFTER_MS);
    return { ms, frames: this.frames, bytes: this.bytes };
  }
}
