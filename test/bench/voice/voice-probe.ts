/**
 * The in-page half of the voice bench: an init script that keeps every RTCPeerConnection
 * the app makes (the constructor is wrapped in a Proxy, so `RTCPeerConnection.prototype`
 * and `instanceof` stay the browser's own and the fixture's prototype patches still
 * apply), logs their signaling steps, stamps clicks on "Join voice", keeps the `<audio>`
 * elements made with `new Audio()` (the harness's, so they can be paused), and on demand
 * watches every received audio track for its first energy. All times are on the clock the pages of
 * one browser share: `performance.timeOrigin + performance.now()`, ms since the epoch.
 *
 * First audio: each remote audio track gets a muted, playing `<audio>` element (Chromium
 * feeds WebAudio from a remote track only while an element plays it) and an AnalyserNode
 * with a 256-sample window (5.3 ms at 48 kHz), read every `intervalMs` by a timer. The
 * analyser itself advances once per audio output buffer, so the effective resolution is the
 * larger of the two; after detection the probe keeps sampling for `tailMs` to measure that
 * period (`analyserUpdateMs`).
 */

import type { Page } from '@playwright/test';

/** One signaling step of one connection. */
export interface PcEvent {
  /** Index of the connection in creation order. */
  readonly pc: number;
  readonly time: number;
  /** `negotiationneeded`, `signaling:<state>`, `track:<kind>`, `connection:<state>`. */
  readonly what: string;
}

export interface FirstAudio {
  /** When the RMS of the last 256 samples of the track first exceeded the threshold. */
  readonly time: number;
  readonly trackId: string;
  readonly rms: number;
  /** When the track's first RTP packet since arming arrived, estimated from its inbound-rtp stats. */
  readonly firstPacketEstimate?: number | null;
  /** Mean time between changes of the analyser's window over `tailMs` after detection. */
  readonly analyserUpdateMs?: number | null;
}

export interface FirstAudioOptions {
  readonly thresholdRms: number;
  /** Timer period of the sampling; browsers clamp repeated timers to 4 ms. */
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** How long to keep sampling the detected track to measure the analyser's update period. */
  readonly tailMs: number;
}

/** What the probe exposes on `window.__ntVoiceBench`. */
export interface VoiceProbeApi {
  now(): number;
  /** Every connection the app made, in creation order (closed ones included). */
  readonly connections: readonly RTCPeerConnection[];
  readonly events: readonly PcEvent[];
  /** When each click on a "Join voice" button was dispatched. */
  readonly joinClicks: readonly number[];
  /**
   * Starts watching every received audio track (those already there and those to come)
   * for the first that carries energy; `firstAudio()` then tells which and when.
   */
  armFirstAudio(options: FirstAudioOptions): Promise<void>;
  /** The armed watch's result: null after its timeout (or when none was armed). */
  firstAudio(): Promise<FirstAudio | null>;
  /** Pauses every playing element made with `new Audio()` (the harness's, not the app's); how many. */
  pauseHarnessAudio(): number;
}

declare global {
  interface Window {
    __ntVoiceBench?: VoiceProbeApi;
  }
}

/**
 * Runs in every page before the app. It is serialised into the page, so it is
 * self-contained, and its helpers are object methods: tsx (esbuild) wraps named function
 * and arrow declarations in a `__name()` helper that does not exist in the page.
 */
