/**
 * Plays each neighbour's audio, at the volume the session sets, and tells who is
 * speaking. Each stream plays in a hidden <audio> element (Chromium feeds WebAudio from a
 * remote stream only while an element plays it) and is watched by an AnalyserNode; one
 * timer samples all of them while any plays.
 */

/** Received RMS above which someone counts as speaking. */
const SPEAKING_RMS = 0.01;
/** How often levels are sampled. */
const SAMPLE_INTERVAL_MS = 150;

interface Player {
  readonly stream: MediaStream;
  readonly element: HTMLAudioElement;
  readonly source: MediaStreamAudioSourceNode;
  readonly analyser: AnalyserNode;
  readonly samples: Float32Array<ArrayBuffer>;
}

export class VoicePlayback {
  private readonly players = new Map<string, Player>();
  private readonly speaking = new Set<string>();
  private context: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly onSpeakingChanged: () => void) {}

  /** Starts (or keeps) playing `stream` for `linkKey`. */
  play(linkKey: string, stream: MediaStream): void {
    if (this.players.get(linkKey)?.stream === stream) return;
    this.stop(linkKey);
    this.context ??= new AudioContext();
    void this.context.resume();
    const element = document.createElement('audio');
    element.hidden = true;
    element.autoplay = true;
    element.srcObject = stream;
    document.body.append(element);
    element.play().catch((err: unknown) => console.warn('voice playback blocked:', err instanceof Error ? err.message : String(err)));
    const source = this.context.createMediaStreamSource(stream);
    const analyser = this.context.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser);
    this.players.set(linkKey, { stream, element, source, analyser, samples: new Float32Array(new ArrayBuffer(analyser.fftSize * 4)) });
    this.timer ??= setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
  }

  /** Playback volume for one link, 0..1. */
  setVolume(linkKey: string, volume: number): void {
    const player = this.players.get(linkKey);
    if (player !== undefined) player.element.volume = Math.min(1, Math.max(0, volume));
  }

  isPlaying(linkKey: string): boolean {
    return this.players.has(linkKey);
  }

  isSpeaking(linkKey: string): boolean {
    return this.speaking.has(linkKey);
  }

  /** Stops playing one link's audio. */
  stop(linkKey: string): void {
    const player = this.players.get(linkKey);
    if (player === undefined) return;
    this.players.delete(linkKey);
    player.source.disconnect();
    player.element.srcObject = null;
    player.element.remove();
    if (this.speaking.delete(linkKey)) this.onSpeakingChanged();
    if (this.players.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Stops everything and closes the audio context. */
  dispose(): void {
    for (const linkKey of [...this.players.keys()]) this.stop(linkKey);
    void this.context?.close();
    this.context = null;
  }

  private sample(): void {
    let isChanged = false;
    for (const [linkKey, player] of this.players) {
      player.analyser.getFloatTimeDomainData(player.samples);
      let sum = 0;
      for (const value of player.samples) sum += value * value;
      const isSpeaking = Math.sqrt(sum / player.samples.length) > SPEAKING_RMS;
      if (isSpeaking !== this.speaking.has(linkKey)) {
        isChanged = true;
        if (isSpeaking) this.speaking.add(linkKey);
        else this.speaking.delete(linkKey);
      }
    }
    if (isChanged) this.onSpeakingChanged();
  }
}
