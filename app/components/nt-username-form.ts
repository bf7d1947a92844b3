/**
 * Choosing a username ("join", before the chat) or changing it ("change", in the chat).
 * The session checks the name; this form shows its refusal and keeps the input until then.
 */

import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { sharedStyles } from './shared-styles.ts';
import { UiActionEvent } from './ui-action.ts';

export type UsernameFormMode = 'join' | 'change';

function changesLeftText(changesLeft: number): string {
  if (changesLeft <= 0) return 'No changes left';
  return `${changesLeft} ${changesLeft === 1 ? 'change' : 'changes'} left`;
}

@customElement('nt-username-form')
export class NtUsernameForm extends LitElement {
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  static override styles = [
    sharedStyles,
    css`
      :host([mode='join']) {
        max-width: 36rem;
        margin: 0 auto;
      }
      label {
        display: block;
        font-weight: 600;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin-top: 0.25rem;
      }
      input {
        flex: 1 1 10rem;
      }
      #name-help p {
        margin: 0.25rem 0 0;
      }
    `,
  ];

  @property({ reflect: true }) mode: UsernameFormMode = 'join';
  /** The session's refusal of the last name tried, or null. */
  @property({ attribute: false }) error: string | null = null;
  /** Only shown in "change" mode. */
  @property({ attribute: false }) changesLeft = 0;

  @query('input') private input!: HTMLInputElement;

  override render() {
    const isJoin = this.mode === 'join';
    const hasError = this.error !== null;
    return html`
      ${isJoin
        ? html`<h2>Choose a username</h2>
            <p>
              People nearby see it next to your messages: 3 to 20 letters, digits or spaces. You can change it 3
              times.
            </p>`
        : nothing}
      <form @submit=${this.onSubmit} novalidate>
        <label for="name">${isJoin ? 'Username' : 'New username'}</label>
        <div class="row">
          <input
            id="name"
            type="text"
            autocomplete="off"
            spellcheck="false"
            aria-invalid=${hasError ? 'true' : 'false'}
            aria-describedby="name-help"
          />
          <button type="submit">${isJoin ? 'Join' : 'Change username'}</button>
        </div>
        <div id="name-help">
          ${isJoin ? nothing : html`<p class="hint">${changesLeftText(this.changesLeft)}</p>`}
          ${hasError ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        </div>
      </form>
    `;
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const isAccepted = this.dispatchEvent(new UiActionEvent({ kind: 'set-username', name: this.input.value }));
    if (isAccepted && this.mode === 'change') this.input.value = '';
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-username-form': NtUsernameForm;
  }
}
