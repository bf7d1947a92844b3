/**
 * A pretend session for `?demo`: in-memory state and timers that walk through every
 * screen without geolocation, relay or peers, so a person or a test can see the whole UI.
 * `?demo=denied` and `?demo=unavailable` end the location step in those states;
 * `?demo=offline` keeps the relay unreachable; `?demo=mic-denied` refuses the microphone on
 * every join, `?demo=mic-lost` loses it a few steps after the first join; `?demo=turn-refused`
 * shows the TURN server refusing us for the person we cannot reach. Used by main.ts only.
 */

import { AuthorRateLimit } from '../core/author-rate-limit.ts';
import { isSendableText, MAX_MESSAGE_CHARS, type DropReason } from '../core/chat-message.ts';
import { bandDistanceM, formatDistance } from '../core/position.ts';
import { OwnUsername } from '../core/username.ts';
import { DEFAULT_RADIUS_M, isInMutualRange, isValidRadius } from '../core/visibility.ts';
import { NO_DROPS, VOICE_OFF, type ShownMessage, type SessionState, type SessionView, type VoiceState } from './session-state.ts';

const DEMO_MODES = ['normal', 'denied', 'unavailable', 'offline', 'mic-denied', 'mic-lost', 'turn-refused'] as const;
export type DemoMode = (typeof DEMO_MODES)[number];

/** The mode named by `?demo=…`; anything unknown is the normal flow. */
export function parseDemoMode(value: string): DemoMode {
  return DEMO_MODES.find((mode) => mode === value) ?? 'normal';
}

interface FakePeer {
  readonly key: string;
  readonly username: string;
  readonly distanceM: number;
  readonly radiusM: number;
  readonly isDirect: boolean;
  readonly isInVoice: boolean;
  /** Talks whenever we hear them. */
  readonly isSpeaker: boolean;
}

/**
 * Placed so that the default 500 m shows two people, 100 m nobody, 2 km everyone. Ana and
 * Dóra are in voice, and Ana is talking.
 */
const PEOPLE: readonly FakePeer[] = [
  { key: 'demo-ana', username: 'Ana', distanceM: 180, radiusM: 1_000, isDirect: true, isInVoice: true, isSpeaker: true },
  { key: 'demo-bilal', username: 'Bilal', distanceM: 420, radiusM: 2_000, isDirect: true, isInVoice: false, isSpeaker: false },
  { key: 'demo-chen', username: 'Chen', distanceM: 760, radiusM: 1_500, isDirect: false, isInVoice: false, isSpeaker: false },
  { key: 'demo-dora', username: 'Dóra', distanceM: 1_380, radiusM: 2_000, isDirect: true, isInVoice: true, isSpeaker: false },
];
const UNREACHABLE: FakePeer = {
  key: 'demo-farid',
  username: 'Farid',
  distanceM: 310,
  radiusM: 2_000,
  isDirect: false,
  isInVoice: false,
  isSpeaker: false,
};
/** Steps after joining at which `?demo=mic-lost` loses the microphone. */
const MIC_LOST_AFTER_STEPS = 5;
/** A few pretend drops, so the debug panel has something to show. */
const DEMO_DROPS: Readonly<Record<DropReason, number>> = { ...NO_DROPS, 'bad-signature': 1, expired: 2 };
const REPLIES = ['Hi! I am by the fountain.', 'Sounds good, see you around.', 'Nice to meet someone nearby.'] as const;

interface LoggedMessage extends ShownMessage {
  /** Null for one's own messages. */
  readonly author: FakePeer | null;
}

export interface FakeSessionOptions {
  readonly mode?: DemoMode;
  /** Pause before each pretend answer (location fix, relay, replies). */
  readonly stepDelayMs?: number;
  readonly now?: () => number;
}

export class FakeSession implements SessionView {
  private readonly mode: DemoMode;
  private readonly stepDelayMs: number;
  private readonly now: () => number;
  private readonly listeners = new Set<() => void>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private ownName = new OwnUsername();
  private readonly rateLimit = new AuthorRateLimit(1);
  /** Playback volume by person, 0..1; absent is 1. */
  private readonly volumes = new Map<string, number>();
  /** Bumped by every join and leave, so a pretend answer to an older one is ignored. */
  private voiceAttempt = 0;
  private hasLostMic = false;
  private log: LoggedMessage[] = [];
  private readonly blockedPeople = new Map<string, string>();
  private readonly hiddenIds = new Set<string>();
  private readonly flaggedIds = new Set<string>();
  private nextId = 1;
  private current: SessionState;

