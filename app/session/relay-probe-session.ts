/**
 * A stand-in session until the real one lands: it stays on the intro screen and reports
 * only whether the relay answers (`watchRelay`). Its actions do nothing yet.
 */

import type { DropReason } from '../core/chat-message.ts';
import { DEFAULT_RADIUS_M } from '../core/visibility.ts';
import { watchRelay } from './relay-status-probe.ts';
import type { SessionState, SessionView } from './session-state.ts';

const NO_DROPS = {
  malformed: 0,
  'bad-signature': 0,
  'too-long': 0,
  future: 0,
  expired: 0,
  'out-of-range': 0,
  'rate-limited': 0,
  'username-changes': 0,
} as const satisfies Record<DropReason, number>;

export interface RelayProbeSession extends SessionView {
  /** Stops watching the relay. */
  dispose(): void;
}

export function createRelayProbeSession(relayUrl: string): RelayProbeSession {
  const listeners = new Set<() => void>();
  let state: SessionState = {
    phase: 'intro',
    relay: 'connecting',
    username: null,
    usernameChangesLeft: 3,
    usernameError: null,
    radiusM: DEFAULT_RADIUS_M,
    nearby: [],
    unreachable: [],
    messages: [],
    sendError: null,
    directLinks: 0,
    dropped: NO_DROPS,
  };
  const stop = watchRelay(relayUrl, (relay) => {
    state = { ...state, relay };
    for (const listener of [...listeners]) listener();
  });
  const ignore = (): void => {};
  return {
    get state() {
      return state;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    requestLocation: ignore,
    setUsername: ignore,
    setRadius: ignore,
    send: ignore,
    dispose: stop,
  };
}
