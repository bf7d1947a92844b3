/**
 * What a component asks for: the one event every NearTalk component dispatches. It
 * bubbles (composed, through shadow roots) up to nt-app, whose session controller
 * performs it. The event is cancelable: the controller cancels it when the session
 * refuses the action, so a form can keep what the person typed.
 */

import type { FlagReason } from '../core/flag.ts';

export type UiAction =
  | { readonly kind: 'request-location' }
  | { readonly kind: 'set-username'; readonly name: string }
  | { readonly kind: 'set-radius'; readonly radiusM: number }
  | { readonly kind: 'send'; readonly text: string }
  | { readonly kind: 'join-voice' }
  | { readonly kind: 'leave-voice' }
  | { readonly kind: 'set-muted'; readonly isMuted: boolean }
  /** `volume` is 0..1. */
  | { readonly kind: 'set-person-volume'; readonly key: string; readonly volume: number }
  | { readonly kind: 'set-distance-volume'; readonly isOn: boolean }
  /** Drop this identity now and become someone new (confirmed by the person first). */
  | { readonly kind: 'start-fresh' }
  | { readonly kind: 'block'; readonly key: string; readonly username: string }
  | { readonly kind: 'unblock'; readonly key: string }
  | { readonly kind: 'hide-message'; readonly id: string }
  | { readonly kind: 'set-show-hidden'; readonly isShowing: boolean }
  | { readonly kind: 'flag-message'; readonly id: string; readonly reason: FlagReason }
  | { readonly kind: 'reveal-message'; readonly id: string };

export class UiActionEvent extends Event {
  static readonly eventName = 'nt-action';
  readonly action: UiAction;

  constructor(action: UiAction) {
    super(UiActionEvent.eventName, { bubbles: true, composed: true, cancelable: true });
    this.action = action;
  }
}

declare global {
  interface HTMLElementEventMap {
    'nt-action': UiActionEvent;
  }
}
