/**
 * Voice for one session: the microphone, whom we exchange audio with (the nearest people
 * in voice within mutual range, at most `cap`), per-person and distance volume, and who is
 * speaking. It owns the microphone track and the playback; the session tells it when
 * neighbours or our own position change.
 */

import { distanceBetween, type Position } from '../core/position.ts';
import { mutualRangeM } from '../core/visibility.ts';
import { distanceGain, selectVoicePeers } from '../core/voice-policy.ts';
import type { Neighbour } from '../net/mesh.ts';
import { VOICE_OFF, type VoiceState } from './session-state.ts';
import { VoicePlayback } from './voice-playback.ts';

/** Microphone processing on, as people expect from a call. */
const MICROPHONE_CONSTRAINTS: MediaStreamConstraints = {
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  video: false,
};

export interface VoiceSessionOptions {
  readonly cap: number;
  /** Sets audio on one link (see `Mesh.setAudio`). */
  readonly setAudio: (linkKey: string, track: MediaStreamTrack | null, isExchanging: boolean) => void;
  /** Something shown changed (voice state, who is heard or speaking). */
  readonly onChange: () => void;
  /** Our own "in voice" changed: announce it to the neighbours. */
  readonly onInVoiceChanged: () => void;
}

export class VoiceSession {
  private stateValue: VoiceState = VOICE_OFF;
  private track: MediaStreamTrack | null = null;
  /** Link keys we exchange audio with now. */
  private heard = new Set<string>();
  private readonly remoteStreams = new Map<string, MediaStream>();
  private readonly personVolume = new Map<string, number>();
  private readonly playback: VoicePlayback;
  private neighbours: readonly Neighbour[] = [];
  private self: { readonly position: Position; readonly radiusM: number } | null = null;

  constructor(private readonly options: VoiceSessionOptions) {
    this.playback = new VoicePlayback(() => options.onChange());
  }

  get state(): VoiceState {
    return this.stateValue;
  }

  get isInVoice(): boolean {
    return this.stateValue.status === 'on';
  }

  isHeard(linkKey: string): boolean {
    return this.isInVoice && this.heard.has(linkKey);
  }

  isSpeaking(linkKey: string): boolean {
    return this.isHeard(linkKey) && this.playback.isSpeaking(linkKey);
  }

  volumeFor(key: string): number {
    return this.personVolume.get(key) ?? 1;
  }

  async join(): Promise<void> {
    if (this.stateValue.status === 'on' || this.stateValue.status === 'starting') return;
    // Still inside the person's click (nothing awaited yet): Safari starts audio output only here.
    this.playback.unlock();
    this.setState({ status: 'starting' });
    try {
      const stream = await navigator.mediaDevices.getUserMedia(MICROPHONE_CONSTRAINTS);
      const [track] = stream.getAudioTracks();
      if (track === undefined) throw new DOMException('no audio track', 'NotFoundError');
      // A phone backgrounding the app, or an unplugged headset, ends the track.
      track.addEventListener('ended', () => this.release('mic-lost'));
      track.enabled = !this.stateValue.isMuted;
      this.track = track;
      this.setState({ status: 'on' });
      this.options.onInVoiceChanged();
      this.refresh();
    } catch (err: unknown) {
      const isRefused = err instanceof DOMException && (err.name === 'NotAllowedError' || err.name === 'SecurityError');
      console.warn('microphone unavailable:', err instanceof Error ? err.message : String(err));
      this.setState({ status: isRefused ? 'mic-denied' : 'mic-unavailable' });
    }
  }

  leave(): void {
    this.release('off');
  }

  setMuted(isMuted: boolean): void {
    // A disabled track sends silence at once, without renegotiation.
    if (this.track !== null) this.track.enabled = !isMuted;
    this.setState({ isMuted });
  }

  setPersonVolume(key: string, volume: number): void {
    if (!Number.isFinite(volume)) return;
    this.personVolume.set(key, Math.min(1, Math.max(0, volume)));
    this.applyVolumes();
    this.options.onChange();
  }

  setDistanceVolume(isOn: boolean): void {
    this.setState({ isDistanceVolumeOn: isOn });
    this.applyVolumes();
  }

  /** Neighbours or our own position changed: re-pick whom we hear. */
  update(neighbours: readonly Neighbour[], self: { readonly position: Position; readonly radiusM: number } | null): void {
    this.neighbours = neighbours;
    this.self = self;
    this.refresh();
  }

  /** A neighbour's audio arrived; it plays only while we exchange audio with them. */
  receive(linkKey: string, stream: MediaStream): void {
    this.remoteStreams.set(linkKey, stream);
    this.refresh();
  }

  /** A neighbour's link is gone. */
  forget(linkKey: string): void {
    this.remoteStreams.delete(linkKey);
    this.heard.delete(linkKey);
    this.playback.stop(linkKey);
  }

  dispose(): void {
    this.track?.stop();
    this.track = null;
    this.playback.dispose();
  }

  private release(status: 'off' | 'mic-lost'): void {
    const wasInVoice = this.isInVoice;
    this.track?.stop();
    this.track = null;
    this.setState({ status });
    this.refresh();
    if (wasInVoice) this.options.onInVoiceChanged();
  }

  private refresh(): void {
    const self = this.self;
    const candidates =
      self === null || !this.isInVoice
        ? []
        : this.neighbours.map((neighbour) => ({
            key: neighbour.linkKey,
            distanceM: distanceBetween(self.position, neighbour.presence.position),
            radiusM: neighbour.presence.radiusM,
            isInVoice: neighbour.presence.inVoice,
          }));
    const radiusM = self?.radiusM ?? 0;
    const next = selectVoicePeers(candidates, radiusM, this.options.cap, this.heard);
    for (const neighbour of this.neighbours) {
      this.options.setAudio(neighbour.linkKey, this.track, next.has(neighbour.linkKey));
    }
    for (const linkKey of this.heard) if (!next.has(linkKey)) this.playback.stop(linkKey);
    for (const linkKey of next) {
      const stream = this.remoteStreams.get(linkKey);
      if (stream !== undefined) this.playback.play(linkKey, stream);
    }
    this.heard = next;
    this.applyVolumes();
    this.options.onChange();
  }

  private applyVolumes(): void {
    const self = this.self;
    for (const neighbour of this.neighbours) {
      if (!this.playback.isPlaying(neighbour.linkKey)) continue;
      const range = self === null ? 0 : mutualRangeM(self.radiusM, neighbour.presence.radiusM);
      const distance = self === null ? 0 : distanceBetween(self.position, neighbour.presence.position);
      const gain = this.stateValue.isDistanceVolumeOn ? distanceGain(distance, range) : 1;
      this.playback.setVolume(neighbour.linkKey, this.volumeFor(neighbour.presence.key) * gain);
    }
  }

  private setState(change: Partial<VoiceState>): void {
    this.stateValue = { ...this.stateValue, ...change };
    this.options.onChange();
  }
}
