/**
 * Who is in mutual range, nearest first, and who could not be reached directly; in voice,
 * who talks (from the level of their received audio) and how loud each person plays.
 */

import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { TurnTrouble } from '../core/turn-trouble.ts';
import type { BlockedPersonView, NearbyPerson, UnreachablePeer } from '../session/session-state.ts';
import type { NtSafetyDialog } from './nt-safety-dialog.ts';
import { UiActionEvent } from './ui-action.ts';
import './nt-safety-dialog.ts';
import { sharedStyles } from './shared-styles.ts';
import './nt-person-volume.ts';
import './nt-unreachable.ts';

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
      .voice {
        display: inline-flex;
        align-items: center;
        gap: 0.3rem;
        padding: 0 0.45rem;
        border: 1px solid var(--nt-border);
        border-radius: 1rem;
        font-size: 0.8rem;
        color: var(--nt-muted);
      }
      /* Hollow while listening, filled and pulsing while talking: shape, not only colour. */
      .dot {
        width: 0.55rem;
        height: 0.55rem;
        border: 2px solid currentColor;
        border-radius: 50%;
      }
      li[data-speaking] .voice {
        border-color: var(--nt-ok);
        color: var(--nt-ok);
      }
      li[data-speaking] .dot {
        background: currentColor;
        animation: pulse 0.8s ease-in-out infinite alternate;
      }
      @keyframes pulse {
        to {
          transform: scale(1.35);
        }
      }
      @media (prefers-reduced-motion: reduce) {
        li[data-speaking] .dot {
          animation: none;
        }
      }
      nt-person-volume {
        flex-basis: 100%;
      }
      button.link {
        margin-left: auto;
        min-width: 44px;
        min-height: 44px;
        padding: 0 0.25rem;
        border: 0;
        background: none;
        color: var(--nt-muted);
        text-decoration: underline;
        font: inherit;
        font-size: 0.8rem;
        cursor: pointer;
      }
    `,
  ];

  @property({ attribute: false }) people: readonly NearbyPerson[] = [];
  @property({ attribute: false }) unreachable: readonly UnreachablePeer[] = [];
  /** Why the TURN server did not help us reach them, if it is the reason. */
  @property({ attribute: false }) turnTrouble: TurnTrouble | null = null;
  /** We are in voice: the people we hear get a volume slider. */
  @property({ attribute: false }) isVoiceOn = false;
  /** People this person blocked, each with "Unblock". */
  @property({ attribute: false }) blocked: readonly BlockedPersonView[] = [];
  @query('nt-safety-dialog') private dialog!: NtSafetyDialog | null;

  override render() {
    return html`
      <h3>People nearby</h3>
      <ul aria-label="Nearby">
        ${repeat(
          this.people,
          (person) => person.key,
          (person) => html`<li data-speaking=${person.isSpeaking ? 'true' : nothing}>
            <span class="name">${person.username}</span>
            <span class="distance">${person.distanceLabel}</span>
            ${person.isDirect ? nothing : html`<span class="via">(through others)</span>`}
            ${person.isInVoice ? this.renderVoice(person) : nothing}
            <button type="button" class="link" @click=${() => void this.dialog?.askBlock(person.key, person.username)}>Block ${person.username}</button>
          </li>`,
        )}
      </ul>
      ${this.people.length === 0
        ? html`<p class="hint">Nobody in range yet — widen your radius to reach more people.</p>`
        : nothing}
      <nt-unreachable .unreachable=${this.unreachable} .turnTrouble=${this.turnTrouble}></nt-unreachable>
      ${this.blocked.length === 0 ? nothing : this.renderBlocked()}
      <nt-safety-dialog></nt-safety-dialog>
    `;
  }

  private renderBlocked() {
    return html`<h3 id="blocked-heading">Blocked people</h3>
      <ul aria-labelledby="blocked-heading">
        ${repeat(
          this.blocked,
          (person) => person.key,
          (person) => html`<li>
            <span class="name">${person.username}</span>
            <button type="button" class="link" @click=${() => this.dispatchEvent(new UiActionEvent({ kind: 'unblock', key: person.key }))}>
              Unblock<span class="visually-hidden"> ${person.username}</span>
            </button>
          </li>`,
        )}
      </ul>`;
  }

  private renderVoice(person: NearbyPerson) {
    return html`<span class="voice"
        ><span class="dot" aria-hidden="true"></span>in voice${person.isSpeaking
          ? html`<span class="visually-hidden">, speaking</span>`
          : nothing}</span
      >
      ${this.isVoiceOn && person.isHeard
        ? html`<nt-person-volume
            .personKey=${person.key}
            .username=${person.username}
            .volume=${person.volume}
          ></nt-person-volume>`
        : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-nearby': NtNearby;
  }
}
