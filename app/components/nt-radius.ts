/** The radius slider: the label follows the thumb, the session hears only the final value. */

import { css, html, LitElement } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { sharedStyles } from './shared-styles.ts';
import { UiActionEvent } from './ui-action.ts';

/** "500 m", "1.5 km", "1.05 km". */
export function formatRadius(radiusM: number): string {
  return radiusM < 1000 ? `${radiusM} m` : `${Number((radiusM / 1000).toFixed(2))} km`;
}

@customElement('nt-radius')
export class NtRadius extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .row {
        display: flex;
        justify-content: space-between;
        align-items: baseline;
      }
      label {
        font-weight: 600;
      }
      .value {
        font-variant-numeric: tabular-nums;
        font-weight: 600;
      }
      input {
        width: 100%;
        margin: 0.5rem 0 0;
        accent-color: var(--nt-accent);
      }
      .hint {
        margin: 0.25rem 0 0;
        font-size: 0.875rem;
      }
    `,
  ];

  /** The session's radius, in metres. */
  @property({ attribute: false }) radiusM = 500;
  /** Where the thumb is while the person drags it, before `change`. */
  @state() private draftM: number | null = null;

  @query('input') private input!: HTMLInputElement;

  override render() {
    const shownM = this.draftM ?? this.radiusM;
    const label = formatRadius(shownM);
    return html`
      <div class="row">
        <label for="radius">Radius</label>
        <span class="value">${label}</span>
      </div>
      <input
        id="radius"
        type="range"
        min="100"
        max="2000"
        step="50"
        .value=${live(String(shownM))}
        aria-valuetext=${label}
        @input=${this.onInput}
        @change=${this.onChange}
      />
      <p class="hint">You and another person see each other when you are within both your radius and theirs.</p>
    `;
  }

  private onInput(): void {
    this.draftM = Number(this.input.value);
  }

  private onChange(): void {
    this.draftM = null;
    this.dispatchEvent(new UiActionEvent({ kind: 'set-radius', radiusM: Number(this.input.value) }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-radius': NtRadius;
  }
}
