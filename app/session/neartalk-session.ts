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
import { GeoTracker } from './geo-tracker.ts';
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
   * What this browser offers for peer connections (`detectPeerSupport`). Without them the
   * session never contacts the relay (neighbours would dial a peer that cannot answer)
   * and its state says why nobody can be reached. Supported when omitted.
   */
  readonly peerSupport?: PeerSupport;
}


export class NearTalkSession implements SessionView {
  private stateValue: SessionState;
  private readonly listeners = new Set<() => void>();
  private readonly username = new OwnUsername();
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

  constructor(config: SessionConfig) {
    this.peerSupport = config.peerSupport ?? 'supported';
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
      },
    });
    this.voice = new VoiceSession({
      cap: config.voiceCap,
      setAudio: (linkKey, track, isExchanging) => this.node?.mesh.setAudio(linkKey, track, isExchanging),
      onChange: () => this.update(() => undefined),
      onInVoiceChanged: () => void this.announceSelf(),
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

  /** Stops location, closes the relay connection and every link, clears every timer. */
  dispose(): void {
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

  private update(change: () => unknown, relay = this.stateValue.relay): void {
    change();
    this.stateValue = this.buildState(relay);
    for (const listener of this.listeners) listener();
  }

  private buildState(relay: SessionState['relay']): SessionState {
    const position = this.position;
    // Undefined while the constructor builds the first state.
    const node = this.node as PeerNode | null | undefined;
    const messages: ShownMessage[] = [];
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
      for (const message of node?.router.store.list() ?? []) {
        const isOwn = message.author === node?.key;
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
    };
  }
}
