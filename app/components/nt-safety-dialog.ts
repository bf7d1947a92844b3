/**
 * The two safety questions, asked in a modal dialog: "Block <name>?" (naming the person,
 * with what it does) and which reason a flag has. Confirming dispatches the action; the
 * dialog itself decides nothing. A native <dialog>: focus moves in, Escape cancels, and
 * the page behind is inert.
 */

import { css, html, LitElement, nothing } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { FLAG_REASONS, type FlagReason } from '../core/flag.ts';
import { sharedStyles } from './shared-styles.ts';
import { UiActionEvent } from './ui-action.ts';

type Question = { readonly kind: 'block'; readonly key: string; readonly username: string } | { readonly kind: 'flag'; readonly id: string };

const REASON_LABELS: Readonly<Record<FlagReason, string>> = { spam: 'Spam', harassment: 'Harassment', other: 'Other' };

@customElement('nt-safety-dialog')
export class NtSafetyDialog extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      dialog {
        max-width: min(90vw, 26rem);
        border: 1px solid var(--nt-border);
        border-radius: 0.75rem;
        background: var(--nt-surface);
        color: var(--nt-fg);
      }
      h2 {
        margin-top: 0;
        font-size: 1.1rem;
      }
      fieldset {
        border: 0;
        padding: 0;
        margin: 0 0 1rem;
      }
      .buttons {
        display: flex;
        gap: 0.5rem;
        justify-content: flex-end;
      }
    `,
  ];

  @state() private question: Question | null = null;
  @state() private reason: FlagReason = 'spam';
  @query('dialog') private dialog!: HTMLDialogElement | null;

  /** Asks whether to block a person. */
  async askBlock(key: string, username: string): Promise<void> {
    await this.ask({ kind: 'block', key, username });
  }

  /** Asks why a message is flagged. */
  async askFlag(id: string): Promise<void> {
    this.reason = 'spam';
    await this.ask({ kind: 'flag', id });
  }

  override render() {
    const question = this.question;
    return html`<dialog aria-labelledby="question" @close=${this.onClose}>
      ${question === null ? nothing : question.kind === 'block' ? this.renderBlock(question.username) : this.renderFlag()}
    </dialog>`;
  }

  private renderBlock(username: string) {
    return html`<form method="dialog" @submit=${this.onConfirm}>
      <h2 id="question">Block ${username}?</h2>
      <p>Their messages vanish from your screen, you will not hear them, and you will not connect to them. They are not told.</p>
      <div class="buttons">
        <button type="button" @click=${this.cancel}>Cancel</button>
        <button type="submit">Block</button>
      </div>
    </form>`;
  }

  private renderFlag() {
    return html`<form method="dialog" @submit=${this.onConfirm}>
      <h2 id="question">Flag message</h2>
      <fieldset>
        <legend>Reason</legend>
        ${FLAG_REASONS.map(
          (reason) => html`<label
            ><input type="radio" name="reason" .value=${reason} .checked=${this.reason === reason} @change=${() => (this.reason = reason)} />
            ${REASON_LABELS[reason]}</label
          ><br />`,
        )}
      </fieldset>
      <p>People nearby see it collapsed once three people who have been here a while flag it.</p>
      <div class="buttons">
        <button type="button" @click=${this.cancel}>Cancel</button>
        <button type="submit">Send flag</button>
      </div>
    </form>`;
  }

  private async ask(question: Question): Promise<void> {
    this.question = question;
    await this.updateComplete;
    if (this.dialog !== null && !this.dialog.open) this.dialog.showModal();
  }

  private onConfirm(event: SubmitEvent): void {
    event.preventDefault();
    const question = this.question;
    if (question === null) return;
    this.dispatchEvent(
      new UiActionEvent(
        question.kind === 'block' ? { kind: 'block', key: question.key, username: question.username } : { kind: 'flag-message', id: question.id, reason: this.reason },
      ),
    );
    this.dialog?.close();
  }

  private cancel(): void {
    this.dialog?.close();
  }

  private onClose(): void {
    this.question = null;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-safety-dialog': NtSafetyDialog;
  }
}
