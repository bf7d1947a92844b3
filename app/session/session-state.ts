/**
 * What the UI shows and what it can ask for: the seam between the Lit components
 * (render and dispatch only) and the session logic (geolocation, relay, mesh, chat).
 * Components read a `SessionState` snapshot and call `SessionActions`; nothing else.
 */

import type { DropReason } from '../core/chat-message.ts';
import type { FlagReason } from '../core/flag.ts';
import type { PeerSupport } from '../core/peer-support.ts';
import type { TurnTrouble } from '../core/turn-trouble.ts';

/** Where a person is in the flow. */
export type SessionPhase =
  /** First screen: why NearTalk needs location, and a button to allow it. */
  | 'intro'
  /** Waiting for the browser's answer or the first fix. */
  | 'locating'
  /** Location permission refused: what to do, and a retry. */
  | 'location-denied'
  /** No position could be had (no signal, timeout, no Geolocation API): a retry. */
  | 'location-unavailable'
  /** Position known: choose a username. */
  | 'username'
  /** In the chat. */
  | 'chat';

/** The relay connection, as a person should understand it. */
export type RelayStatus = 'connecting' | 'connected' | 'reconnecting';

export interface NearbyPerson {
  /** Stable key for rendering: the peer's session key. */
  readonly key: string;
  readonly username: string;
  /** "~300 m" */
  readonly distanceLabel: string;
  /** The same distance in metres, rounded to its 50 m band (the radar draws it). */
  readonly distanceBandM: number;
  /** False when their messages reach us through others (no direct link). */
  readonly isDirect: boolean;
  /** They are in voice. */
  readonly isInVoice: boolean;
  /** We exchange audio with them now (both in voice, in range, among the nearest K). */
  readonly isHeard: boolean;
  /** Their received audio is above the speaking threshold right now. */
  readonly isSpeaking: boolean;
  /** Our playback volume for them, 0..1 (1 by default), before distance attenuation. */
  readonly volume: number;
}

/**
 * Our own voice: off; starting (asking for the microphone); on; or the microphone was
 * refused, could not be started (none, or busy), or was lost (a phone backgrounding the
 * app stops it): each offers `joinVoice()` again.
 */
export type VoiceStatus = 'off' | 'starting' | 'on' | 'mic-denied' | 'mic-unavailable' | 'mic-lost';

export interface VoiceState {
  readonly status: VoiceStatus;
  readonly isMuted: boolean;
  /** Playback quieter toward the edge of the range (on by default). */
  readonly isDistanceVolumeOn: boolean;
}

/** A peer we know of but could not connect to directly (ICE failed). */
export interface UnreachablePeer {
  readonly key: string;
  readonly label: string;
}

export interface ShownMessage {
  readonly id: string;
  /** The author's session key (to block them). */
  readonly authorKey: string;
  readonly username: string;
  readonly text: string;
  /** "~300 m"; "you" for one's own messages. */
  readonly distanceLabel: string;
  readonly isOwn: boolean;
  readonly sentAtMs: number;
  /** Hidden by this person ("Hide message"); listed only while hidden messages are shown. */
  readonly isHidden: boolean;
  /** Collapsed by people nearby (3 flags from identities 2 minutes old), not revealed here. */
  readonly isCollapsed: boolean;
  /** From an identity younger than 2 minutes (as this peer has seen it). */
  readonly isNew: boolean;
  /** This person flagged it. */
  readonly hasFlagged: boolean;
  /** People who sent the same text within a minute, this message standing for all (1: no fold). */
  readonly sameTextCount: number;
}

/** Someone this person blocked. */
export interface BlockedPersonView {
  readonly key: string;
  readonly username: string;
}

