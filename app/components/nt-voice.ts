/**
 * The voice bar under the composer: join or leave, mute, how loud by distance, and a
 * refused or lost microphone explained with the one-tap way back. Chat never waits on it.
 */

import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { VOICE_OFF, type NearbyPerson, type VoiceState } from '../session/session-state.ts';
import { sharedStyles } from './shared-styles.ts';
import { UiActionEvent } from './ui-action.ts';

/** Who can be heard once in voice ("2 people nearby are in voice"), or who is heard now. */
function voicesText(people: readonly NearbyPerson[], isOn: boolean): string {
  const count = people.filter((person) => (isOn ? person.isHeard : person.isInVoice)).length;
  if (count === 0) return 'Nobody nearby is in voice yet.';
  const who = `${count} ${count === 1 ? 'person' : 'people'} nearby`;
  return isOn ? `You hear ${who}.` : `${who} ${count === 1 ? 'is' : 'are'} in voice.`;
}

/** Why the microphone is gone and how to get it back; the button under it is the way back. */
const PROBLEMS = {
  'mic-denied': html`<p class="error">The microphone is blocked.</p>
    <p>
      To talk, allow it: open the site settings (the icon at the left of the address bar), set
      <strong>Microphone</strong> to <strong>Allow</strong>, then join voice again.
    </p>`,
  'mic-unavailable': html`<p class="error">No microphone could be started.</p><p>Check that one is connected and free, then join voice again.</p>`,
  'mic-lost': html`<p class="error">The microphone stopped (the app was in the background?)</p>
    <p>Join voice again to keep talking.</p>`,
} as const;

@customElement('nt-voice')
export class NtVoice extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .bar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 0.75rem;
      }
      button.secondary {
        background: transparent;
        color: var(--nt-accent);
      }
      button[aria-disabled='true'] {
        cursor: progress;
        opacity: 0.7;
      }
      label {
        display: inline-flex;
        align-items: center;
        gap: 0.4rem;
        min-height: 2.75rem;
        cursor: pointer;
      }
      input {
        margin: 0;
        accent-color: var(--nt-accent);
      }
      p {
        margin: 0;
      }
      .voices {
        font-size: 0.875rem;
      }
      .problem {
        margin: 0 0 0.5rem;
        padding: 0.5rem 0.75rem;
        border: 1px solid var(--nt-error);
        border-radius: 0.5rem;
      }
    `,
  ];

  @property({ attribute: false }) voice: VoiceState = VOICE_OFF;
  /** Who is nearby, to say whether anyone can be heard. */
  @property({ attribute: false }) people: readonly NearbyPerson[] = [];

  @query('button') private mainButton!: HTMLButtonElement | null;
  /** Focus was on a control of this bar before the update (it may have gone with it). */
  private hadFocus = false;

  override render() {
    const { status, isMuted } = this.voice;
    const isOn = status === 'on';
    const isStarting = status === 'starting';
    const problem = status === 'mic-denied' || status === 'mic-unavailable' || status === 'mic-lost' ? PROBLEMS[status] : null;
    return html`
      ${problem === null ? nothing : html`<div class="problem" role="alert">${problem}</div>`}
      <div class="bar" role="group" aria-label="Voice">
        <button
          type="button"
          class=${isOn ? 'secondary' : ''}
          aria-disabled=${isStarting ? 'true' : nothing}
          aria-busy=${isStarting ? 'true' : nothing}
          @click=${this.onJoinOrLeave}
        >
          ${isOn ? 'Leave voice' : isStarting ? 'Joining voice…' : 'Join voice'}
        </button>
        ${isOn
          ? html`<button type="button" class=${isMuted ? '' : 'secondary'} @click=${this.onMute}>
                ${isMuted ? 'Unmute' : 'Mute'}
              </button>
              <label>
                <input
                  type="checkbox"
                  .checked=${live(this.voice.isDistanceVolumeOn)}
                  @change=${this.onDistanceVolume}
                />Quieter with distance
              </label>`
          : nothing}
        <p class="voices hint">${isOn && isMuted ? 'Your microphone is muted. ' : ''}${voicesText(this.people, isOn)}</p>
      </div>
    `;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    this.hadFocus = this.shadowRoot?.activeElement != null;
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    // Losing the microphone removes Mute: focus goes to the way back rather than the page.
    if (this.hadFocus && this.shadowRoot?.activeElement == null) this.mainButton?.focus();
  }

  private onJoinOrLeave(): void {
    const { status } = this.voice;
    if (status === 'starting') return;
    this.dispatchEvent(new UiActionEvent({ kind: status === 'on' ? 'leave-voice' : 'join-voice' }));
  }

  private onMute(): void {
    this.dispatchEvent(new UiActionEvent({ kind: 'set-muted', isMuted: !this.voice.isMuted }));
  }

  private onDistanceVolume(event: Event): void {
    const isOn = event.target instanceof HTMLInputElement && event.target.checked;
    this.dispatchEvent(new UiActionEvent({ kind: 'set-distance-volume', isOn }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'nt-voice': NtVoice;
  }
}
