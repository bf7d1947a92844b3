/**
 * What peers put in a relay `signal` (or an in-band `negotiate` frame): a session
 * description, an ICE candidate, a refusal because the receiver has no room, or a knock
 * (a request to be dialed). Parsed field by field like every other input.
 */

import { isJsonObject, type JsonValue } from './json.ts';

/** Longest SDP accepted; real ones are a few kilobytes. */
const MAX_SDP_CHARS = 12 * 1024;
const MAX_CANDIDATE_CHARS = 1024;

export type LinkSignal =
  | { readonly kind: 'description'; readonly type: 'offer' | 'answer'; readonly sdp: string }
  | {
      readonly kind: 'candidate';
      readonly candidate: string;
      readonly sdpMid: string | null;
      readonly sdpMLineIndex: number | null;
      readonly usernameFragment: string | null;
    }
  /** "I have no room for another link": the dialer tries someone else. */
  | { readonly kind: 'busy' }
  /**
   * "Please dial me": sent by the peer with the larger relay id, which does not make the
   * first offer to a peer with a smaller one (see DIAL_YIELD_MS in app/net/mesh.ts). The
   * receiver dials at once if it has room, else answers busy. Peers that predate it
   * ignore it, and the knocker dials itself once its yield is over.
   */
  | { readonly kind: 'knock' };

/** The JSON form of a signal. */
export function encodeLinkSignal(signal: LinkSignal): JsonValue {
  switch (signal.kind) {
    case 'description':
      return { description: { type: signal.type, sdp: signal.sdp } };
    case 'candidate':
      return {
        candidate: {
          candidate: signal.candidate,
          sdpMid: signal.sdpMid,
          sdpMLineIndex: signal.sdpMLineIndex,
          usernameFragment: signal.usernameFragment,
        },
      };
    case 'busy':
      return { busy: true };
    case 'knock':
      return { knock: true };
    default:
      return signal satisfies never;
  }
}

/** Parses a signal; null for anything else. */
export function parseLinkSignal(value: JsonValue): LinkSignal | null {
  if (!isJsonObject(value)) return null;
  if (value['busy'] === true) return { kind: 'busy' };
  if (value['knock'] === true) return { kind: 'knock' };
  const description = value['description'];
  if (isJsonObject(description)) {
    const { type, sdp } = description;
    if ((type !== 'offer' && type !== 'answer') || typeof sdp !== 'string' || sdp.length > MAX_SDP_CHARS) return null;
    return { kind: 'description', type, sdp };
  }
  const candidate = value['candidate'];
  if (isJsonObject(candidate)) {
    const text = candidate['candidate'];
    const mid = candidate['sdpMid'] ?? null;
    const index = candidate['sdpMLineIndex'] ?? null;
    const fragment = candidate['usernameFragment'] ?? null;
    if (typeof text !== 'string' || text.length > MAX_CANDIDATE_CHARS) return null;
    if (mid !== null && (typeof mid !== 'string' || mid.length > 64)) return null;
    if (index !== null && (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index > 64)) return null;
    if (fragment !== null && (typeof fragment !== 'string' || fragment.length > 256)) return null;
    return { kind: 'candidate', candidate: text, sdpMid: mid, sdpMLineIndex: index, usernameFragment: fragment };
  }
  return null;
}
