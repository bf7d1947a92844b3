/** Whether a media query matches, kept current while the host is in the document. */

import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class MediaQueryController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly query: string;
  private list: MediaQueryList | null = null;

  constructor(host: ReactiveControllerHost, query: string) {
    this.host = host;
    this.query = query;
    host.addController(this);
  }

  /** False until the host is connected. */
  get matches(): boolean {
    return this.list?.matches ?? false;
  }

  hostConnected(): void {
    this.list = window.matchMedia(this.query);
    this.list.addEventListener('change', this.onChange);
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    this.list?.removeEventListener('change', this.onChange);
    this.list = null;
  }

  private readonly onChange = (): void => {
    this.host.requestUpdate();
  };
}