export function installVoiceProbe(): void {
  const connections: RTCPeerConnection[] = [];
  const events: PcEvent[] = [];
  const joinClicks: number[] = [];
  const remoteTracks: MediaStreamTrack[] = [];
  const watch = {
    result: null as Promise<FirstAudio | null> | null,
    session: null as { finish(result: FirstAudio | null): void } | null,
  };
  const probe = {
    now(): number {
      return performance.timeOrigin + performance.now();
    },
    log(pc: number, what: string): void {
      events.push({ pc, time: probe.now(), what });
    },
    follow(pc: RTCPeerConnection): void {
      const index = connections.length;
      connections.push(pc);
      pc.addEventListener('negotiationneeded', () => probe.log(index, 'negotiationneeded'));
      pc.addEventListener('signalingstatechange', () => probe.log(index, `signaling:${pc.signalingState}`));
      pc.addEventListener('connectionstatechange', () => probe.log(index, `connection:${pc.connectionState}`));
      pc.addEventListener('track', (event) => {
        probe.log(index, `track:${event.track.kind}`);
        if (event.track.kind === 'audio' && !remoteTracks.includes(event.track)) remoteTracks.push(event.track);
      });
    },
    /** inbound-rtp audio stats of every open connection: track id → packets so far and the last one's arrival. */
    async inboundPackets(): Promise<Map<string, { packets: number; last: number }>> {
      const found = new Map<string, { packets: number; last: number }>();
      for (const pc of connections) {
        if (pc.signalingState === 'closed') continue;
        const report = await pc.getStats();
        for (const stats of report.values()) {
          const entry = stats as Record<string, unknown>;
          const track = entry['trackIdentifier'];
          const packets = entry['packetsReceived'];
          const last = entry['lastPacketReceivedTimestamp'];
          if (entry['type'] !== 'inbound-rtp' || typeof track !== 'string' || typeof packets !== 'number') continue;
          found.set(track, { packets, last: typeof last === 'number' ? last : Number.NaN });
        }
      }
      return found;
    },
    isJoinVoice(event: Event): boolean {
      return event.composedPath().some((target) => target instanceof HTMLButtonElement && target.textContent?.trim() === 'Join voice');
    },
  };

  // The test fixture's audio probe plays each received track in a muted `new Audio()` of its
  // own (the app uses createElement): kept here so the bench can pause them and see what the
  // harness itself costs.
  const harnessElements: HTMLAudioElement[] = [];
  window.Audio = new Proxy(window.Audio, {
    construct(target, args, newTarget): object {
      const element: unknown = Reflect.construct(target, args, newTarget);
      if (element instanceof HTMLAudioElement) harnessElements.push(element);
      return element as object;
    },
  });

  window.RTCPeerConnection = new Proxy(window.RTCPeerConnection, {
    construct(target, args, newTarget): object {
      const pc: unknown = Reflect.construct(target, args, newTarget);
      if (pc instanceof target) probe.follow(pc);
      return pc as object;
    },
  });

  // Capture on the window: the button lives in a shadow root, and clicks are composed.
  window.addEventListener('click', (event) => {
    if (probe.isJoinVoice(event)) joinClicks.push(probe.now());
  }, { capture: true });

  const api: VoiceProbeApi = {
    connections,
    events,
    joinClicks,
    now() {
      return probe.now();
    },
    async armFirstAudio(options) {
      watch.session?.finish(null);
      const baseline = await probe.inboundPackets();
      const context = new AudioContext();
      const samples = new Float32Array(256);
      watch.result = new Promise((resolve) => {
        const session = {
          watched: [] as { track: MediaStreamTrack; element: HTMLAudioElement; source: MediaStreamAudioSourceNode; analyser: AnalyserNode }[],
          timer: 0,
          deadline: 0,
          detected: null as FirstAudio | null,
          tail: { until: 0, changes: 0, last: Number.NaN },
          finish(result: FirstAudio | null): void {
            clearInterval(session.timer);
            clearTimeout(session.deadline);
            if (watch.session !== session) return;
            watch.session = null;
            for (const entry of session.watched) {
              entry.source.disconnect();
              entry.element.pause();
              entry.element.srcObject = null;
            }
            void context.close();
            if (result === null) return resolve(null);
            // The first packet since arming: the last one's arrival minus one 20 ms Opus frame
            // per packet after it (packets already counted at arming are left out).
            probe.inboundPackets().then(
              (now) => {
                const stats = now.get(result.trackId);
                const sinceArmed = stats === undefined ? 0 : stats.packets - (baseline.get(result.trackId)?.packets ?? 0);
                resolve({ ...result, firstPacketEstimate: stats === undefined || sinceArmed <= 0 ? null : stats.last - (sinceArmed - 1) * 20 });
              },
              () => resolve(result),
            );
          },
          /** After detection: counts how often the analyser's window changes, to know its update period. */
          sampleTail(detected: FirstAudio, time: number): void {
            const entry = session.watched.find((candidate) => candidate.track.id === detected.trackId);
            entry?.analyser.getFloatTimeDomainData(samples);
            let checksum = 0;
            for (const sample of samples) checksum += sample;
            if (checksum !== session.tail.last) session.tail.changes += 1;
            session.tail.last = checksum;
            if (time < session.tail.until) return;
            const updateMs = session.tail.changes > 1 ? options.tailMs / (session.tail.changes - 1) : null;
            session.finish({ ...detected, analyserUpdateMs: updateMs });
          },
          sample(): void {
            const time = probe.now();
            if (session.detected !== null) return session.sampleTail(session.detected, time);
            for (const track of remoteTracks) {
              if (session.watched.some((entry) => entry.track === track) || track.readyState !== 'live') continue;
              const stream = new MediaStream([track]);
              const element = new Audio();
              element.srcObject = stream;
              element.muted = true;
              element.play().catch(() => undefined);
              const source = context.createMediaStreamSource(stream);
              const analyser = context.createAnalyser();
              analyser.fftSize = samples.length;
              source.connect(analyser);
              session.watched.push({ track, element, source, analyser });
            }
            for (const entry of session.watched) {
              entry.analyser.getFloatTimeDomainData(samples);
              let energy = 0;
              for (const sample of samples) energy += sample * sample;
              const rms = Math.sqrt(energy / samples.length);
              if (rms <= options.thresholdRms) continue;
              session.detected = { time, trackId: entry.track.id, rms };
              session.tail.until = time + options.tailMs;
              return;
            }
          },
        };
        watch.session = session;
        session.timer = window.setInterval(() => session.sample(), options.intervalMs);
        session.deadline = window.setTimeout(() => session.finish(session.detected), options.timeoutMs);
      });
    },
    firstAudio() {
      return watch.result ?? Promise.resolve(null);
    },
    pauseHarnessAudio() {
      let paused = 0;
      for (const element of harnessElements) {
        if (element.paused || element.srcObject === null) continue;
        element.pause();
        paused += 1;
      }
      return paused;
    },
  };
  Object.defineProperty(window, '__ntVoiceBench', { value: api });
}

