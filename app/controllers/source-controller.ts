/**
 * Re-renders a Lit host whenever a source it reads from changes, subscribed only while
 * the host is in the document. For app-wide sources that are not the session: network
 * status, app updates.
 */

import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Anything that announces its changes; `subscribe` returns the unsubscribe. */
export interface ChangeSource {
  subscribe(listener: () => void): () => void;
}

export class SourceController<T extends ChangeSource> implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private current: T | null = null;
  private unsubscribe: (() => void) | null = null;
  private isHostConnected = false;

  constructor(host: ReactiveControllerHost, source: T | null = null) {
    this.host = host;
    this.current = source;
    host.addController(this);
  }

  get source(): T | null {
    return this.current;
  }

  /** Switches to `source` (or none); safe before, during and after the host is connected. */
  attach(source: T | null): void {
    if (source === this.current) return;
    this.release();
    this.current = source;
    if (this.isHostConnected) this.acquire();
    this.host.requestUpdate();
  }

  hostConnected(): void {
    this.isHostConnected = true;
    this.acquire();
  }

  hostDisconnected(): void {
    this.isHostConnected = false;
    this.release();
  }

  private acquire(): void {
    if (this.current === null || this.unsubscribe !== null) return;
    this.unsubscribe = this.current.subscribe(() => this.host.requestUpdate());
    // It may have changed while the host was out of the document.
    this.host.requestUpdate();
  }

  private release(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}
