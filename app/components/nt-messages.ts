/**
 * The conversation, oldest first. It follows new messages only when the person is already
 * at the bottom (or just sent one), so reading older messages is never interrupted.
 * Text is bound as text, never as HTML. Each message says how long it has left and fades
 * as it ages: its bubble blends into the list and its text moves from the text colour to
 * the muted one, both of which keep AA contrast, so an old message stays readable.
 * (nt-chat reads new messages out, outside the tab that may hide this list.)
 */

import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { ClockController } from '../controllers/clock-controller.ts';
import { formatTimeLeft, messageExpiry } from '../core/message-expiry.ts';
import type { ShownMessage } from '../session/session-state.ts';
import { newMessages, timeLabel } from './message-list-format.ts';
import { messageListStyles } from './message-list-styles.ts';
import type { NtSafetyDialog } from './nt-safety-dialog.ts';
import { UiActionEvent, type UiAction } from './ui-action.ts';
import './nt-safety-dialog.ts';
import { sharedStyles } from './shared-styles.ts';

/** Within this many pixels of the end counts as "at the bottom". */
const BOTTOM_SLACK_PX = 48;
/**
 * Messages rendered at once; earlier ones on request. Laying out thousands of items on
 * every arrival made one message cost tens of milliseconds in a busy square.
 */
const PAGE_SIZE = 200;
/** How often the "min left" labels and the fading move on (labels count whole minutes). */
const CLOCK_PERIOD_MS = 15_000;

@customElement('nt-messages')
export class NtMessages extends LitElement {
  static override styles = [sharedStyles, messageListStyles];

  @property({ attribute: false }) messages: readonly ShownMessage[] = [];
  /** Messages this person hid (for "Show hidden (N)"), and whether they are listed now. */
  @property({ attribute: false }) hiddenCount = 0;
  @property({ attribute: false }) isShowingHidden = false;
  @state() private shownLimit = PAGE_SIZE;

  @query('ul') private list!: HTMLUListElement | null;
  @query('nt-safety-dialog') private dialog!: NtSafetyDialog | null;
  private readonly clock = new ClockController(this, { periodMs: CLOCK_PERIOD_MS });
  private shouldFollow = true;

  override render() {
    const nowMs = this.clock.now;
    const hidden = Math.max(0, this.messages.length - this.shownLimit);
    return html`
      <div class="frame">
        ${hidden > 0
          ? html`<button type="button" class="earlier" @click=${this.showEarlier}>Show ${Math.min(hidden, PAGE_SIZE)} earlier messages</button>`
          : nothing}
        ${this.hiddenCount > 0 || this.isShowingHidden
          ? html`<button type="button" class="earlier" @click=${this.toggleHidden}>
              ${this.isShowingHidden ? 'Stop showing hidden' : `Show hidden (${this.hiddenCount})`}
            </button>`
          : nothing}
        <ul aria-label="Messages" tabindex="0">
          ${repeat(
            hidden > 0 ? this.messages.slice(hidden) : this.messages,
            (message) => message.id,
            (message) => this.renderMessage(message, nowMs),
          )}
        </ul>
        ${this.messages.length === 0
          ? html`<p class="hint">No messages yet. Say hello: messages vanish after 30 minutes.</p>`
          : nothing}
      </div>
      <nt-safety-dialog></nt-safety-dialog>
    `;
  }

  private renderMessage(message: ShownMessage, nowMs: number) {
    const { minutesLeft, ageFraction } = messageExpiry(message.sentAtMs, nowMs);
    const time = timeLabel(message.sentAtMs);
    return html`<li class=${message.isOwn ? 'own' : ''} style=${styleMap({ '--age': ageFraction.toFixed(3) })}>
      <div class="meta">
        <span class="name">${message.username}</span>
        ${message.isNew ? html`<span class="new" title="A new identity: here for less than 2 minutes">new</span>` : nothing}
        <span>${message.distanceLabel}</span>
        <time datetime=${time.iso}>${time.label}</time>
        <span class="left">${formatTimeLeft(minutesLeft)}</span>
        ${message.isHidden ? html`<span class="tag">hidden</span>` : nothing}
      </div>
      ${message.isCollapsed
        ? html`<p class="collapsed">Hidden by people nearby — <button type="button" class="link" @click=${() => this.act({ kind: 'reveal-message', id: message.id })}>Show</button></p>`
        : html`<p class="text">${message.text}</p>`}
      ${message.sameTextCount > 1 ? html`<p class="fold">same text from ${message.sameTextCount} people</p>` : nothing}
      ${message.isOwn ? nothing : this.renderActions(message)}
    </li>`;
  }

  /** Safety actions on someone else's message: small, after the text, each named in full. */
  private renderActions(message: ShownMessage) {
    return html`<div class="actions">
      ${message.isHidden ? nothing : html`<button type="button" class="link" @click=${() => this.act({ kind: 'hide-message', id: message.id })}>Hide message</button>`}
      ${message.hasFlagged
        ? html`<span class="tag">flagged</span>`
        : html`<button type="button" class="link" @click=${() => void this.dialog?.askFlag(message.id)}>Flag message</button>`}
      <button type="button" class="link" @click=${() => void this.dialog?.askBlock(message.authorKey, message.username)}>Block ${message.username}</button>
    </div>`;
  }

  private act(action: UiAction): void {
    this.dispatchEvent(new UiActionEvent(action));
  }

  private toggleHidden(): void {
    this.act({ kind: 'set-show-hidden', isShowing: !this.isShowingHidden });
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
