/**
 * Loads the code of custom elements on demand (dynamic import) and re-renders the host
 * when it arrives, so the first screen does not wait for the code of the later ones. A
 * failed load (offline before the code was cached, or a deployment that removed it) is a
 * state the host shows, with reloading as the way out.
 */

import type { ReactiveController, ReactiveControllerHost } from 'lit';

export type LoadState = 'loading' | 'ready' | 'failed';

/** Tag name → the import that defines it. */
export type ElementLoaders<Tag extends string> = Readonly<Record<Tag, () => Promise<unknown>>>;

export class LazyElementsController<Tag extends string> implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly loaders: ElementLoaders<Tag>;
  private readonly states = new Map<Tag, LoadState>();
  private readonly loads = new Map<Tag, Promise<boolean>>();
  private isHostConnected = false;

  constructor(host: ReactiveControllerHost, loaders: ElementLoaders<Tag>) {
    this.host = host;
    this.loaders = loaders;
    host.addController(this);
  }

  /** Where `tag`'s code is; starts loading it on first ask. */
  state(tag: Tag): LoadState {
    void this.load(tag);
    return this.states.get(tag) ?? 'loading';
  }

  /** Loads `tag` (once); true when it is defined, false when its code could not be loaded. */
  load(tag: Tag): Promise<boolean> {
    let loading = this.loads.get(tag);
    if (loading === undefined) {
      loading = this.loaders[tag]().then(
        () => this.settle(tag, 'ready'),
        (err: unknown) => {
          console.warn(`NearTalk could not load <${tag}>`, err instanceof Error ? err.message : String(err));
          return this.settle(tag, 'failed');
        },
      );
      this.loads.set(tag, loading);
    }
    return loading;
  }

  /** Starts loading every element, for when the first screen is up and the rest is near. */
  preloadAll(): void {
    for (const tag of Object.keys(this.loaders) as Tag[]) void this.load(tag);
  }

  hostConnected(): void {
    this.isHostConnected = true;
    // Code may have arrived while the host was out of the document.
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.isHostConnected = false;
  }

  private settle(tag: Tag, state: LoadState): boolean {
    this.states.set(tag, state);
    if (this.isHostConnected) this.host.requestUpdate();
    return state === 'ready';
  }
}
