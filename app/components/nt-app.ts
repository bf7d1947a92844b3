/**
 * The app shell: the connection status and the update line on every screen, and the
 * screen for the session's phase (the later screens' code loads on demand). It is the
 * only component that holds the session: the others get state slices as properties and
 * dispatch `UiActionEvent`s, which land here.
 */

import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { LazyElementsController } from '../controllers/lazy-elements-controller.ts';
import { SessionController } from '../controllers/session-controller.ts';
import { SourceController } from '../controllers/source-controller.ts';
import type { TabLock } from '../identity/tab-lock.ts';
import type { AppUpdates } from '../pwa/app-updates.ts';
import type { NetworkStatus } from '../pwa/network-status.ts';
import type { SessionState, SessionView } from '../session/session-state.ts';
import { isLazyScreen, LAZY_SCREENS, type LazyScreen } from './lazy-screens.ts';
import { appStyles } from './app-styles.ts';
import { sharedStyles, themeStyles } from './shared-styles.ts';
import type { UiActionEvent } from './ui-action.ts';
import './nt-intro.ts';
import './nt-status.ts';
import './nt-update-banner.ts';

@customElement('nt-app')
export class NtApp extends LitElement {
  static override styles = [sharedStyles, themeStyles, appStyles];

  private readonly controller = new SessionController(this);
  private readonly network = new SourceController<NetworkStatus>(this);
  private readonly updates = new SourceController<AppUpdates>(this);
  private readonly tabs = new SourceController<TabLock>(this);
  private readonly screens = new LazyElementsController<LazyScreen>(this, LAZY_SCREENS);
  /** The screen last rendered (phase, or its loading failure): a change moves focus to the new one. */
  private shownScreen: string | null = null;

  /** Seeds each person's random bearing on the radar; new every session (fixed in the demo). */
  @property({ attribute: false }) radarSalt = '';

  /** The session to show; set by main.ts. */
  get session(): SessionView | null {
    return this.controller.view;
  }

  set session(session: SessionView | null) {
    this.controller.attach(session);
  }

  set networkStatus(status: NetworkStatus | null) {
    this.network.attach(status);
  }

  set appUpdates(updates: AppUpdates | null) {
    this.updates.attach(updates);
  }

  /** Which tab of this browser profile runs NearTalk; set by main.ts. */
  set tabLock(tabs: TabLock | null) {
    this.tabs.attach(tabs);
  }

  override render() {
    const state = this.controller.state;
    return html`
      <header>
        <h1><img src="/icon.svg" alt="" width="28" height="28" />NearTalk</h1>
        <nt-status
          .relay=${state?.relay ?? 'connecting'}
          .directLinks=${state?.directLinks ?? 0}
          .isOnline=${this.network.source?.isOnline ?? true}
          .canConnectToPeers=${(state?.peerSupport ?? 'supported') === 'supported'}
        ></nt-status>
      </header>
      ${this.updates.source?.isUpdateReady === true
        ? html`<nt-update-banner @nt-reload-to-update=${this.onReloadToUpdate}></nt-update-banner>`
        : nothing}
      ${state !== null && state.proofProgress !== null && state.phase !== 'intro'
        ? html`<p class="proof-progress">
            <label>Preparing your identity… <progress max="1" .value=${state.proofProgress}></progress></label>
          </p>`
        : nothing}
      <main @nt-action=${this.onAction}>${this.tabs.source?.state === 'elsewhere' ? this.renderElsewhere() : state === null ? nothing : this.renderScreen(state)}</main>
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const phase = this.controller.state?.phase ?? null;
    if (phase !== null && phase !== 'intro') this.screens.preloadAll();
    const screen = this.renderRoot.querySelector<HTMLElement>('.screen');
    const shown = screen === null ? null : `${phase}:${screen.localName}`;
    if (shown === this.shownScreen) return;
    const isFirstScreen = this.shownScreen === null;
    this.shownScreen = shown;
    // The control that was pressed is gone with the old screen: without this, focus
    // falls back to the page and keyboard and screen reader users lose their place.
    if (!isFirstScreen && screen !== null) void this.focusScreen(screen);
  }

  private renderScreen(state: SessionState) {
    switch (state.phase) {
      case 'intro':
        return html`<nt-intro class="screen"></nt-intro>`;
      case 'locating':
        return html`<p class="screen" tabindex="-1">Finding your position…</p>`;
      case 'location-denied':
        return this.lazy('nt-location-problem', html`<nt-location-problem class="screen" reason="denied"></nt-location-problem>`);
      case 'location-unavailable':
        return this.lazy('nt-location-problem', html`<nt-location-problem class="screen" reason="unavailable"></nt-location-problem>`);
      case 'username':
        return this.lazy('nt-username-form', html`<nt-username-form class="screen" mode="join" .error=${state.usernameError}></nt-username-form>`);
      case 'chat':
        return this.lazy('nt-chat', html`<nt-chat class="screen" .state=${state} .radarSalt=${this.radarSalt}></nt-chat>`);
      default: {
        const unknownPhase: never = state.phase;
        throw new Error(`unknown session phase ${JSON.stringify(unknownPhase)}`);
      }
    }
  }

  /** Another tab of this profile runs NearTalk: one identity, one tab. */
  private renderElsewhere(): TemplateResult {
    return html`<div class="screen" tabindex="-1" role="alert">
      <p>NearTalk is open in another tab. Use it there, or here instead (the other tab stops).</p>
      <button type="button" @click=${() => this.tabs.source?.useHere()}>Use here</button>
    </div>`;
  }

  /** `screen` once its code is there (an undefined element renders empty until then). */
  private lazy(tag: LazyScreen, screen: TemplateResult): TemplateResult {
    if (this.screens.state(tag) !== 'failed') return screen;
    return html`<div class="screen" tabindex="-1" role="alert">
      <p>This part of NearTalk could not be loaded${this.network.source?.isOnline === false ? ' while offline' : ''}.</p>
      <button type="button" @click=${() => location.reload()}>Reload</button>
    </div>`;
  }

  private async focusScreen(screen: HTMLElement): Promise<void> {
    const tag = screen.localName;
    if (isLazyScreen(tag) && !(await this.screens.load(tag))) return;
    if (screen instanceof LitElement) await screen.updateComplete;
    if (screen.isConnected) screen.focus();
  }

  private onAction(event: UiActionEvent): void {
    event.stopPropagation();
    if (!this.controller.perform(event.action)) event.preventDefault();
  }

  private onReloadToUpdate(event: Event): void {
    event.stopPropagation();
    this.updates.source?.applyUpdate();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-app': NtApp;
  }
}
