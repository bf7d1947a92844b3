/**
 * The session behind the UI: location, identity, username and radius, the relay
 * connection, the mesh and the chat. It turns all of that into one `SessionState`
 * snapshot for the components and owns every resource it starts (`dispose()`).
 */

import { isSendableText, MAX_MESSAGE_CHARS, type DropReason, type UnsignedChatMessage } from '../core/chat-message.ts';
import type { PresenceClaim } from '../core/peer-protocol.ts';
import { bandDistanceM, distanceBetween, formatDistance, homeCell, quantizePosition, type Position } from '../core/position.ts';
import { OwnUsername } from '../core/username.ts';
import { DEFAULT_RADIUS_M, isInMutualRange, isValidRadius, isVisible } from '../core/visibility.ts';
import { watchPrefixes } from '../core/watch-cover.ts';
import { randomId, SessionIdentity, verifyMessage, verifyText } from '../identity/session-identity.ts';
import { Mesh, type Neighbour } from '../net/mesh.ts';
import { SignalingClient } from '../net/signaling-client.ts';
import { ChatRouter } from './chat-router.ts';
import { GeoTracker } from './geo-tracker.ts';
import { VoiceSession } from './voice-session.ts';
import { NO_DROPS, VOICE_OFF, type NearbyPerson, type SessionPhase, type SessionState, type SessionView, type ShownMessage } from './session-state.ts';

export interface SessionConfig {
  readonly relayUrl: string;
  readonly linkBudget: number;
  /** Most people we exchange audio with at once. */
  readonly voiceCap: number;
  readonly iceTransportPolicy?: RTCIceTransportPolicy;
}


export class NearTalkSession implements SessionView {
  private stateValue: SessionState;
  private readonly listeners = new Set<() => void>();
  private readonly identity: Promise<SessionIdentity>;
  private key: string | null = null;
  private readonly username = new OwnUsername();
  private position: Position | null = null;
  private radiusM = DEFAULT_RADIUS_M;
  private phase: SessionPhase = 'intro';
  private presenceSeq = 0;
  private lastJoin = '';
  private usernameError: string | null = null;
  private sendError: string | null = null;
  private dropped: Record<DropReason, number> = { ...NO_DROPS };
  /** linkKey → whether that neighbour is currently visible (for hysteresis). */
  private readonly visible = new Map<string, boolean>();
  private readonly geo: GeoTracker;
  private readonly signaling: SignalingClient;
  private readonly mesh: Mesh;
  private readonly router: ChatRouter;
  private readonly voice: VoiceSession;
  private readonly unsubscribeStore: () => void;

  constructor(config: SessionConfig) {
    this.identity = SessionIdentity.create();
    void this.identity.then((identity) => {
      this.key = identity.publicKey;
    });
    this.stateValue = this.buildState('connecting');
    this.geo = new GeoTracker({
      onPosition: (position) => this.moveTo(position),
      onFailure: (failure) => this.update(() => (this.phase = failure === 'denied' ? 'location-denied' : 'location-unavailable')),
    });
    this.mesh = new Mesh({
      budget: config.linkBudget,
      now: () => Date.now(),
      signText: async (payload) => (await this.identity).signText(payload),
      verifyText,
      acceptsUsername: (key, username) => this.router.acceptsUsername(key, username),
      sendSignal: (to, data) => this.signaling.signal(to, data),
      ...(config.iceTransportPolicy === undefined ? {} : { iceTransportPolicy: config.iceTransportPolicy }),
      events: {
        onPresence: (neighbour) => this.neighbourUpdated(neighbour),
        onNeighbourGone: (linkKey) => {
          this.voice.forget(linkKey);
          this.update(() => this.visible.delete(linkKey));
          this.updateVoice();
        },
        onRemoteAudio: (linkKey, stream) => this.voice.receive(linkKey, stream),
        onChatFrame: (neighbour, frame) => this.router.receive(neighbour, frame),
        onDrop: (reason) => this.countDrop(reason),
        onLinksChanged: () => this.update(() => undefined),
      },
    });
    this.router = new ChatRouter({
      now: () => Date.now(),
      self: () => (this.key === null || this.position === null ? null : { key: this.key, position: this.position, radiusM: this.radiusM }),
      neighbours: () => this.mesh.neighbours(),
      sendTo: (linkKey, frame) => this.mesh.sendTo(linkKey, frame),
      verify: verifyMessage,
      onDrop: (reason) => this.countDrop(reason),
    });
    this.voice = new VoiceSession({
      cap: config.voiceCap,
      setAudio: (linkKey, track, isExchanging) => this.mesh.setAudio(linkKey, track, isExchanging),
      onChange: () => this.update(() => undefined),
      onInVoiceChanged: () => void this.announceSelf(),
    });
    this.unsubscribeStore = this.router.store.subscribe(() => this.update(() => undefined));
    this.signaling = new SignalingClient({
      url: config.relayUrl,
      events: {
        onState: (relay) => this.update(() => undefined, relay),
        // The signaling client re-sends our last join after a reconnect by itself.
        onWelcome: (id, iceServers) => this.mesh.setRelayIdentity(id, iceServers),
        onPeers: (peers) => this.mesh.setCandidates(peers),
        onPeerJoined: (peer) => this.mesh.addCandidate(peer),
        onPeerLeft: (id) => this.mesh.removeCandidate(id),
        onSignal: (from, data) => this.mesh.receiveSignal(from, data),
        onRelayError: (code, message) => console.warn(`relay refused a frame (${code}): ${message}`),
      },
    });
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
    if (result.ok) void this.announceSelf();
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
    if (this.phase !== 'chat' || username === undefined || position === null) return;
    const sentAtMs = Date.now();
    const refusal = this.sendRefusal(text, sentAtMs);
    this.update(() => (this.sendError = refusal));
    if (refusal === null) void this.publish({ username, text, sentAtMs, position, radiusM: this.radiusM });
  }