/** True for an offer or answer being applied (local offer, or remote offer answered). */
export function isDescriptionEvent(event: PcEvent): boolean {
  return event.what === 'signaling:have-local-offer' || event.what === 'signaling:have-remote-offer';
}

function requireProbe<T>(value: T | null, what: string): T {
  if (value === null) throw new Error(`No voice probe in this page (${what}): install it with installVoiceProbe before the page loads.`);
  return value;
}

/** The page's log of connection steps so far. */
export async function pcEvents(page: Page): Promise<PcEvent[]> {
  return requireProbe(await page.evaluate(() => (window.__ntVoiceBench === undefined ? null : [...window.__ntVoiceBench.events])), 'events');
}

/** When each "Join voice" click was dispatched in the page. */
export async function joinClicks(page: Page): Promise<number[]> {
  return requireProbe(await page.evaluate(() => (window.__ntVoiceBench === undefined ? null : [...window.__ntVoiceBench.joinClicks])), 'clicks');
}

/** Starts watching the page's received audio for first energy; returns once the watch is armed. */
export async function armFirstAudio(page: Page, options: FirstAudioOptions): Promise<void> {
  const isArmed = await page.evaluate(async (settings) => {
    if (window.__ntVoiceBench === undefined) return null;
    await window.__ntVoiceBench.armFirstAudio(settings);
    return true;
  }, options);
  requireProbe(isArmed, 'arm');
}

/** The armed watch's result: the first audio, or null when none came before its timeout. */
export async function firstAudio(page: Page): Promise<FirstAudio | null> {
  return page.evaluate(() => window.__ntVoiceBench?.firstAudio() ?? null);
}

/** Pauses the harness's own playing audio elements in `page` (the app's keep playing); how many it paused. */
export async function pauseHarnessAudio(page: Page): Promise<number> {
  return requireProbe(await page.evaluate(() => window.__ntVoiceBench?.pauseHarnessAudio() ?? null), 'pause');
}
