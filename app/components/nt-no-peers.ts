/**
 * The chat screen of a browser that cannot make WebRTC peer connections: what is wrong
 * and what to do, in place of a conversation that could never fill (and instead of the
 * misleading "Nobody in range").
 */

import { html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { PeerSupport } from '../core/peer-support.ts';
import { NO_PEERS_HEADING } from './no-peers-text.ts';
import { columnStyles, sharedStyles } from './shared-styles.ts';

@customElement('nt-no-peers')
export class NtNoPeers extends LitElement {
  static override styles = [sharedStyles, columnStyles];

  /** What is missing (`detectPeerSupport`). */
  @property({ attribute: false }) support: PeerSupport = 'no-peer-connection';

  /** Focus goes to the heading, so a screen reader starts with the news. */
  override focus(options?: FocusOptions): void {
    this.renderRoot.querySelector<HTMLElement>('h2')?.focus(options);
  }

  override render() {
    const missing = this.support === 'no-data-channel' ? 'WebRTC data channels' : 'WebRTC';
    return html`
      <section aria-labelledby="no-peers-title">
        <h2 id="no-peers-title" tabindex="-1">${NO_PEERS_HEADING}</h2>
        <p role="alert">
          NearTalk talks to people directly, browser to browser, with ${missing}, and this browser does not offer
          it: it is old, built without it, or it was turned off by a setting, a policy or an extension. Nothing you
          write here could reach anyone.
        </p>
        <p>What you can do:</p>
        <ul>
          <li>Open NearTalk in a current Safari, Chrome, Edge or Firefox.</li>
          <li>If WebRTC was turned off in this browser (a privacy extension or a setting), allow it for this site and reload.</li>
          <li>On a managed device, ask whoever manages it to allow WebRTC.</li>
        </ul>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-no-peers': NtNoPeers;
  }
}
