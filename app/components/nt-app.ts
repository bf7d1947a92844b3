/**
 * The app shell: the relay status on every screen, and the screen for the session's
 * phase. It is the only component that holds the session: the others get state slices
 * as properties and dispatch `UiActionEvent`s, which land here.
 */

import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement } from 'lit/decorators.js';
import { SessionController } from '../controllers/session-controller.ts';
import type { SessionPhase, SessionState, SessionView } from '../session/session-state.ts';
import { sharedStyles, themeStyles } from './shared-styles.ts';
import type { UiActionEvent } from './ui-action.ts';
import './nt-chat.ts';
import './nt-intro.ts';
import './nt-location-problem.ts';
import './nt-status.ts';
import './nt-username-form.ts';

@customElement('nt-app')
export class NtApp extends LitElement {
  static override styles = [
    sharedStyles,
    themeStyles,
    css`
      :host {
        min-height: 100vh;
        min-height: 100dvh;
        background: var(--nt-bg);
        color: var(--nt-fg);
        font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
        line-height: 1.5;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: space-between;
        gap: 0.25rem 1rem;
        padding: 0.5rem 1rem;
        border-bottom: 1px solid var(--nt-border);
        background: var(--nt-surface);
      }
      h1 {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        margin: 0;
        font-size: 1.25rem;
      }
      main {
        max-width: 64rem;
        margin: 0 auto;
        padding: 1rem;
      }
      .screen:focus {
        outline: none;
      }
    `,
  ];

  private readonly controller = new SessionController(this);
  /** The phase last rendered: a change moves focus to the new screen. */
  private shownPhase: SessionPhase | null = null;

  /** The session to show; set by main.ts. */
  get session(): SessionView | null {
    return this.controller.view;
  }

  set session(session: SessionView | null) {
    this.controller.attach(session);
  }

  override render() {
    const state = this.controller.state;
    return html`
      <header>
        <h1><img src="/icon.svg" alt="" width="28" height="28" />NearTalk</h1>
        <nt-status .relay=${state?.relay ?? 'connecting'} .directLinks=${state?.directLinks ?? 0}></nt-status>
      </header>
      <main @nt-action=${this.onAction}>${state === null ? nothing : this.renderScreen(state)}</main>
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const phase = this.controller.state?.phase ?? null;
    if (phase === this.shownPhase) return;
    const isFirstScreen = this.shownPhase === null;
    this.shownPhase = phase;
    // The control that was pressed is gone with the old screen: without this, focus
    // falls back to the page and keyboard and screen reader users lose their place.
    if (!isFirstScreen) void this.focusScreen();
  }

  private renderScreen(state: SessionState) {
    switch (state.phase) {
      case 'intro':
        return html`<nt-intro class="screen"></nt-intro>`;
      case 'locating':
        return html`<p class="screen" tabindex="-1">Finding your position…</p>`;
      case 'location-denied':
        return html`<nt-location-problem class="screen" reason="denied"></nt-location-problem>`;
      case 'location-unavailable':
        return html`<nt-location-problem class="screen" reason="unavailable"></nt-location-problem>`;
      case 'username':
        return html`<nt-username-form class="screen" mode="join" .error=${state.usernameError}></nt-username-form>`;
      case 'chat':
        return html`<nt-chat class="screen" .state=${state}></nt-chat>`;
      default: {
        const unknownPhase: never = state.phase;
        throw new Error(`unknown session phase ${JSON.stringify(unknownPhase)}`);
      }
    }
  }

  private async focusScreen(): Promise<void> {
    const screen = this.renderRoot.querySelector<HTMLElement>('.screen');
    if (screen instanceof LitElement) await screen.updateComplete;
    screen?.focus();
  }

  private onAction(event: UiActionEvent): void {
    event.stopPropagation();
    if (!this.controller.perform(event.action)) event.preventDefault();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-app': NtApp;
  }
}
