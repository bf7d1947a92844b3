/** How the app is connected: to the relay, and to how many peers directly. */

import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { RelayStatus } from '../session/session-state.ts';
import { sharedStyles } from './shared-styles.ts';

const RELAY_TEXT = {
  connecting: 'Connecting to relay…',
  connected: 'Connected to relay',
  reconnecting: 'Relay unreachable — reconnecting',
} as const satisfies Record<RelayStatus, string>;

@customElement('nt-status')
export class NtStatus extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      p {
        display: flex;
        align-items: center;
        gap: 0.4rem;
        margin: 0;
        font-size: 0.9rem;
      }
      .dot {
        flex: none;
        width: 0.6rem;
        height: 0.6rem;
        border-radius: 50%;
        background: var(--nt-warn);
      }
      .connected .dot {
        background: var(--nt-ok);
      }
      .reconnecting .dot {
        background: var(--nt-error);
      }
    `,
  ];

  @property({ attribute: false }) relay: RelayStatus = 'connecting';
  /** Direct peer connections; they keep the chat going while the relay is away. */
  @property({ attribute: false }) directLinks = 0;

  override render() {
    const peers = this.directLinks === 0 ? '' : ` · ${this.directLinks} ${this.directLinks === 1 ? 'peer' : 'peers'}`;
    return html`<p class=${this.relay} role="status"><span class="dot" aria-hidden="true"></span>${RELAY_TEXT[this.relay]}${peers}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-status': NtStatus;
  }
}
