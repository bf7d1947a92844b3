/**
 * The conversation, oldest first. It follows new messages only when the person is already
 * at the bottom (or just sent one), so reading older messages is never interrupted.
 * Text is bound as text, never as HTML.
 */

import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { ShownMessage } from '../session/session-state.ts';
import { announce, newMessages, timeLabel } from './message-list-format.ts';
import { sharedStyles } from './shared-styles.ts';

/** Within this many pixels of the end counts as "at the bottom". */
const BOTTOM_SLACK_PX = 48;
/**
 * Messages rendered at once; earlier ones on request. Laying out thousands of items on
 * every arrival made one message cost tens of milliseconds in a busy square.
 */
const PAGE_SIZE = 200;

@customElement('nt-messages')
export class NtMessages extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      /* nt-chat sizes it: the list takes what the composer and the voice bar leave. */
      :host {
        display: flex;
        flex-direction: column;
      }
      .frame {
        flex: 1;
        min-height: 0;
        display: flex;
        flex-direction: column;
        border: 1px solid var(--nt-border);
        border-radius: 0.75rem;
        background: var(--nt-surface);
      }
      ul {
        flex: 1;
        display: flex;
        flex-direction: column;
        margin: 0;
        padding: 0.75rem;
        overflow-y: auto;
        list-style: none;
      }
      li {
        align-self: flex-start;
        max-width: min(85%, 32rem);
        margin: 0 0 0.5rem;
        padding: 0.4rem 0.75rem;
        border: 1px solid var(--nt-border);
        border-radius: 0.75rem;
        background: var(--nt-bg);
        overflow-wrap: anywhere;
      }
      /* A short conversation sits at the bottom, next to the composer, as it grows upwards. */
      li:first-child {
        margin-top: auto;
      }
      li.own {
        align-self: flex-end;
        border-color: var(--nt-accent);
        background: var(--nt-own);
      }
      .meta {
        display: flex;
        flex-wrap: wrap;
        gap: 0 0.5rem;
        font-size: 0.8rem;
        color: var(--nt-muted);
      }
      .name {
        font-weight: 700;
        color: var(--nt-fg);
      }
      .text {
        margin: 0;
        white-space: pre-wrap;
      }
      .earlier {
        align-self: center;
        margin: 0.5rem;
      }
      .frame > .hint {
        margin: 0 0.75rem 0.75rem;
        text-align: center;
      }
    `,
  ];

  @property({ attribute: false }) messages: readonly ShownMessage[] = [];
  @state() private shownLimit = PAGE_SIZE;

  @query('ul') private list!: HTMLUListElement | null;
  private shouldFollow = true;
  private announcement = '';

  override render() {
    const hidden = Math.max(0, this.messages.length - this.shownLimit);
    return html`
      <div class="frame">
        ${hidden > 0
          ? html`<button type="button" class="earlier" @click=${this.showEarlier}>Show ${Math.min(hidden, PAGE_SIZE)} earlier messages</button>`
          : nothing}
        <ul aria-label="Messages" tabindex="0">
          ${repeat(
            hidden > 0 ? this.messages.slice(hidden) : this.messages,
            (message) => message.id,
            (message) => html`<li class=${message.isOwn ? 'own' : ''}>
              <div class="meta">
                <span class="name">${message.username}</span>
                <span>${message.distanceLabel}</span>
                <time datetime=${timeLabel(message.sentAtMs).iso}>${timeLabel(message.sentAtMs).label}</time>
              </div>
              <p class="text">${message.text}</p>
            </li>`,
          )}
        </ul>
        ${this.messages.length === 0
          ? html`<p class="hint">No messages yet. Say hello: messages vanish after 30 minutes.</p>`
          : nothing}
      </div>
      <div class="visually-hidden" aria-live="polite">${this.announcement}</div>
    `;
  }

  private showEarlier(): void {
    this.shouldFollow = false;
    this.shownLimit += PAGE_SIZE;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('messages')) return;
    const previous = changed.get('messages');
    const added = previous === undefined ? [] : newMessages(previous, this.messages);
    const list = this.list;
    const isAtBottom = list === null || list.scrollHeight - list.scrollTop - list.clientHeight <= BOTTOM_SLACK_PX;
    this.shouldFollow = isAtBottom || added.some((message) => message.isOwn);
    this.announcement = announce(added.filter((message) => !message.isOwn));
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('messages') && this.shouldFollow && this.list !== null) {
      this.list.scrollTop = this.list.scrollHeight;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-messages': NtMessages;
  }
}