  constructor(options: FakeSessionOptions = {}) {
    this.mode = options.mode ?? 'normal';
    this.stepDelayMs = options.stepDelayMs ?? 600;
    this.now = options.now ?? Date.now;
    this.current = {
      phase: 'intro',
      relay: 'connecting',
      peerSupport: 'supported',
      username: null,
      usernameChangesLeft: this.ownName.changesLeft,
      usernameError: null,
      radiusM: DEFAULT_RADIUS_M,
      nearby: [],
      unreachable: [],
      turnTrouble: null,
      messages: [],
      sendError: null,
      directLinks: 0,
      dropped: DEMO_DROPS,
      voice: VOICE_OFF,
      proofProgress: null,
      blocked: [],
      hiddenCount: 0,
      isShowingHidden: false,
    };
    this.later(() => this.update({ relay: this.mode === 'offline' ? 'reconnecting' : 'connected' }));
  }

  get state(): SessionState {
    return this.current;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Listeners currently subscribed (tests check that hosts release theirs). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  requestLocation(): void {
    const { phase } = this.current;
    if (phase !== 'intro' && phase !== 'location-denied' && phase !== 'location-unavailable') return;
    this.update({ phase: 'locating' });
    this.later(() => {
      if (this.mode === 'denied') this.update({ phase: 'location-denied' });
      else if (this.mode === 'unavailable') this.update({ phase: 'location-unavailable' });
      else this.update({ phase: this.ownName.current === undefined ? 'username' : 'chat' });
    });
  }

  setUsername(name: string): void {
    const { phase } = this.current;
    if (phase !== 'username' && phase !== 'chat') return;
    const result = this.ownName.set(name);
    if (!result.ok) {
      this.update({ usernameError: result.reason });
      return;
    }
    if (phase === 'username') this.seedConversation();
    this.update({
      phase: 'chat',
      username: result.username,
      usernameChangesLeft: this.ownName.changesLeft,
      usernameError: null,
      ...this.neighbourhood(this.current.radiusM),
    });
  }

  setRadius(radiusM: number): void {
    if (!isValidRadius(radiusM)) return;
    this.update({ radiusM, ...this.neighbourhood(radiusM) });
  }

  send(text: string): void {
    const username = this.ownName.current;
    if (this.current.phase !== 'chat' || username === undefined) return;
    if (!isSendableText(text)) {
      const reason = text.trim() === '' ? 'Write something first.' : `A message has at most ${MAX_MESSAGE_CHARS} characters.`;
      this.update({ sendError: reason });
      return;
    }
    const sentAtMs = this.now();
    if (!this.rateLimit.allow('self', sentAtMs)) {
      this.update({ sendError: 'You can send 10 messages a minute. Wait a moment, then send again.' });
      return;
    }
    this.log.push(this.message(null, username, text, sentAtMs));
    this.update({ sendError: null, ...this.neighbourhood(this.current.radiusM) });
    this.later(() => this.replyFromNearest(), 2);
  }

  joinVoice(): void {
    const { phase, voice } = this.current;
    if (phase !== 'chat' || voice.status === 'starting' || voice.status === 'on') return;
    const attempt = ++this.voiceAttempt;
    this.setVoice({ status: 'starting' });
    this.later(() => {
      if (attempt !== this.voiceAttempt) return;
      this.setVoice({ status: this.mode === 'mic-denied' ? 'mic-denied' : 'on' });
      if (this.mode !== 'mic-lost' || this.hasLostMic) return;
      this.hasLostMic = true;
      this.later(() => {
        if (attempt === this.voiceAttempt) this.setVoice({ status: 'mic-lost' });
      }, MIC_LOST_AFTER_STEPS);
    });
  }

  leaveVoice(): void {
    if (this.current.voice.status === 'off') return;
    this.voiceAttempt += 1;
    this.setVoice({ status: 'off' });
  }

  setMuted(isMuted: boolean): void {
    if (isMuted !== this.current.voice.isMuted) this.setVoice({ isMuted });
  }

  setPersonVolume(key: string, volume: number): void {
    if (!Number.isFinite(volume) || !PEOPLE.some((peer) => peer.key === key)) return;
    this.volumes.set(key, Math.min(1, Math.max(0, volume)));
    this.update(this.neighbourhood(this.current.radiusM));
  }

  setDistanceVolume(isOn: boolean): void {
    if (isOn !== this.current.voice.isDistanceVolumeOn) this.setVoice({ isDistanceVolumeOn: isOn });
  }

  /** The pretend person starts again: no name, every change back, the intro screen. */
  startFresh(): void {
    this.ownName = new OwnUsername();
    this.leaveVoice();
    this.update({ phase: 'intro', username: null, usernameChangesLeft: this.ownName.changesLeft, usernameError: null });
  }

  /** Cancels the pretend timers and forgets listeners. */
  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.listeners.clear();
  }