  joinVoice(): void {
    if (this.phase === 'chat') void this.voice.join();
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

  /** Stops location, closes the relay connection and every link, clears every timer. */
  dispose(): void {
    this.geo.stop();
    this.signaling.dispose();
    this.voice.dispose();
    this.mesh.dispose();
    this.unsubscribeStore();
    this.router.dispose();
    this.listeners.clear();
  }

  /** Why a message may not be sent now, or null. */
  private sendRefusal(text: string, sentAtMs: number): string | null {
    if (!isSendableText(text)) return `A message has 1 to ${MAX_MESSAGE_CHARS} characters.`;
    // Our key exists from the first milliseconds of the session; receivers count by it.
    if (this.key !== null && !this.router.canPublish(this.key, sentAtMs)) {
      return 'You can send 10 messages a minute. Wait a moment.';
    }
    return null;
  }

  private async publish(draft: Omit<UnsignedChatMessage, 'author' | 'id'>): Promise<void> {
    const identity = await this.identity;
    this.router.publish(await identity.sign({ id: randomId(), ...draft }));
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
    const identity = await this.identity;
    const username = this.username.current;
    if (this.phase !== 'chat' || username === undefined || this.position === null) return;
    this.presenceSeq += 1;
    const claim: Omit<PresenceClaim, 'signature'> = {
      key: identity.publicKey,
      seq: this.presenceSeq,
      username,
      position: this.position,
      radiusM: this.radiusM,
      inVoice: this.voice.isInVoice,
    };
    this.mesh.setSelf(claim, homeCell(this.position));
    this.joinCells();
    this.update(() => {
      for (const neighbour of this.mesh.neighbours()) this.refreshVisibility(neighbour);
    });
    this.updateVoice();
  }

  /** Re-picks whom we exchange audio with after any change of neighbours or of ourselves. */
  private updateVoice(): void {
    const position = this.position;
    this.voice.update(this.mesh.neighbours(), position === null ? null : { position, radiusM: this.radiusM });
  }

  private joinCells(): void {
    if (this.phase !== 'chat' || this.position === null) return;
    const home = homeCell(this.position);
    const watch = watchPrefixes(this.position, this.radiusM);
    const join = `${home} ${watch.join(',')}`;
    if (join === this.lastJoin) return;
    this.lastJoin = join;
    this.signaling.join(home, watch);
  }

  private neighbourUpdated(neighbour: Neighbour): void {
    const wasVisible = this.visible.get(neighbour.linkKey);
    this.update(() => this.refreshVisibility(neighbour));
    this.updateVoice();
    // A neighbour met for the first time, or coming into range, gets the history it may see.
    if (wasVisible === undefined || (!wasVisible && this.visible.get(neighbour.linkKey) === true)) {
      this.router.sendHistory(neighbour);
    }
  }

  private refreshVisibility(neighbour: Neighbour): void {
    if (this.position === null) return;
    const distance = distanceBetween(this.position, neighbour.presence.position);
    const wasVisible = this.visible.get(neighbour.linkKey) ?? false;
    this.visible.set(neighbour.linkKey, isVisible(distance, this.radiusM, neighbour.presence.radiusM, wasVisible));
  }

  private countDrop(reason: DropReason): void {
    this.update(() => (this.dropped = { ...this.dropped, [reason]: this.dropped[reason] + 1 }));
  }

  private update(change: () => unknown, relay = this.stateValue.relay): void {
    change();
    this.stateValue = this.buildState(relay);
    for (const listener of this.listeners) listener();
  }

  private buildState(relay: SessionState['relay']): SessionState {
    const position = this.position;
    const messages: ShownMessage[] = [];
    const nearby = new Map<string, NearbyPerson & { distance: number }>();
    if (position !== null) {
      for (const neighbour of this.mesh?.neighbours() ?? []) {
        if (this.visible.get(neighbour.linkKey) !== true) continue;
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
      const neighbourKeys = new Set((this.mesh?.neighbours() ?? []).map((neighbour) => neighbour.presence.key));
      for (const message of this.router?.store.list() ?? []) {
        const isOwn = message.author === this.key;
        const distance = distanceBetween(position, message.position);
        if (!isOwn && !isInMutualRange(distance, message.radiusM, this.radiusM)) continue;
        const distanceLabel = isOwn ? 'you' : formatDistance(distance);
        messages.push({ id: message.id, username: message.username, text: message.text, distanceLabel, isOwn, sentAtMs: message.sentAtMs });
        if (!isOwn && !neighbourKeys.has(message.author)) {
          const volume = this.voice.volumeFor(message.author);
          nearby.set(message.author, { key: message.author, username: message.username, distance, distanceLabel, distanceBandM: bandDistanceM(distance), isDirect: false, isInVoice: false, isHeard: false, isSpeaking: false, volume });
        }
      }
    }
    return {
      phase: this.phase,
      relay,
      username: this.username.current ?? null,
      usernameChangesLeft: this.username.changesLeft,
      usernameError: this.usernameError,
      radiusM: this.radiusM,
      nearby: [...nearby.values()].sort((a, b) => a.distance - b.distance).map(({ distance: _distance, ...person }) => person),
      unreachable: (this.mesh?.unreachable() ?? []).map((id) => ({ key: id, label: 'Someone nearby' })),
      messages,
      sendError: this.sendError,
      directLinks: this.mesh?.openLinkCount ?? 0,
      dropped: this.dropped,
      voice: this.voice?.state ?? VOICE_OFF,
    };
  }
}
