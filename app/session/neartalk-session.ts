/**
 * The session behind the UI: location, identity, username and radius, the relay
 * connection, the mesh and the chat. It turns all of that into one `SessionState`
 * snapshot for the components and owns every resource it starts (`dispose()`).
 */

import { isSendableText, MAX_MESSAGE_CHARS, type DropReason } from '../core/chat-message.ts';
import { bandDistanceM, distanceBetween, formatDistance, quantizePosition, type Position } from '../core/position.ts';
import { OwnUsername } from '../core/username.ts';
import { DEFAULT_RADIUS_M, isInMutualRange, isValidRadius } from '../core/visibility.ts';
import type { MeshPolicyConfig } from '../core/mesh-policy.ts';
import type { PeerSupport } from '../core/peer-support.ts';
import type { LinkFactory } from '../net/peer-link.ts';
import type { IdentityKeeper } from '../identity/identity-keeper.ts';
import { GeoTracker } from './geo-tracker.ts';
import { PageLifecycle } from './page-lifecycle.ts';
import { workerProofMaker } from '../identity/proof-maker.ts';
import { MAX_FLAGS_PER_MINUTE, type FlagReason } from '../core/flag.ts';
import type { SafetyRecord } from '../core/safety-record.ts';
import { buildMessageView } from './message-view.ts';
import { PeerNode } from './peer-node.ts';
import { VoiceSession } from './voice-session.ts';
import { NO_DROPS, VOICE_OFF, type NearbyPerson, type SessionPhase, type SessionState, type SessionView, type ShownMessage } from './session-state.ts';

export interface SessionConfig {
  readonly relayUrl: string;
  readonly policy: MeshPolicyConfig;
  /** Most people we exchange audio with at once. */
  readonly voiceCap: number;
  readonly iceTransportPolicy?: RTCIceTransportPolicy;
  readonly createLink?: LinkFactory;
  /**
   * The identity and its stored record. A restored one brings its username: the session
   * then skips the intro and the username form and goes straight back to the chat.
   */
  readonly keeper?: IdentityKeeper;
  /** Called once "Start fresh" has forgotten the identity (the page reloads as someone new). */
  readonly onStartFresh?: () => void;
  /** The page whose lifecycle wakes the session (reconnect at once); none in Node. */
  readonly window?: Window;
  /** Kept from before a reload (the identity store, when there is one). */
  readonly saved?: SafetyRecord;
  /** Called whenever what must outlive a reload changes (our proof, whom we blocked). */
  readonly onSafetyRecord?: (record: SafetyRecord) => void;
  /**
   * What this browser offers for peer connections (`detectPeerSupport`). Without them the
   * session never contacts the relay (neighbours would dial a peer that cannot answer)
   * and its state says why nobody can be reached. Supported when omitted.
   */
  readonly peerSupport?: PeerSupport;
  /** Leading zero bits asked of every key's proof of work, ours included: POW_DIFFICULTY_BITS when omitted. */
  readonly powDifficultyBits?: number;
}

/** Flags one may send per minute: what receivers accept (app/core/flag.ts). */
const OWN_FLAG_WINDOW_MS = 60_000;


export class NearTalkSession implements SessionView {
  private stateValue: SessionState;
  private readonly listeners = new Set<() => void>();
  private readonly username: OwnUsername;
  private position: Position | null = null;
  private radiusM = DEFAULT_RADIUS_M;
  private phase: SessionPhase = 'intro';
  private usernameError: string | null = null;
  private sendError: string | null = null;
  private dropped: Record<DropReason, number> = { ...NO_DROPS };
  private readonly geo: GeoTracker;
  /** Null when the browser cannot make peer connections: no relay, no mesh. */
  private readonly node: PeerNode | null;
  private readonly peerSupport: PeerSupport;
  private readonly voice: VoiceSession;
  private readonly lifecycle: PageLifecycle | null;
  /** Messages this person hid, and collapsed ones they chose to see (for this session). */
  private readonly hiddenIds = new Set<string>();
  private readonly revealedIds = new Set<string>();
  private isShowingHidden = false;
  /** When our recent flags were sent (receivers take at most 10 a minute). */
  private ownFlagTimes: number[] = [];
  /** One timer: the next moment an identity in view comes of age. */
  private ageTimer: ReturnType<typeof setTimeout> | undefined;
  private ageTimerDueMs: number | null = null;

