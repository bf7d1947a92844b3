/** One person's playback volume in voice: a 0–100 % slider that applies as it moves. */

import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { sharedStyles } from './shared-styles.ts';
import { UiActionEvent } from './ui-action.ts';

@customElement('nt-person-volume')
export class NtPersonVolume extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      label {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        font-size: 0.875rem;
        color: var(--nt-muted);
      }
      input {
        flex: 1;
        min-width: 0;
        margin: 0;
        accent-color: var(--nt-accent);
      }
      .value {
        min-width: 2.75rem;
        text-align: right;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  /** The person's session key, sent back with the new volume. */
  @property({ attribute: false }) personKey = '';
  @property({ attribute: false }) username = '';
  /** 0..1. */
  @property({ attribute: false }) volume = 1;

  override render() {
    const percent = Math.round(this.volume * 100);
    return html`
      <label>
        <span aria-hidden="true">Volume</span>
        <input
          type="range"
          min="0"
          max="100"
          step="5"
          aria-label=${`Volume for ${this.username}`}
          aria-valuetext=${`${percent}%`}
          .value=${live(String(percent))}
          @input=${this.onInput}
        />
        <span class="value" aria-hidden="true">${percent}%</span>
      </label>
    `;
  }

  private onInput(event: Event): void {
    if (!(event.target instanceof HTMLInputElement)) return;
    const volume = Number(event.target.value) / 100;
    this.dispatchEvent(new UiActionEvent({ kind: 'set-person-volume', key: this.personKey, volume }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-person-volume': NtPersonVolume;
  }
}
