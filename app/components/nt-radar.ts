/**
 * The radar: who is in range as dots on distance rings, our radius the outer ring. The
 * layout (bands, random bearings) is `app/core/radar-layout.ts`; this only draws it.
 */

import { css, html, LitElement, nothing, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { radarDots, ringDistancesM } from '../core/radar-layout.ts';
import type { NearbyPerson } from '../session/session-state.ts';
import { formatRadius } from './nt-radius.ts';
import { sharedStyles } from './shared-styles.ts';

/** Drawing units from the centre to the outer ring; the view box leaves room for labels. */
const R = 100;
const NAME_CHARS = 12;

function shortName(name: string): string {
  return name.length > NAME_CHARS ? `${name.slice(0, NAME_CHARS - 1)}…` : name;
}

function radarLabel(count: number, radiusM: number): string {
  const who = count === 0 ? 'nobody' : `${count} ${count === 1 ? 'person' : 'people'}`;
  return `Radar: ${who} within ${formatRadius(radiusM)}`;
}

@customElement('nt-radar')
export class NtRadar extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      svg {
        display: block;
        width: 100%;
        max-width: 18rem;
        margin: 0 auto;
        overflow: visible;
      }
      .ring {
        fill: none;
        stroke: var(--nt-border);
        stroke-width: 1;
      }
      .ring.outer {
        stroke: var(--nt-muted);
      }
      text {
        font-size: 9px;
        fill: var(--nt-muted);
      }
      .name {
        font-size: 10px;
        font-weight: 600;
        fill: var(--nt-fg);
        paint-order: stroke;
        stroke: var(--nt-bg);
        stroke-width: 3px;
      }
      .you {
        fill: var(--nt-fg);
      }
      .dot {
        fill: var(--nt-accent);
      }
      [data-speaking] .dot {
        fill: var(--nt-ok);
      }
      .pulse {
        display: none;
        fill: none;
        stroke: var(--nt-ok);
        stroke-width: 2;
        transform-box: fill-box;
        transform-origin: center;
      }
      [data-speaking] .pulse {
        display: inline;
        animation: pulse 1.2s ease-out infinite;
      }
      @keyframes pulse {
        from {
          transform: scale(0.6);
          opacity: 1;
        }
        to {
          transform: scale(1.6);
          opacity: 0;
        }
      }
      /* Still marked as speaking (a ring), without the movement. */
      @media (prefers-reduced-motion: reduce) {
        [data-speaking] .pulse {
          animation: none;
        }
      }
      p {
        margin: 0.25rem 0 0;
        font-size: 0.875rem;
      }
    `,
  ];

  @property({ attribute: false }) people: readonly NearbyPerson[] = [];
  @property({ attribute: false }) radiusM = 500;
  /** This session's bearing seed. */
  @property({ attribute: false }) salt = '';

  override render() {
    const rings = ringDistancesM(this.radiusM);
    const people = new Map(this.people.map((person) => [person.key, person]));
    const dots = radarDots(
      this.people.map((person) => ({ key: person.key, distanceM: person.distanceBandM })),
      this.radiusM,
      this.salt,
    );
    return html`
      <svg viewBox="-112 -112 224 224" role="img" aria-label=${radarLabel(dots.length, this.radiusM)}>
        ${rings.map((distanceM) => {
          const r = (distanceM / this.radiusM) * R;
          return svg`<circle class="ring ${distanceM === this.radiusM ? 'outer' : ''}" r=${r}></circle>
            <text x="0" y=${-r + 10} text-anchor="middle">${formatRadius(distanceM)}</text>`;
        })}
        <circle class="you" r="3.5"></circle>
        ${repeat(
          dots,
          (dot) => dot.key,
          (dot) => {
            const person = people.get(dot.key);
            const x = dot.x * R;
            const y = dot.y * R;
            const isRight = dot.x > 0.35;
            return svg`<g data-person=${dot.key} data-speaking=${person?.isSpeaking === true ? 'true' : nothing}>
              <circle class="pulse" cx=${x} cy=${y} r="9"></circle>
              <circle class="dot" cx=${x} cy=${y} r="5.5"></circle>
              <text class="name" x=${isRight ? x - 8 : x + 8} y=${y + 3.5} text-anchor=${isRight ? 'end' : 'start'}>${shortName(person?.username ?? '')}</text>
            </g>`;
          },
        )}
      </svg>
      <p class="hint">Each dot sits at its distance, in a random direction: NearTalk never shows where people are.</p>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-radar': NtRadar;
  }
}
