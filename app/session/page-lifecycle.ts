/**
 * The page's lifecycle as the session needs it: when it wakes (visible again, unfrozen,
 * restored from the back/forward cache, network back) the session reconnects at once;
 * when it may be going away (hidden, frozen, unloaded) the identity's last-used time is
 * written, so the 30 minutes count from the last real use.
 */

import type { WakeReason } from '../core/reconnect-policy.ts';

export interface PageLifecycleOptions {
  readonly window: Window;
  readonly onWake: (reason: WakeReason) => void;
  readonly onSleep: () => void;
}

/** Listens until `dispose()`. */
export class PageLifecycle {
  private readonly controller = new AbortController();

  constructor(options: PageLifecycleOptions) {
    const { window: win, onWake, onSleep } = options;
    const { signal } = this.controller;
    const doc = win.document;
    doc.addEventListener(
      'visibilitychange',
      () => {
        if (doc.visibilityState === 'visible') onWake('visible');
        else onSleep();
      },
      { signal },
    );
    // Chromium's Page Lifecycle events: a frozen page runs no timers, so backoffs stall.
    doc.addEventListener('resume', () => onWake('resume'), { signal });
    doc.addEventListener('freeze', () => onSleep(), { signal });
    win.addEventListener('online', () => onWake('online'), { signal });
    win.addEventListener(
      'pageshow',
      (event) => {
        if (event.persisted) onWake('pageshow');
      },
      { signal },
    );
    win.addEventListener('pagehide', () => onSleep(), { signal });
  }

  dispose(): void {
    this.controller.abort();
  }
}
