/**
 * Telling why a TURN server failed us, from the browser's `icecandidateerror` events
 * (STUN/TURN error codes, RFC 8489 and RFC 8656, plus WebRTC's 701 for no answer), so
 * the app can say "could not reach people through the TURN server" instead of waiting
 * in silence.
 */

/** `refused`: the server turned our credentials down (wrong, or expired); `unreachable`: it never answered. */
export type TurnTrouble = 'refused' | 'unreachable';

/** Codes a TURN server answers when it will not let us in. */
const REFUSAL_CODES: ReadonlySet<number> = new Set([
  401, // Unauthorized: bad username or password (a wrong secret, or an expired timestamp)
  403, // Forbidden
  437, // Allocation Mismatch
  441, // Wrong Credentials
  486, // Allocation Quota Reached
]);

/** WebRTC's code for a server that did not answer (or could not be resolved). */
const NO_ANSWER_CODE = 701;

/**
 * What an ICE candidate error says about a TURN server: null when the error is about
 * something else (a STUN server, or an error that does not stop the allocation).
 */
export function classifyIceCandidateError(url: string, errorCode: number): TurnTrouble | null {
  if (!/^turns?:/.test(url)) return null;
  if (REFUSAL_CODES.has(errorCode)) return 'refused';
  if (errorCode === NO_ANSWER_CODE) return 'unreachable';
  return null;
}
