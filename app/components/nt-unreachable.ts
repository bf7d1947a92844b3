/**
 * Who could not be reached directly, and, when the TURN server is why, an alert saying so:
 * a person behind a strict network otherwise only sees nobody arrive.
 */

import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { TurnTrouble } from '../core/turn-trouble.ts';
import type { UnreachablePeer } from '../session/session-state.ts';
import { sharedStyles } from './shared-styles.ts';

function peopleText(count: number): string {
  return `${count} nearby ${count === 1 ? 'person' : 'people'}`;
}

const TURN_TEXT = {
  refused: 'it refused our credentials (wrong or expired); whoever runs this NearTalk should check its TURN settings.',
  unreachable: 'it did not answer.',
} as const satisfies Record<TurnTrouble, string>;

@customElement('nt-unreachable')
export class NtUnreachable extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      p {
        margin: 0.5rem 0 0;
        font-size: 0.875rem;
        color: var(--nt-warn);
      }
    `,
  ];

  @property({ attribute: false }) unreachable: readonly UnreachablePeer[] = [];
  /** Whether the TURN server is why they are unreachable. */
  @property({ attribute: false }) turnTrouble: TurnTrouble | null = null;

  override render() {
    if (this.unreachable.length === 0) return nothing;
    const people = peopleText(this.unreachable.length);
    return html`
      <p>Could not connect directly to ${people}: ${this.unreachable.map((peer) => peer.label).join(', ')}.</p>
      ${this.turnTrouble === null
        ? nothing
        : html`<p role="alert">Could not reach ${people} through the TURN server: ${TURN_TEXT[this.turnTrouble]}</p>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-unreachable': NtUnreachable;
  }
}
