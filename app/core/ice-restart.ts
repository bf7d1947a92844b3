/**
 * When a link whose ICE connection went `disconnected` or `failed` restarts ICE, and when
 * it is given up. A phone that walks from Wi-Fi to mobile data, or sleeps, breaks every
 * candidate pair; an ICE restart (new credentials, new candidates, the same
 * RTCPeerConnection and data channel) brings the link back in about a round trip, where
 * giving up and dialing again costs a new connection and, today, a 60 s hold-off.
 */

/** ICE connection states as RTCPeerConnection reports them. */
export type IceState = 'new' | 'checking' | 'connected' | 'completed' | 'disconnected' | 'failed' | 'closed';

/** Most ICE restarts tried for one outage before the link is given up. */
export const MAX_ICE_RESTARTS = 3;
/** A restart that has not brought ICE back by then is followed by the next one, or the link is given up (ms). */
export const ICE_RESTART_RETRY_MS = 5_000;
/**
 * The polite side of a link waits this long (ms) before restarting by itself: the
 * impolite side restarts at once, and two offers crossing would cost a rollback.
 */
export const POLITE_RESTART_DELAY_MS = 1_500;

export interface IceRestartInput {
  readonly iceState: IceState;
  /** The link had opened (a link still connecting times out instead). */
  readonly wasOpen: boolean;
  /** Restarts already tried since ICE was last connected. */
  readonly restartsTried: number;
  readonly isPolite: boolean;
}

/** What to do about ICE now: nothing, restart after `delayMs`, or give the link up. */
export type IceRestartDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'restart'; readonly delayMs: number }
  | { readonly kind: 'give-up' };

/** Decides on every ICE state change (and when a restart's retry time comes). */
export function decideIceRestart(input: IceRestartInput): IceRestartDecision {
  const { iceState, wasOpen, restartsTried, isPolite } = input;
  if (iceState !== 'disconnected' && iceState !== 'failed') return { kind: 'none' };
  if (!wasOpen) return iceState === 'failed' ? { kind: 'give-up' } : { kind: 'none' };
  // Restarts are spaced by the caller's check ICE_RESTART_RETRY_MS after each one.
  if (restartsTried >= MAX_ICE_RESTARTS) return { kind: 'give-up' };
  return { kind: 'restart', delayMs: restartsTried === 0 && isPolite ? POLITE_RESTART_DELAY_MS : 0 };
}

/** The two roads a link's negotiation can take: the relay, or the link's own data channel. */
export type SignalRoad = 'relay' | 'channel';

/**
 * Whether a link's negotiation signals go through the relay. While ICE is down the data
 * channel still says "open" but carries nothing, so an ICE restart's offer must take the
 * other road. The other side may not have noticed yet (engines notice at their own pace:
 * Firefox can say "connected" for many seconds after Chromium said "disconnected"), so an
 * offer that came through the relay on an open link (`offerRoad`) is answered through the
 * relay too, until ICE is connected again. Otherwise an open link negotiates in-band.
 */
export function signalsViaRelay(iceState: IceState, isChannelOpen: boolean, offerRoad: SignalRoad | null = null): boolean {
  if (!isChannelOpen) return true;
  if (offerRoad === 'relay') return true;
  return iceState === 'disconnected' || iceState === 'failed';
}