export interface SessionState {
  readonly phase: SessionPhase;
  readonly relay: RelayStatus;
  /**
   * Whether this browser can connect to people (WebRTC with data channels). Otherwise the
   * chat screen says so, with what to do, and nothing is sent anywhere.
   */
  readonly peerSupport: PeerSupport;
  /** Current username once chosen. */
  readonly username: string | null;
  /** Username changes still allowed this session (3 at the start). */
  readonly usernameChangesLeft: number;
  /** Why the last username (first choice or change) was refused, for the form to show. */
  readonly usernameError: string | null;
  /** Chosen radius, 100..2000 m. */
  readonly radiusM: number;
  /** People in mutual range, nearest first. */
  readonly nearby: readonly NearbyPerson[];
  /** Peers that could not be reached directly (for a small notice). */
  readonly unreachable: readonly UnreachablePeer[];
  /** Whether the TURN server is why they are unreachable (it refused us, or never answered), or null. */
  readonly turnTrouble: TurnTrouble | null;
  /** Messages of the last 30 minutes from people in range (and one's own), oldest first. */
  readonly messages: readonly ShownMessage[];
  /** Why the last send was refused (too long, rate limit), or null. */
  readonly sendError: string | null;
  /** Number of direct peer connections. */
  readonly directLinks: number;
  /** Received messages dropped, by reason (the debug panel). */
  readonly dropped: Readonly<Record<DropReason, number>>;
  readonly voice: VoiceState;
  /**
   * While our identity's proof of work is being made: the chance, 0..1, that it would be
   * found by now (a fair progress bar for a lottery); null when there is a proof.
   */
  readonly proofProgress: number | null;
  /** People blocked, in the order they were blocked. */
  readonly blocked: readonly BlockedPersonView[];
  /** Messages in view this person hid. */
  readonly hiddenCount: number;
  /** Whether hidden messages are listed ("Show hidden (N)"). */
  readonly isShowingHidden: boolean;
}

/** Voice before the person joins it. */
export const VOICE_OFF: VoiceState = { status: 'off', isMuted: false, isDistanceVolumeOn: true };

/** Dropped-message counters before anything was dropped. */
export const NO_DROPS: Readonly<Record<DropReason, number>> = {
  malformed: 0,
  'bad-signature': 0,
  'too-long': 0,
  future: 0,
  expired: 0,
  'out-of-range': 0,
  'rate-limited': 0,
  'username-changes': 0,
  'stale-presence': 0,
  'no-proof': 0,
  unannounced: 0,
  'flag-malformed': 0,
  'flag-forged': 0,
  'flag-unknown-message': 0,
  'flag-no-proof': 0,
  'flag-rate-limited': 0,
  'flag-expired': 0,
};

export interface SessionActions {
  /** Ask for location (intro button, and retry from denied/unavailable). */
  requestLocation(): void;
  /** Choose the username (first time) or change it. */
  setUsername(name: string): void;
  /** Change the radius, in metres (100..2000). */
  setRadius(radiusM: number): void;
  /** Send a chat message. */
  send(text: string): void;
  /** Join voice (also the retry after the microphone was refused or lost). */
  joinVoice(): void;
  /** Leave voice: tracks removed, microphone released. */
  leaveVoice(): void;
  /** Mute or unmute our microphone (no audio energy is sent while muted). */
  setMuted(isMuted: boolean): void;
  /** Our playback volume for one person, 0..1. */
  setPersonVolume(key: string, volume: number): void;
  /** Turn distance attenuation on or off. */
  setDistanceVolume(isOn: boolean): void;
  /** Forget this identity (key, name, name changes) now and start again as someone new. */
  startFresh(): void;
  /** Block a person: their messages vanish, no link to them; they are not told. */
  block(key: string, username: string): void;
  unblock(key: string): void;
  /** Hide one message, for this person only. */
  hideMessage(id: string): void;
  /** List hidden messages again (true) or not. */
  setShowHidden(isShowing: boolean): void;
  /** Flag a message (spam, harassment, other) to the people in range. */
  flagMessage(id: string, reason: FlagReason): void;
  /** Show a message collapsed by people nearby, for this person. */
  revealMessage(id: string): void;
}

/** A session as components see it: a state to render, actions, and change notification. */
export interface SessionView extends SessionActions {
  readonly state: SessionState;
  /** Calls `listener` after every state change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** Stops everything the session runs (relay, links, timers, location). */
  dispose(): void;
}
