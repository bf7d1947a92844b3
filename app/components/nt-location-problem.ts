/** No position: the browser refused it (denied) or could not get one (unavailable). */

import { html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { columnStyles, sharedStyles } from './shared-styles.ts';
import { UiActionEvent } from './ui-action.ts';

export type LocationProblem = 'denied' | 'unavailable';

@customElement('nt-location-problem')
export class NtLocationProblem extends LitElement {
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [
    sharedStyles,
    columnStyles,
  ];

  @property() reason: LocationProblem = 'denied';

  override render() {
    return html`${this.reason === 'denied' ? this.renderDenied() : this.renderUnavailable()}
      <button type="button" @click=${this.onRetry}>Try again</button>`;
  }

  private renderDenied() {
    return html`
      <h2>Location is blocked</h2>
      <p>
        NearTalk needs your approximate location to find people near you, and your browser is blocking it for this
        site. To allow it:
      </p>
      <ol>
        <li>Open the site settings: the icon at the left of the address bar.</li>
        <li>Set <strong>Location</strong> to <strong>Allow</strong>.</li>
        <li>On a phone, also check that location is on for your browser in the system settings.</li>
      </ol>
      <p>Then try again.</p>
    `;
  }

  private renderUnavailable() {
    return html`
      <h2>Your position could not be found</h2>
      <p>Your device did not give a position: location may be turned off, or there is no signal.</p>
      <ol>
        <li>Turn on location (or location services) in your device's settings.</li>
        <li>If you are indoors, move near a window.</li>
      </ol>
      <p>Then try again.</p>
    `;
  }

  private onRetry(): void {
    this.dispatchEvent(new UiActionEvent({ kind: 'request-location' }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-location-problem': NtLocationProblem;
  }
}
