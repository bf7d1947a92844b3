/**
 * The people and voice panel: joining voice, the radar of who is in range, the radius that
 * is its outer ring, the Nearby list with volumes, and the settings for the curious.
 */

import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { SessionState } from '../session/session-state.ts';
import { sharedStyles } from './shared-styles.ts';
import { UiActionEvent } from './ui-action.ts';
import './nt-debug.ts';
import './nt-nearby.ts';
import './nt-radar.ts';
import './nt-radius.ts';
import './nt-username-form.ts';
import './nt-voice.ts';

@customElement('nt-people')
export class NtPeople extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: grid;
        gap: 1rem;
      }
      .panel {
        padding: 0.75rem;
        border: 1px solid var(--nt-border);
        border-radius: 0.75rem;
      }
      .around {
        display: grid;
        gap: 0.75rem;
      }
      .you {
        margin: 0 0 0.25rem;
      }
      .current {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      details.fresh p {
        margin: 0.5rem 0;
      }
      details nt-username-form {
        margin-top: 0.5rem;
      }
    `,
  ];

  @property({ attribute: false }) state: SessionState | null = null;
  @property({ attribute: false }) radarSalt = '';

  override render() {
    const state = this.state;
    if (state === null) return html``;
    return html`
      <nt-voice class="panel" .voice=${state.voice} .people=${state.nearby}></nt-voice>
      <div class="panel around">
        <nt-radar .people=${state.nearby} .radiusM=${state.radiusM} .salt=${this.radarSalt}></nt-radar>
        <nt-radius .radiusM=${state.radiusM}></nt-radius>
      </div>
      <nt-nearby
        class="panel"
        .people=${state.nearby}
        .blocked=${state.blocked}
        .unreachable=${state.unreachable}
        .turnTrouble=${state.turnTrouble}
        .isVoiceOn=${state.voice.status === 'on'}
      ></nt-nearby>
      <section class="panel" aria-label="Your username">
        <p class="you">You are <span class="current">${state.username ?? ''}</span></p>
        <details>
          <summary>Change username</summary>
          <nt-username-form
            mode="change"
            .error=${state.usernameError}
            .changesLeft=${state.usernameChangesLeft}
          ></nt-username-form>
        </details>
        <details class="fresh">
          <summary>Start fresh</summary>
          <p>Become someone new: a new key and a new username. People nearby will see a new person, and your messages so far stay with the old name.</p>
          <button type="button" @click=${this.onStartFresh}>Start fresh now</button>
        </details>
      </section>
      <nt-debug class="panel" .dropped=${state.dropped} .directLinks=${state.directLinks}></nt-debug>
    `;
  }

  private onStartFresh(): void {
    this.dispatchEvent(new UiActionEvent({ kind: 'start-fresh' }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-people': NtPeople;
  }
}
