/**
 * Plays each neighbour's audio, at the volume the session sets, and tells who is
 * speaking. Each stream plays in a hidden <audio> element (Chromium feeds WebAudio from a
 * remote stream only while an element plays it) and is watched by an AnalyserNode; one
 * timer samples all of them while any plays.
 *
 * Safari (every browser on iOS) runs an AudioContext, and lets a media element play sound,
 * only when they are started inside a user gesture; voice arrives later, outside any. So
 * `unlock()`, called from the "Join voice" click, resumes the context and starts a few
 * elements there, and arriving voices play in those elements.
 */

/** Received RMS above which someone counts as speaking. */
const SPEAKING_RMS = 0.01;
/** How often levels are sampled. */
const SAMPLE_INTERVAL_MS = 150;
/** Elements started inside the gesture and kept for arriving voices (more are made if needed). */
const SPARE_ELEMENTS = 6;

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
  /** Elements started inside a gesture, not playing anyone now. */
  private readonly spare: HTMLAudioElement[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly onSpeakingChanged: () => void) {}

  /**
   * Call synchronously from the person's click (joining voice): resumes the audio context
   * and starts the spare elements inside the gesture, as Safari requires. Idempotent.
   */
  unlock(): void {
    this.resumeContext();
    while (this.spare.length < SPARE_ELEMENTS) {
      const element = createAudioElement();
      // An empty stream: nothing sounds, but the element now counts as started by the person.
      element.srcObject = new MediaStream();
      startPlaying(element);
      this.spare.push(element);
    }
  }

  /** Starts (or keeps) playing `stream` for `linkKey`. */
  play(linkKey: string, stream: MediaStream): void {
    if (this.players.get(linkKey)?.stream === stream) return;
    this.stop(linkKey);
    const context = this.resumeContext();
    const element = this.spare.pop() ?? createAudioElement();
    element.srcObject = stream;
    document.body.append(element);
    startPlaying(element);
    const source = context.createMediaStreamSource(stream);
    const analyser = context.createAnalyser();
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
    // Kept, not dropped: an element once started by the person may play again in Safari.
    if (this.spare.length < SPARE_ELEMENTS) this.spare.push(player.element);
    if (this.speaking.delete(linkKey)) this.onSpeakingChanged();
    if (this.players.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Stops everything and closes the audio context. */
  dispose(): void {
    for (const linkKey of [...this.players.keys()]) this.stop(linkKey);
    for (const element of this.spare.splice(0)) element.srcObject = null;
    void this.context?.close();
    this.context = null;
  }

  /** The audio context, made on first use and asked to run (a no-op when it already does). */
  private resumeContext(): AudioContext {
    this.context ??= new AudioContext();
    this.context.resume().catch((err: unknown) => console.warn('audio output not started:', err instanceof Error ? err.message : String(err)));
    return this.context;
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

/** A hidden, autoplaying element for one voice. */
function createAudioElement(): HTMLAudioElement {
  const element = document.createElement('audio');
  element.hidden = true;
  element.autoplay = true;
  return element;
}

/** Starts `element`; a refusal (autoplay policy) is reported, never thrown. */
function startPlaying(element: HTMLAudioElement): void {
  element.play().catch((err: unknown) => console.warn('voice playback blocked:', err instanceof Error ? err.message : String(err)));
}