  private seedConversation(): void {
    const nowMs = this.now();
    const [ana, bilal, chen] = PEOPLE;
    if (ana === undefined || bilal === undefined || chen === undefined) return;
    this.log = [
      this.message(ana, ana.username, 'Anyone else at the Saturday market?', nowMs - 6 * 60_000),
      this.message(chen, chen.username, 'Street band playing by the fountain!', nowMs - 4 * 60_000),
      this.message(bilal, bilal.username, 'The bakery on the corner still has bread.', nowMs - 2 * 60_000),
    ];
  }

  private replyFromNearest(): void {
    const person = PEOPLE.find((peer) => this.isVisible(peer, this.current.radiusM));
    if (person === undefined) return;
    const text = REPLIES[this.nextId % REPLIES.length] ?? REPLIES[0];
    this.log.push(this.message(person, person.username, text, this.now()));
    this.update(this.neighbourhood(this.current.radiusM));
  }

  private message(author: FakePeer | null, username: string, text: string, sentAtMs: number): LoggedMessage {
    const distanceLabel = author === null ? 'you' : formatDistance(author.distanceM);
    return {
      id: `demo-${this.nextId++}`,
      author,
      authorKey: author?.key ?? 'you',
      username,
      text,
      distanceLabel,
      isOwn: author === null,
      sentAtMs,
      isHidden: false,
      isCollapsed: false,
      isNew: false,
      hasFlagged: false,
      sameTextCount: 1,
    };
  }

  private isVisible(peer: FakePeer, radiusM: number): boolean {
    return isInMutualRange(peer.distanceM, radiusM, peer.radiusM);
  }

  private setVoice(change: Partial<VoiceState>): void {
    this.current = { ...this.current, voice: { ...this.current.voice, ...change } };
    this.update(this.neighbourhood(this.current.radiusM));
  }

  /** Everything that follows from the radius (and voice): who is in range, whose messages show. */
  private neighbourhood(radiusM: number): Pick<SessionState, 'nearby' | 'unreachable' | 'turnTrouble' | 'messages' | 'directLinks'> {
    const isVoiceOn = this.current.voice.status === 'on';
    const nearby = PEOPLE.filter((peer) => this.isVisible(peer, radiusM)).map((peer) => {
      const isHeard = isVoiceOn && peer.isInVoice && peer.isDirect;
      return {
        key: peer.key,
        username: peer.username,
        distanceLabel: formatDistance(peer.distanceM),
        distanceBandM: bandDistanceM(peer.distanceM),
        isDirect: peer.isDirect,
        isInVoice: peer.isInVoice,
        isHeard,
        isSpeaking: isHeard && peer.isSpeaker,
        volume: this.volumes.get(peer.key) ?? 1,
      };
    });
    const isUnreachableNear = this.isVisible(UNREACHABLE, radiusM);
    return {
      nearby,
      unreachable: isUnreachableNear ? [{ key: UNREACHABLE.key, label: UNREACHABLE.username }] : [],
      turnTrouble: isUnreachableNear && this.mode === 'turn-refused' ? 'refused' : null,
      messages: this.log
        .filter((entry) => entry.author === null || (this.isVisible(entry.author, radiusM) && !this.blockedPeople.has(entry.author.key)))
        .filter((entry) => this.current.isShowingHidden || !this.hiddenIds.has(entry.id))
        .map(({ author: _author, ...shown }) => ({ ...shown, isHidden: this.hiddenIds.has(shown.id), hasFlagged: this.flaggedIds.has(shown.id) })),
      directLinks: nearby.filter((person) => person.isDirect).length,
    };
  }

  block(key: string, username: string): void {
    this.blockedPeople.set(key, username);
    this.refreshSafety();
  }

  unblock(key: string): void {
    this.blockedPeople.delete(key);
    this.refreshSafety();
  }

  hideMessage(id: string): void {
    this.hiddenIds.add(id);
    this.refreshSafety();
  }

  setShowHidden(isShowing: boolean): void {
    this.current = { ...this.current, isShowingHidden: isShowing };
    this.refreshSafety();
  }

  flagMessage(id: string): void {
    this.flaggedIds.add(id);
    this.refreshSafety();
  }

  revealMessage(): void {
    // Nothing is collapsed in the demo.
  }

  private refreshSafety(): void {
    this.update({
      ...this.neighbourhood(this.current.radiusM),
      blocked: [...this.blockedPeople].map(([key, username]) => ({ key, username })),
      hiddenCount: this.log.filter((entry) => this.hiddenIds.has(entry.id)).length,
    });
  }

  private update(change: Partial<SessionState>): void {
    this.current = { ...this.current, ...change };
    for (const listener of [...this.listeners]) listener();
  }

  private later(step: () => void, steps = 1): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      step();
    }, this.stepDelayMs * steps);
    this.timers.add(timer);
  }
}
