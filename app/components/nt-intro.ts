/** First screen: what NearTalk does with a person's location, before the browser asks. */

import { css, html, LitElement } from 'lit';
import { customElement } from 'lit/decorators.js';
import { columnStyles, sharedStyles } from './shared-styles.ts';
import { UiActionEvent } from './ui-action.ts';

@customElement('nt-intro')
export class NtIntro extends LitElement {
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [
    sharedStyles,
    columnStyles,
    css`
      li + li {
        margin-top: 0.5rem;
      }
    `,
  ];

  override render() {
    return html`
      <h2>Chat with the people around you</h2>
      <p>
        NearTalk connects you, anonymously, with people within a distance you choose, from 100 m to 2 km. No
        account, no sign-up.
      </p>
      <p>To find them, it needs your location:</p>
      <ul>
        <li>Your approximate position (to about 40 m) is shared only with people nearby, to show how far apart you are.</li>
        <li>The relay that introduces you to them sees only a ~1 km area: never your position, your name or your messages.</li>
        <li>Nothing is stored on a server. Messages vanish after 30 minutes.</li>
      </ul>
      <button type="button" @click=${this.onAllow}>Allow location</button>
      <p class="hint">Your browser will then ask whether NearTalk may use your location.</p>
    `;
  }

  private onAllow(): void {
    this.dispatchEvent(new UiActionEvent({ kind: 'request-location' }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-intro': NtIntro;
  }
}
