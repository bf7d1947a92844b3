/**
 * Whether the device has a network at all, as the browser knows it (`navigator.onLine`
 * and the window's online/offline events). "Online" can still mean the relay is out of
 * reach; the relay status says that part.
 */

/** The window and navigator parts this needs; injected so Node tests can drive them. */
export interface NetworkEnvironment {
  readonly navigator: { readonly onLine: boolean };
  addEventListener(type: 'online' | 'offline', listener: () => void): void;
  removeEventListener(type: 'online' | 'offline', listener: () => void): void;
}

export class NetworkStatus {
  private readonly environment: NetworkEnvironment;
  private readonly listeners = new Set<() => void>();

  constructor(environment: NetworkEnvironment) {
    this.environment = environment;
  }

  get isOnline(): boolean {
    return this.environment.navigator.onLine;
  }

  /**
   * Calls `listener` whenever the device goes online or offline; returns the unsubscribe.
   * The window listeners exist only while someone is subscribed.
   */
  subscribe(listener: () => void): () => void {
    if (this.listeners.size === 0) {
      this.environment.addEventListener('online', this.notify);
      this.environment.addEventListener('offline', this.notify);
    }
    this.listeners.add(listener);
    return () => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
      this.environment.removeEventListener('online', this.notify);
      this.environment.removeEventListener('offline', this.notify);
    };
  }

  private readonly notify = (): void => {
    for (const listener of [...this.listeners]) listener();
  };
}