  constructor(private readonly config: SessionConfig) {
    this.peerSupport = config.peerSupport ?? 'supported';
    const restoredName = config.keeper?.username ?? null;
    this.username = restoredName === null ? new OwnUsername() : new OwnUsername({ username: restoredName, changesLeft: config.keeper?.usernameChangesLeft ?? 0 });
    this.stateValue = this.buildState('connecting');
    this.geo = new GeoTracker({
      onPosition: (position) => this.moveTo(position),
      onFailure: (failure) => this.update(() => (this.phase = failure === 'denied' ? 'location-denied' : 'location-unavailable')),
    });
    this.node = this.peerSupport !== 'supported' ? null : new PeerNode({
      relayUrl: config.relayUrl,
      policy: config.policy,
      voiceCap: config.voiceCap,
      ...(config.iceTransportPolicy === undefined ? {} : { iceTransportPolicy: config.iceTransportPolicy }),
      ...(config.createLink === undefined ? {} : { createLink: config.createLink }),
      ...(config.keeper === undefined ? {} : { keeper: config.keeper }),
      events: {
        onChange: () => this.update(() => undefined),
        onRelayState: (relay) => this.update(() => undefined, relay),
        onNeighbourUpdated: () => this.updateVoice(),
        onNeighbourGone: (linkKey) => {
          this.voice.forget(linkKey);
          this.updateVoice();
        },
        onRemoteAudio: (linkKey, stream) => this.voice.receive(linkKey, stream),
        onDrop: (reason) => this.countDrop(reason),
        onProofProgress: () => this.update(() => undefined),
        ...(config.onSafetyRecord === undefined ? {} : { onSafetyRecord: config.onSafetyRecord }),
      },
      proofs: { maker: workerProofMaker, ...(config.powDifficultyBits === undefined ? {} : { difficultyBits: config.powDifficultyBits }) },
      ...(config.saved === undefined ? {} : { saved: config.saved }),
    });
    this.voice = new VoiceSession({
      cap: config.voiceCap,
      setAudio: (linkKey, track, isExchanging) => this.node?.mesh.setAudio(linkKey, track, isExchanging),
      onChange: () => this.update(() => undefined),
      onInVoiceChanged: () => void this.announceSelf(),
    });
    config.keeper?.startTouching();
    this.lifecycle =
      config.window === undefined
        ? null
        : new PageLifecycle({ window: config.window, onWake: (reason) => this.node?.wake(reason), onSleep: () => config.keeper?.touch() });
    // The same person as before this page load: back to the chat as soon as we know where
    // we are (the browser asks for location again only if it does not remember the answer).
    if (restoredName !== null) this.requestLocation();
  }

