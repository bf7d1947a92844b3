/**
 * How the app is connected: to the network, to the relay, and to how many peers directly.
 * Peers already linked keep chatting without the relay (and, on a shared local network,
 * without the Internet), so the line says so instead of only "disconnected".
 */

import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { RelayStatus } from '../session/session-state.ts';
import { sharedStyles } from './shared-styles.ts';
import { statusText } from './status-text.ts';

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
      .reconnecting .dot,
      .offline .dot {
        background: var(--nt-error);
      }
    `,
  ];

  @property({ attribute: false }) relay: RelayStatus = 'connecting';
  /** Direct peer connections; they keep the chat going while the relay is away. */
  @property({ attribute: false }) directLinks = 0;
  /** The device has a network (`navigator.onLine`). */
  @property({ attribute: false }) isOnline = true;
  /** The browser can make WebRTC peer connections (otherwise nothing else matters). */
  @property({ attribute: false }) canConnectToPeers = true;

  override render() {
    const text = statusText(this.relay, this.directLinks, this.isOnline, this.canConnectToPeers);
    const kind = !this.canConnectToPeers ? 'offline' : this.isOnline ? this.relay : 'offline';
    return html`<p class=${kind} role="status"><span class="dot" aria-hidden="true"></span>${text}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-status': NtStatus;
  }
}
