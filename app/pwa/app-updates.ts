/**
 * Registers the service worker and turns its update cycle into one question for the UI:
 * is a new version ready? The new worker waits (it never takes over by itself); when the
 * person chooses to reload, it is told to activate and the page reloads once it controls
 * the page, so no page ever runs on files of two builds.
 */

import { SKIP_WAITING } from './shell-routes.ts';

export interface AppUpdatesOptions {
  /** `navigator.serviceWorker`; undefined where there is none (plain http, old browsers). */
  readonly container: ServiceWorkerContainer | undefined;
  /** Where the worker script is, e.g. "/sw.js". */
  readonly scriptUrl: string;
  /** Checks for a new version whenever the page becomes visible again. */
  readonly document: Document;
  readonly reload: () => void;
}

export class AppUpdates {
  private readonly options: AppUpdatesOptions;
  private readonly listeners = new Set<() => void>();
  /** Undo for every listener this added (registration, workers, container, document). */
  private readonly cleanups: Array<() => void> = [];
  private registration: ServiceWorkerRegistration | null = null;
  private isReady = false;
  private hasAskedToReload = false;
  private isDisposed = false;

  constructor(options: AppUpdatesOptions) {
    this.options = options;
  }

  /** A new version is installed and waits for the person to reload into it. */
  get isUpdateReady(): boolean {
    return this.isReady;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Registers the worker; a failure is logged and leaves the app working without one. */
  async start(): Promise<void> {
    const { container, scriptUrl } = this.options;
    if (container === undefined) return;
    let registration: ServiceWorkerRegistration;
    try {
      // updateViaCache 'none': the browser asks the server for sw.js on every check.
      registration = await container.register(scriptUrl, { updateViaCache: 'none' });
    } catch (err: unknown) {
      console.warn('NearTalk works without offline support: the service worker did not register', err instanceof Error ? err.message : String(err));
      return;
    }
    if (this.isDisposed) return;
    this.registration = registration;
    this.listen(container, 'controllerchange', () => {
      if (this.hasAskedToReload) this.options.reload();
    });
    this.listen(registration, 'updatefound', () => this.watchInstalling(registration.installing));
    this.listen(this.options.document, 'visibilitychange', () => {
      if (this.options.document.visibilityState === 'visible') this.checkForUpdate();
    });
    this.watchInstalling(registration.installing);
    if (registration.waiting !== null && container.controller !== null) this.markReady();
  }

  /** Activates the waiting version; the page reloads once it has taken over. */
  applyUpdate(): void {
    const waiting = this.registration?.waiting;
    if (waiting === null || waiting === undefined) return;
    this.hasAskedToReload = true;
    waiting.postMessage(SKIP_WAITING);
  }

  /** Asks the browser to look for a new worker now. */
  checkForUpdate(): void {
    // Offline or the server is away: the next visibility change tries again.
    this.registration?.update().catch((err: unknown) => console.info('NearTalk: no update check now', err instanceof Error ? err.message : String(err)));
  }

  dispose(): void {
    this.isDisposed = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.listeners.clear();
  }

  private watchInstalling(worker: ServiceWorker | null): void {
    if (worker === null) return;
    this.listen(worker, 'statechange', () => {
      // With no controller this is the first install, not an update: nothing to offer.
      if (worker.state === 'installed' && this.options.container?.controller != null) this.markReady();
    });
  }

  private markReady(): void {
    if (this.isReady) return;
    this.isReady = true;
    for (const listener of [...this.listeners]) listener();
  }

  private listen(target: EventTarget, type: string, listener: () => void): void {
    target.addEventListener(type, listener);
    this.cleanups.push(() => target.removeEventListener(type, listener));
  }
}
