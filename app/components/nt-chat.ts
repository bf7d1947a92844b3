/**
 * The chat screen: the conversation and, beside it on wide screens, the people and voice
 * panel; on narrow screens the two are tabs. New messages from others are read out from
 * here, outside both panels, so a hidden tab never silences them.
 */

import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { MediaQueryController } from '../controllers/media-query-controller.ts';
import type { SessionState } from '../session/session-state.ts';
import { announce, newMessages } from './message-list-format.ts';
import { chatStyles } from './chat-styles.ts';
import { sharedStyles } from './shared-styles.ts';
import { tabAfterKey, type ChatTab } from './chat-tabs.ts';
import './nt-composer.ts';
import './nt-no-peers.ts';
import './nt-messages.ts';
import './nt-people.ts';

const TABS: ReadonlyArray<{ readonly id: ChatTab; readonly label: string }> = [
  { id: 'chat', label: 'Chat' },
  { id: 'people', label: 'People & voice' },
];

@customElement('nt-chat')
export class NtChat extends LitElement {
  static override styles = [sharedStyles, chatStyles];

  @property({ attribute: false }) state: SessionState | null = null;
  @property({ attribute: false }) radarSalt = '';
  /** The tab shown on narrow screens. */
  @state() private tab: ChatTab = 'chat';
  /** Messages from others that arrived while the Chat tab was hidden. */
  private unread = 0;

  private readonly wide = new MediaQueryController(this, '(min-width: 48rem)');
  private announcement = '';

  /** Focus goes to where a person writes. */
  override focus(options?: FocusOptions): void {
    (this.renderRoot.querySelector('nt-no-peers') ?? this.renderRoot.querySelector('nt-composer'))?.focus(options);
  }

  protected override async getUpdateComplete(): Promise<boolean> {
    const isDone = await super.getUpdateComplete();
    await this.renderRoot.querySelector('nt-composer')?.updateComplete;
    return isDone;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const previous = changed.get('state');
    if (previous === undefined || previous === null || this.state === null || previous.messages === this.state.messages) return;
    const fromOthers = newMessages(previous.messages, this.state.messages).filter((message) => !message.isOwn);
    this.announcement = announce(fromOthers);
    if (!this.wide.matches && this.tab !== 'chat') this.unread += fromOthers.length;
  }

  override render() {
    const state = this.state;
    if (state === null) return html``;
    if (state.peerSupport !== 'supported') return html`<nt-no-peers .support=${state.peerSupport}></nt-no-peers>`;
    const isWide = this.wide.matches;
    const shows = (tab: ChatTab): boolean => isWide || this.tab === tab;
    return html`
      ${isWide ? nothing : this.renderTabs()}
      <div class="layout ${isWide ? 'wide' : 'narrow'}">
        <section id="panel-chat" class="conversation" ?hidden=${!shows('chat')} aria-label=${isWide ? 'Conversation' : nothing}
          role=${isWide ? nothing : 'tabpanel'} aria-labelledby=${isWide ? nothing : 'tab-chat'}>
          <nt-messages .messages=${state.messages} .hiddenCount=${state.hiddenCount} .isShowingHidden=${state.isShowingHidden}></nt-messages>
          <nt-composer .error=${state.sendError}></nt-composer>
        </section>
        <nt-people id="panel-people" ?hidden=${!shows('people')} .state=${state} .radarSalt=${this.radarSalt}
          aria-label=${isWide ? 'People & voice' : nothing} role=${isWide ? 'region' : 'tabpanel'}
          aria-labelledby=${isWide ? nothing : 'tab-people'}></nt-people>
      </div>
      <div class="visually-hidden" aria-live="polite">${this.announcement}</div>
    `;
  }

  private renderTabs() {
    return html`<div role="tablist" aria-label="Chat screen" @keydown=${this.onTabKey}>
      ${TABS.map(({ id, label }) => {
        const isSelected = this.tab === id;
        return html`<button type="button" role="tab" id=${`tab-${id}`} aria-controls=${`panel-${id}`}
          aria-selected=${isSelected ? 'true' : 'false'} tabindex=${isSelected ? 0 : -1} @click=${() => this.select(id)}
          >${label}${id === 'chat' && this.unread > 0 ? html`<span class="badge">${this.unread}<span class="visually-hidden"> new</span></span>` : nothing}</button
        >`;
      })}
    </div>`;
  }

  private select(tab: ChatTab): void {
    this.tab = tab;
    if (tab === 'chat') this.unread = 0;
  }

  /** Arrow keys, Home and End move between tabs and select them (the ARIA tabs pattern). */
  private async onTabKey(event: KeyboardEvent): Promise<void> {
    const next = tabAfterKey(this.tab, event.key, TABS.map((tab) => tab.id));
    if (next === null) return;
    event.preventDefault();
    this.select(next);
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#tab-${next}`)?.focus();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-chat': NtChat;
  }
}
