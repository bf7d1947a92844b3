/** Writing a message: Enter or the Send button sends; the box clears once the session takes it. */

import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { sharedStyles } from './shared-styles.ts';
import { UiActionEvent } from './ui-action.ts';

/** Same bound as the session's (MAX_MESSAGE_CHARS); the session has the last word. */
const MAX_MESSAGE_LENGTH = 500;

@customElement('nt-composer')
export class NtComposer extends LitElement {
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [
    sharedStyles,
    css`
      form {
        display: flex;
        gap: 0.5rem;
      }
      input {
        flex: 1;
      }
    `,
  ];

  /** Why the session refused the last message, or null. */
  @property({ attribute: false }) error: string | null = null;

  @query('input') private input!: HTMLInputElement;

  override render() {
    return html`
      <form @submit=${this.onSubmit}>
        <label class="visually-hidden" for="message">Message</label>
        <input
          id="message"
          type="text"
          maxlength=${MAX_MESSAGE_LENGTH}
          autocomplete="off"
          enterkeyhint="send"
          placeholder="Write to people nearby"
          aria-invalid=${this.error === null ? 'false' : 'true'}
          aria-describedby="send-error"
        />
        <button type="submit">Send</button>
      </form>
      ${this.error === null ? nothing : html`<p id="send-error" class="error" role="alert">${this.error}</p>`}
    `;
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const text = this.input.value;
    if (text.trim() === '') return;
    // A refused message stays in the box, so the person can shorten it or send it later.
    if (this.dispatchEvent(new UiActionEvent({ kind: 'send', text }))) this.input.value = '';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-composer': NtComposer;
  }
}
