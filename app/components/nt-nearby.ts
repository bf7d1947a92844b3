/** Who is in mutual range, nearest first, and who could not be reached directly. */

import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { NearbyPerson, UnreachablePeer } from '../session/session-state.ts';
import { sharedStyles } from './shared-styles.ts';

function peopleText(count: number): string {
  return `${count} nearby ${count === 1 ? 'person' : 'people'}`;
}

@customElement('nt-nearby')
export class NtNearby extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      ul {
        margin: 0;
        padding: 0;
        list-style: none;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: 0 0.5rem;
        padding: 0.35rem 0;
        border-bottom: 1px solid var(--nt-border);
      }
      .name {
        flex: 1;
        font-weight: 600;
        overflow-wrap: anywhere;
      }
      .distance,
      .via {
        font-size: 0.875rem;
        color: var(--nt-muted);
      }
      p {
        margin: 0.5rem 0 0;
        font-size: 0.875rem;
      }
      .notice {
        color: var(--nt-warn);
      }
    `,
  ];

  @property({ attribute: false }) people: readonly NearbyPerson[] = [];
  @property({ attribute: false }) unreachable: readonly UnreachablePeer[] = [];

  override render() {
    return html`
      <h3>People nearby</h3>
      <ul aria-label="Nearby">
        ${repeat(
          this.people,
          (person) => person.key,
          (person) => html`<li>
            <span class="name">${person.username}</span>
            <span class="distance">${person.distanceLabel}</span>
            ${person.isDirect ? nothing : html`<span class="via">(through others)</span>`}
          </li>`,
        )}
      </ul>
      ${this.people.length === 0
        ? html`<p class="hint">Nobody in range yet — widen your radius to reach more people.</p>`
        : nothing}
      ${this.unreachable.length === 0
        ? nothing
        : html`<p class="notice">
            Could not connect directly to ${peopleText(this.unreachable.length)}:
            ${this.unreachable.map((peer) => peer.label).join(', ')}.
          </p>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-nearby': NtNearby;
  }
}
