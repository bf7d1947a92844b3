/** The chat screen's layout: the conversation, and beside it (below on phones) the settings. */

import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { SessionState } from '../session/session-state.ts';
import { sharedStyles } from './shared-styles.ts';
import './nt-composer.ts';
import './nt-debug.ts';
import './nt-messages.ts';
import './nt-nearby.ts';
import './nt-radius.ts';
import './nt-username-form.ts';
import './nt-voice.ts';

@customElement('nt-chat')
export class NtChat extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .layout {
        display: grid;
        gap: 1rem;
      }
      @media (min-width: 48rem) {
        .layout {
          grid-template-columns: minmax(0, 1fr) 18rem;
          align-items: start;
        }
      }
      /* The header, the composer and the voice bar stay on the first screen, phone or desktop. */
      .conversation {
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
        height: clamp(20rem, calc(100dvh - 8rem), 56rem);
      }
      nt-messages {
        flex: 1;
        min-height: 0;
      }
      aside {
        display: grid;
        gap: 1rem;
      }
      .panel {
        padding: 0.75rem;
        border: 1px solid var(--nt-border);
        border-radius: 0.75rem;
      }
      summary {
        cursor: pointer;
      }
      .you {
        margin: 0 0 0.25rem;
      }
      .current {
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      details nt-username-form {
        margin-top: 0.5rem;
      }
    `,
  ];

  @property({ attribute: false }) state: SessionState | null = null;

  /** Focus goes to where a person writes. */
  override focus(options?: FocusOptions): void {
    this.renderRoot.querySelector('nt-composer')?.focus(options);
  }

  protected override async getUpdateComplete(): Promise<boolean> {
    const isDone = await super.getUpdateComplete();
    await this.renderRoot.querySelector('nt-composer')?.updateComplete;
    return isDone;
  }

  override render() {
    const state = this.state;
    if (state === null) return html``;
    return html`
      <div class="layout">
        <section class="conversation" aria-label="Conversation">
          <nt-messages .messages=${state.messages}></nt-messages>
          <nt-composer .error=${state.sendError}></nt-composer>
          <nt-voice .voice=${state.voice} .people=${state.nearby}></nt-voice>
        </section>
        <aside>
          <nt-radius class="panel" .radiusM=${state.radiusM}></nt-radius>
          <nt-nearby
            class="panel"
            .people=${state.nearby}
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
          </section>
          <nt-debug class="panel" .dropped=${state.dropped} .directLinks=${state.directLinks}></nt-debug>
        </aside>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-chat': NtChat;
  }
}