  get state(): SessionState {
    return this.stateValue;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  requestLocation(): void {
    this.update(() => (this.phase = 'locating'));
    this.geo.start();
  }

  setUsername(name: string): void {
    const result = this.username.set(name);
    this.update(() => {
      this.usernameError = result.ok ? null : result.reason;
      if (result.ok && this.phase === 'username') this.phase = 'chat';
    });
    if (result.ok) {
      this.config.keeper?.saveUsername(result.username, this.username.changesLeft);
      void this.announceSelf();
    }
  }

  setRadius(radiusM: number): void {
    if (!isValidRadius(radiusM) || radiusM === this.radiusM) return;
    this.update(() => (this.radiusM = radiusM));
    void this.announceSelf();
  }

  /**
   * Refusals (text, rate) are decided before this returns, so the form can keep the text
   * of a refused message; only signing happens afterwards.
   */
  send(text: string): void {
    const username = this.username.current;
    const position = this.position;
    if (this.phase !== 'chat' || username === undefined || position === null || this.node === null) return;
    const sentAtMs = Date.now();
    const refusal = this.sendRefusal(text, sentAtMs);
    this.update(() => (this.sendError = refusal));
    if (refusal === null) void this.node.publish({ username, text, sentAtMs, position, radiusM: this.radiusM });
  }

  joinVoice(): void {
    if (this.phase === 'chat' && this.node !== null) void this.voice.join();
  }

  leaveVoice(): void {
    this.voice.leave();
  }

  setMuted(isMuted: boolean): void {
    this.voice.setMuted(isMuted);
  }

  setPersonVolume(key: string, volume: number): void {
    this.voice.setPersonVolume(key, volume);
  }

  setDistanceVolume(isOn: boolean): void {
    this.voice.setDistanceVolume(isOn);
  }

  startFresh(): void {
    const keeper = this.config.keeper;
    this.dispose();
    void (keeper === undefined ? Promise.resolve() : keeper.forget()).then(() => this.config.onStartFresh?.());
  }

  block(key: string, username: string): void {
    this.node?.block(key, username);
  }

  unblock(key: string): void {
    this.node?.unblock(key);
  }

  hideMessage(id: string): void {
    this.update(() => this.hiddenIds.add(id));
  }

  setShowHidden(isShowing: boolean): void {
    this.update(() => (this.isShowingHidden = isShowing));
  }

  revealMessage(id: string): void {
    this.update(() => this.revealedIds.add(id));
  }

  flagMessage(id: string, reason: FlagReason): void {
    const nowMs = Date.now();
    this.ownFlagTimes = this.ownFlagTimes.filter((time) => nowMs - time < OWN_FLAG_WINDOW_MS);
    if (this.ownFlagTimes.length >= MAX_FLAGS_PER_MINUTE) {
      this.update(() => (this.sendError = 'You can flag 10 messages a minute. Wait a moment.'));
      return;
    }
    this.ownFlagTimes.push(nowMs);
    this.node?.flag(id, reason).catch((err: unknown) => console.warn('the flag could not be sent:', err instanceof Error ? err.message : String(err)));
  }

  /** Stops location, closes the relay connection and every link, clears every timer. */
  dispose(): void {
    this.config.keeper?.dispose();
    this.lifecycle?.dispose();
    clearTimeout(this.ageTimer);
    this.ageTimer = undefined;
    this.geo.stop();
    this.voice.dispose();
    this.node?.dispose();
    this.listeners.clear();
  }

  /** Why a message may not be sent now, or null. */
  private sendRefusal(text: string, sentAtMs: number): string | null {
    if (!isSendableText(text)) return `A message has 1 to ${MAX_MESSAGE_CHARS} characters.`;
    // Our key exists from the first milliseconds of the session; receivers count by it.
    const key = this.node?.key ?? null;
    if (key !== null && this.node?.router.canPublish(key, sentAtMs) === false) {
      return 'You can send 10 messages a minute. Wait a moment.';
    }
    return null;
  }

  private moveTo(raw: Position): void {
    this.update(() => {
      this.position = quantizePosition(raw);
      if (this.phase === 'locating' || this.phase === 'location-denied' || this.phase === 'location-unavailable' || this.phase === 'intro') {
        this.phase = this.username.current === undefined ? 'username' : 'chat';
      }
    });
    void this.announceSelf();
  }

  /** Tells the relay our cells and our neighbours our presence, after any change. */
  private async announceSelf(): Promise<void> {
    const username = this.username.current;
    if (this.phase !== 'chat' || username === undefined || this.position === null || this.node === null) return;
    await this.node.describeSelf({ username, position: this.position, radiusM: this.radiusM, inVoice: this.voice.isInVoice });
    this.updateVoice();
  }

  /** Re-picks whom we exchange audio with after any change of neighbours or of ourselves. */
  private updateVoice(): void {
    const position = this.position;
    this.voice.update(this.node?.mesh.neighbours() ?? [], position === null ? null : { position, radiusM: this.radiusM });
  }

  private countDrop(reason: DropReason): void {
    this.update(() => (this.dropped = { ...this.dropped, [reason]: this.dropped[reason] + 1 }));
  }

  /** Re-renders when the next identity in view comes of age (one timer; page clocks move it too). */
  private wakeForAges(atMs: number | null): void {
    if (atMs === this.ageTimerDueMs) return;
    clearTimeout(this.ageTimer);
    this.ageTimerDueMs = atMs;
    if (atMs === null) return;
    this.ageTimer = setTimeout(() => {
      this.ageTimerDueMs = null;
      this.update(() => undefined);
    }, Math.max(0, atMs - Date.now()) + 1);
  }

  private update(change: () => unknown, relay = this.stateValue.relay): void {
    change();
    this.stateValue = this.buildState(relay);
    for (const listener of this.listeners) listener();
  }

  private buildState(relay: SessionState['relay']): SessionState {
    const position = this.position;
    // Undefined while the constructor builds the first state.
    const node = this.node as PeerNode | null | undefined;
    let messages: ShownMessage[] = [];
    let hiddenCount = 0;
    const nearby = new Map<string, NearbyPerson & { distance: number }>();
    if (position !== null) {
      const neighbours = node?.mesh.neighbours() ?? [];
      for (const neighbour of neighbours) {
        if (node?.isVisible(neighbour.linkKey) !== true) continue;
        const distance = distanceBetween(position, neighbour.presence.position);
        const { key, username } = neighbour.presence;
        nearby.set(key, {
          key,
          username,
          distance,
          distanceLabel: formatDistance(distance),
          distanceBandM: bandDistanceM(distance),
          isDirect: true,
          isInVoice: neighbour.presence.inVoice,
          isHeard: this.voice.isHeard(neighbour.linkKey),
          isSpeaking: this.voice.isSpeaking(neighbour.linkKey),
          volume: this.voice.volumeFor(key),
        });
      }
      const neighbourKeys = new Set(neighbours.map((neighbour) => neighbour.presence.key));
      if (node !== undefined && node !== null) {
        const view = buildMessageView({
          stored: node.router.store.list(),
          ownKey: node.key,
          position,
          radiusM: this.radiusM,
          nowMs: Date.now(),
          isBlocked: (key) => node.isBlocked(key),
          hiddenIds: this.hiddenIds,
          revealedIds: this.revealedIds,
          isShowingHidden: this.isShowingHidden,
          tally: node.flags.tally,
          ages: node.ages,
        });
        messages = view.messages;
        hiddenCount = view.hiddenCount;
        this.wakeForAges(view.nextChangeAtMs);
      }
      for (const message of node?.router.store.list() ?? []) {
        const isOwn = message.author === node?.key;
        if (isOwn || neighbourKeys.has(message.author) || node?.isBlocked(message.author) === true) continue;
        const distance = distanceBetween(position, message.position);
        if (!isInMutualRange(distance, message.radiusM, this.radiusM)) continue;
        const volume = this.voice.volumeFor(message.author);
        nearby.set(message.author, { key: message.author, username: message.username, distance, distanceLabel: formatDistance(distance), distanceBandM: bandDistanceM(distance), isDirect: false, isInVoice: false, isHeard: false, isSpeaking: false, volume });
      }
    }
    return {
      phase: this.phase,
      relay,
      peerSupport: this.peerSupport,
      username: this.username.current ?? null,
      usernameChangesLeft: this.username.changesLeft,
      usernameError: this.usernameError,
      radiusM: this.radiusM,
      nearby: [...nearby.values()].sort((a, b) => a.distance - b.distance).map(({ distance: _distance, ...person }) => person),
      unreachable: (node?.mesh.unreachable() ?? []).map((id) => ({ key: id, label: 'Someone nearby' })),
      turnTrouble: node?.mesh.turnTrouble() ?? null,
      messages,
      sendError: this.sendError,
      directLinks: node?.mesh.openLinkCount ?? 0,
      dropped: this.dropped,
      voice: this.voice?.state ?? VOICE_OFF,
      proofProgress: node?.proofProgress ?? null,
      blocked: node?.blockedPeople() ?? [],
      hiddenCount,
      isShowingHidden: this.isShowingHidden,
    };
  }
}
