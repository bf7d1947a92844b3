/**
 * A clock that re-renders its host every `periodMs` while the host is in the document:
 * one timer for a whole list (the message list's "min left" labels and fading), never one
 * per item.
 */

import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface ClockOptions {
  readonly periodMs: number;
  readonly now?: () => number;
}

export class ClockController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly periodMs: number;
  private readonly readNow: () => number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private nowMs: number;

  constructor(host: ReactiveControllerHost, options: ClockOptions) {
    if (!(options.periodMs > 0)) throw new RangeError(`periodMs must be positive, got ${options.periodMs}`);
    this.host = host;
    this.periodMs = options.periodMs;
    this.readNow = options.now ?? Date.now;
    this.nowMs = this.readNow();
    host.addController(this);
  }

  /** The time of the last tick (or of the host's last connection). */
  get now(): number {
    return this.nowMs;
  }

  /** True while the timer runs (tests check that a removed host leaves none behind). */
  get isTicking(): boolean {
    return this.timer !== null;
  }

  hostConnected(): void {
    this.nowMs = this.readNow();
    this.timer ??= setInterval(this.tick, this.periodMs);
  }

  hostDisconnected(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private readonly tick = (): void => {
    this.nowMs = this.readNow();
    this.host.requestUpdate();
  };
}
