/**
 * Frames peers exchange over the chat data channel (never through the relay), and
 * their parser. Presence (who I am, where, my radius) is signed with the session key
 * and bound to the link's two relay ids, so a claim cannot be replayed on another link.
 */

import { isMessageId, isPublicKey, isSignature, parseChatMessage, type ChatMessage, type DropReason } from './chat-message.ts';
import { parseFlag, type Flag } from './flag.ts';
import { isJsonObject, parseJson, type JsonValue } from './json.ts';
import { isPeerId, type PeerId } from './protocol.ts';
import { parseSharedPosition, type Position } from './position.ts';
import { parseProofOfWork, type ProofOfWork } from './proof-of-work.ts';
import { checkUsername } from './username.ts';
import { isValidRadius } from './visibility.ts';

/**
 * Version of the peer frames; a peer ignores presence of another version, so it never
 * links to a peer of another version. 2: proofs of work in presence and messages; flags.
 */
export const PEER_PROTOCOL_VERSION = 2;
/** Largest data-channel frame a peer accepts, in bytes (UTF-16 code units as a bound). */
export const MAX_PEER_FRAME_CHARS = 64 * 1024;
/** Most messages in one `history` frame; longer histories are sent in several frames. */
export const MAX_HISTORY_CHUNK = 20;
/** Most ids in one `have` or `want` frame (about 5 KB). */
export const MAX_IDS_PER_FRAME = 200;
/** Most entries in one `peers` frame. */
export const MAX_PEERS_PER_FRAME = 32;

/**
 * Another peer one of our neighbours is linked to, as that neighbour describes it: its
 * relay id (to dial it), where it is and its radius, and whether it is in voice. Hearsay:
 * used only to choose whom to dial; the link itself brings the signed claim.
 */
export interface PeerHint {
  readonly id: PeerId;
  readonly position: Position;
  readonly radiusM: number;
  readonly inVoice: boolean;
}

/** What a peer says about itself. `seq` grows with every update, so old claims lose. */
export interface PresenceClaim {
  readonly key: string;
  readonly seq: number;
  readonly username: string;
  readonly position: Position;
  readonly radiusM: number;
  /** In voice: wants to exchange audio with the nearest people in range. */
  readonly inVoice: boolean;
  /** The key's proof of work (app/core/proof-of-work.ts), valid when the claim is received. */
  readonly pow: ProofOfWork;
  readonly signature: string;
}

export type PeerFrame =
  | { readonly type: 'presence'; readonly v: number; readonly presence: PresenceClaim }
  | { readonly type: 'chat'; readonly message: ChatMessage }
  /** Inbound items are raw: each is parsed and checked on its own, so one bad item spoils only itself. */
  | { readonly type: 'history'; readonly messages: readonly (JsonValue | ChatMessage)[] }
  | { readonly type: 'negotiate'; readonly data: JsonValue }
  /** "I hold these messages, and they may matter to you": the receiver pulls the ones it lacks. */
  | { readonly type: 'have'; readonly ids: readonly string[] }
  /** "Send me these": answered with the bodies, in `history` frames. */
  | { readonly type: 'want'; readonly ids: readonly string[] }
  /** Peers the sender is linked to that the receiver may see (so it can choose whom to dial). */
  | { readonly type: 'peers'; readonly peers: readonly PeerHint[] }
  /** A signed flag on a message (app/core/flag.ts), passed on like the message. */
  | { readonly type: 'flag'; readonly flag: Flag };

/**
 * The exact text a presence claim signs: the claim and the link it is made on (the
 * sender's relay id, then the receiver's), so it is worthless on any other link.
 */
export function presencePayload(claim: Omit<PresenceClaim, 'signature' | 'pow'>, fromRelayId: string, toRelayId: string): string {
  return JSON.stringify([
    'presence',
    PEER_PROTOCOL_VERSION,
    fromRelayId,
    toRelayId,
    claim.key,
    claim.seq,
    claim.username,
    claim.position.lat,
    claim.position.lon,
    claim.radiusM,
    claim.inVoice,
  ]);
}

/** A parsed frame, or why it was dropped. Garbage is counted as `malformed`. */
export type PeerFrameResult = { readonly ok: true; readonly frame: PeerFrame } | { readonly ok: false; readonly reason: DropReason };

const drop = (reason: DropReason): PeerFrameResult => ({ ok: false, reason });

/** Parses one data-channel frame. Never throws. */
export function parsePeerFrame(text: unknown): PeerFrameResult {
  if (typeof text !== 'string') return drop('malformed');
  if (text.length > MAX_PEER_FRAME_CHARS) return drop('too-long');
  const value = parseJson(text);
  if (!isJsonObject(value)) return drop('malformed');
  switch (value['type']) {
    case 'presence': {
      if (value['v'] !== PEER_PROTOCOL_VERSION) return drop('malformed');
      const presence = parsePresence(value['presence']);
      return presence === null ? drop('malformed') : { ok: true, frame: { type: 'presence', v: PEER_PROTOCOL_VERSION, presence } };
    }
    case 'chat': {
      const message = parseChatMessage(value['message']);
      return typeof message === 'string' ? drop(message) : { ok: true, frame: { type: 'chat', message } };
    }
    case 'history': {
      const items = value['messages'];
      if (!Array.isArray(items) || items.length > MAX_HISTORY_CHUNK) return drop('malformed');
      return { ok: true, frame: { type: 'history', messages: items } };
    }
    case 'negotiate': {
      const data = value['data'];
      return data === undefined ? drop('malformed') : { ok: true, frame: { type: 'negotiate', data } };
    }
    case 'have':
    case 'want': {
      const ids = value['ids'];
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_IDS_PER_FRAME || !ids.every(isMessageId)) return drop('malformed');
      return { ok: true, frame: { type: value['type'], ids } };
    }
    case 'peers': {
      const items = value['peers'];
      if (!Array.isArray(items) || items.length > MAX_PEERS_PER_FRAME) return drop('malformed');
      const peers: PeerHint[] = [];
      for (const item of items) {
        const hint = parsePeerHint(item);
        if (hint === null) return drop('malformed');
        peers.push(hint);
      }
      return { ok: true, frame: { type: 'peers', peers } };
    }
    case 'flag': {
      const flag = parseFlag(value['flag']);
      return flag === null ? drop('flag-malformed') : { ok: true, frame: { type: 'flag', flag } };
    }
    default:
      return drop('malformed');
  }
}

function parsePeerHint(value: JsonValue): PeerHint | null {
  if (!isJsonObject(value)) return null;
  const { id, position, radiusM, inVoice } = value;
  if (!isPeerId(id)) return null;
  if (!isValidRadius(radiusM) || typeof inVoice !== 'boolean') return null;
  const shared = parseSharedPosition(position);
  return shared === null ? null : { id, position: shared, radiusM, inVoice };
}

function parsePresence(value: JsonValue | undefined): PresenceClaim | null {
  if (!isJsonObject(value)) return null;
  const { key, seq, username, position, radiusM, inVoice, signature } = value;
  if (!isPublicKey(key) || !isSignature(signature)) return null;
  const pow = parseProofOfWork(value['pow']);
  if (pow === null) return null;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return null;
  if (typeof inVoice !== 'boolean') return null;
  if (!isValidRadius(radiusM)) return null;
  const shared = parseSharedPosition(position);
  if (shared === null) return null;
  const name = checkUsername(username);
  if (!name.ok || name.username !== username) return null;
  return { key, seq, username: name.username, position: shared, radiusM, inVoice, pow, signature };
}
