/**
 * Connects a Lit host to a session: subscribes while the host is in the document,
 * re-renders it on every state change, and performs the actions its components dispatch.
 */

import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { UiAction } from '../components/ui-action.ts';
import type { SessionState, SessionView } from '../session/session-state.ts';

export class SessionController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private session: SessionView | null = null;
  private unsubscribe: (() => void) | null = null;
  private isHostConnected = false;

  constructor(host: ReactiveControllerHost) {
    this.host = host;
    host.addController(this);
  }

  /** The attached session, or null. */
  get view(): SessionView | null {
    return this.session;
  }

  /** The state to render, or null while no session is attached. */
  get state(): SessionState | null {
    return this.session?.state ?? null;
  }

  /** Switches to `session` (or none); safe before, during and after the host is connected. */
  attach(session: SessionView | null): void {
    if (session === this.session) return;
    this.release();
    this.session = session;
    if (this.isHostConnected) this.acquire();
    this.host.requestUpdate();
  }

  hostConnected(): void {
    this.isHostConnected = true;
    this.acquire();
  }

  hostDisconnected(): void {
    this.isHostConnected = false;
    this.release();
  }

  /**
   * Performs `action`; false when the session refused it (its state then carries the
   * reason), so the form that asked can keep the person's input.
   */
  perform(action: UiAction): boolean {
    const session = this.session;
    if (session === null) return false;
    switch (action.kind) {
      case 'request-location':
        session.requestLocation();
        return true;
      case 'set-username':
        session.setUsername(action.name);
        return session.state.usernameError === null;
      case 'set-radius':
        session.setRadius(action.radiusM);
        return true;
      case 'send':
        session.send(action.text);
        return session.state.sendError === null;
      // Voice outcomes (a refused or lost microphone) are states the voice bar shows.
      case 'join-voice':
        session.joinVoice();
        return true;
      case 'leave-voice':
        session.leaveVoice();
        return true;
      case 'set-muted':
        session.setMuted(action.isMuted);
        return true;
      case 'set-person-volume':
        session.setPersonVolume(action.key, action.volume);
        return true;
      case 'set-distance-volume':
        session.setDistanceVolume(action.isOn);
        return true;
      case 'start-fresh':
        session.startFresh();
        return true;
      case 'block':
        session.block(action.key, action.username);
        return true;
      case 'unblock':
        session.unblock(action.key);
        return true;
      case 'hide-message':
        session.hideMessage(action.id);
        return true;
      case 'set-show-hidden':
        session.setShowHidden(action.isShowing);
        return true;
      case 'flag-message':
        session.flagMessage(action.id, action.reason);
        return session.state.sendError === null;
      case 'reveal-message':
        session.revealMessage(action.id);
        return true;
      default: {
        const unknownAction: never = action;
        throw new Error(`unknown UI action ${JSON.stringify(unknownAction)}`);
      }
    }
  }

  private acquire(): void {
    if (this.session === null || this.unsubscribe !== null) return;
    this.unsubscribe = this.session.subscribe(() => this.host.requestUpdate());
    // The state may have moved on while the host was out of the document.
    this.host.requestUpdate();
  }

  private release(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}
