/**
 * The quiet "new version" line: it neither interrupts (no alert, no dialog) nor updates by
 * itself, since a reload would drop the voice call and the links to people nearby. The
 * person reloads when it suits them.
 */

import { css, html, LitElement } from 'lit';
import { customElement } from 'lit/decorators.js';
import { sharedStyles } from './shared-styles.ts';

/** Dispatched (bubbling, composed) when the person asks for the new version. */
export const RELOAD_TO_UPDATE_EVENT = 'nt-reload-to-update';

@customElement('nt-update-banner')
export class NtUpdateBanner extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      section {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: center;
        gap: 0.25rem 1rem;
        padding: 0.25rem 1rem;
        border-bottom: 1px solid var(--nt-border);
        background: var(--nt-own);
      }
      p {
        margin: 0;
      }
      button {
        background: transparent;
        color: var(--nt-accent);
      }
    `,
  ];

  override render() {
    return html`<section aria-label="Update">
      <p>A new version of NearTalk is ready.</p>
      <button type="button" @click=${this.onReload}>Reload to update</button>
    </section>`;
  }

  private onReload(): void {
    this.dispatchEvent(new Event(RELOAD_TO_UPDATE_EVENT, { bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-update-banner': NtUpdateBanner;
  }
}
