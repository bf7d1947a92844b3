/** A collapsed panel for the curious and for bug reports: what the session dropped, and why. */

import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { SessionState } from '../session/session-state.ts';
import { sharedStyles } from './shared-styles.ts';

@customElement('nt-debug')
export class NtDebug extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      summary {
        color: var(--nt-muted);
      }
      dl {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 0 1rem;
        margin: 0.5rem 0 0;
        font-size: 0.875rem;
      }
      dd {
        margin: 0;
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  @property({ attribute: false }) dropped: SessionState['dropped'] | null = null;
  @property({ attribute: false }) directLinks = 0;

  override render() {
    const counters = Object.entries(this.dropped ?? {});
    return html`
      <details>
        <summary>Debug</summary>
        <dl>
          <dt>Direct connections</dt>
          <dd>${this.directLinks}</dd>
          ${counters.map(([reason, count]) => html`<dt>Dropped: ${reason}</dt><dd>${count}</dd>`)}
        </dl>
      </details>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-debug': NtDebug;
  }
}
