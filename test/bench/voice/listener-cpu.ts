/**
 * CPU of a page receiving K voices: a listener with K speakers on a ring 150 m around it,
 * all in voice (K = the app's default cap, so the listener hears every one of them, and
 * each speaker hears the listener and the other speakers: a full mesh of K + 1 pages, every
 * page sending and receiving K streams). The same pages idle in the chat, nobody in voice,
 * are the K = 0 baseline.
 *
 * Over each window: the listener's renderer process CPU (all its threads: WebRTC's network
 * and decoding threads, the audio threads, the main thread) from /proc, the renderer found
 * by `identifyRenderer`; its main thread alone from CDP `Performance.getMetrics`
 * (TaskDuration and ScriptDuration deltas); and every Chromium process by kind, since the
 * K + 1 pages and Chromium's shared processes (network service, audio service, browser)
 * share the machine's cores.
 */

import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, type Browser, type BrowserContext, type CDPSession } from '@playwright/test';
import { DEFAULT_VOICE_CAP } from '../../../app/core/voice-policy.ts';
import { heardFrequencies } from '../../fixture/audio-probe.ts';
import type { MeshPeer } from '../../fixture/mesh-peer.ts';
import { closeAll } from '../browser/bench-peers.ts';
import { chromiumProcesses, cpuDelta, identifyRenderer, sampleCpu, type ChromiumProcess } from './chromium-processes.ts';
import { joinVoice, openVoicePeer, pageErrorsOf } from './voice-peers.ts';
import { readAudioStats, statsBetween, type StatsBetween } from './audio-rtt.ts';
import { isDescriptionEvent, pauseHarnessAudio, pcEvents } from './voice-probe.ts';

/** Speakers' distance from the listener. */
const RING_M = 150;
const LISTENER_TONE_HZ = 440;
/** Speaker i plays 520 + 80·i Hz: 80 Hz apart, far beyond the probe's 15 Hz tolerance. */
const speakerTone = (index: number): number => 520 + 80 * index;
/** Quiet time after a change before a window starts. */
const SETTLE_MS = 2_000;

export interface CpuWindow {
  readonly label: string;
  /** Voices the listener receives during the window. */
  readonly k: number;
  readonly wallSeconds: number;
  /** The listener's renderer process, all threads, in cores (1 = one core busy). */
  readonly listenerRendererCores: number;
  /** The listener's main thread: CDP TaskDuration and ScriptDuration deltas (thread time), in cores. */
  readonly listenerMainThreadCores: number;
  readonly listenerScriptCores: number;
  /** The speakers' renderers (the busiest renderers but the listener's), mean per renderer, in cores. */
  readonly otherRendererMeanCores: number;
  /** Every Chromium process, by kind (renderers summed), in cores. */
  readonly byKindCores: Readonly<Record<string, number>>;
  readonly chromiumTotalCores: number;
  /** Every process not Chromium's (this bench and the relay included), in cores. */
  readonly nonChromiumCores: number;
  /** Offers and answers applied in the listener's page per second (renegotiations). */
  readonly listenerDescriptionsPerSecond: number;
  /** The listener's audio over the window (RTT and jitter buffer under this load); null at K = 0. */
  readonly listenerAudio: StatsBetween | null;
}

export interface ListenerCpuResult {
  readonly k: number;
  readonly cores: number;
  readonly listenerRendererPid: number;
  readonly idle: CpuWindow;
  readonly voice: CpuWindow;
  /** As `voice`, with the harness's own audio elements (the fixture probe's) paused in every page. */
  readonly voiceWithoutProbe: CpuWindow;
  readonly pageErrors: readonly string[];
}

async function mainThreadSeconds(session: CDPSession): Promise<{ task: number; script: number }> {
  const { metrics } = await session.send('Performance.getMetrics');
  const value = (name: string): number => metrics.find((metric) => metric.name === name)?.value ?? Number.NaN;
  return { task: value('TaskDuration'), script: value('ScriptDuration') };
}

/** Measures one window of `windowMs` with nothing driven from here in between. */
interface WindowSetup {
  readonly listener: MeshPeer;
  readonly speakers: number;
  readonly session: CDPSession;
  readonly rendererPid: number;
  readonly windowMs: number;
}

async function measureWindow({ listener, speakers, session, rendererPid, windowMs }: WindowSetup, label: string, k: number): Promise<CpuWindow> {
  const processes: ChromiumProcess[] = chromiumProcesses();
  const eventsBefore = (await pcEvents(listener.page)).length;
  const statsBefore = k === 0 ? null : await readAudioStats(listener.page);
  const mainBefore = await mainThreadSeconds(session);
  const start = sampleCpu();
  await sleep(windowMs);
  const end = sampleCpu();
  const mainAfter = await mainThreadSeconds(session);
  const statsAfter = k === 0 ? null : await readAudioStats(listener.page);
  const newEvents = (await pcEvents(listener.page)).slice(eventsBefore);
  const wallSeconds = (end.wallMs - start.wallMs) / 1000;
  const cores = (seconds: number): number => seconds / wallSeconds;
  const byKindCores: Record<string, number> = {};
  const chromiumPids = new Set<number>();
  for (const { pid, kind } of processes) {
    chromiumPids.add(pid);
    byKindCores[kind] = (byKindCores[kind] ?? 0) + cores(cpuDelta(start, end, pid));
  }
  // Chromium keeps a spare renderer and one for its own UI: the speakers' are the busiest.
  const others = processes
    .filter((process) => process.kind === 'renderer' && process.pid !== rendererPid)
    .map(({ pid }) => cores(cpuDelta(start, end, pid)))
    .sort((left, right) => right - left)
    .slice(0, speakers);
  let nonChromium = 0;
  for (const pid of end.cpuSeconds.keys()) if (!chromiumPids.has(pid)) nonChromium += cpuDelta(start, end, pid);
  return {
    label,
    k,
    wallSeconds,
    listenerRendererCores: cores(cpuDelta(start, end, rendererPid)),
    listenerMainThreadCores: cores(mainAfter.task - mainBefore.task),
    listenerScriptCores: cores(mainAfter.script - mainBefore.script),
    otherRendererMeanCores: others.length === 0 ? 0 : others.reduce((sum, value) => sum + value, 0) / others.length,
    byKindCores,
    chromiumTotalCores: Object.values(byKindCores).reduce((sum, value) => sum + value, 0),
    nonChromiumCores: cores(nonChromium),
    listenerDescriptionsPerSecond: newEvents.filter(isDescriptionEvent).length / wallSeconds,
    listenerAudio: statsBefore === null || statsAfter === null ? null : statsBetween(statsBefore, statsAfter),
  };
}

/** Waits until each of `peers` lists every other one in Nearby (a full mesh of links). */
async function expectFullMesh(peers: readonly MeshPeer[]): Promise<void> {
  for (const peer of peers) await expect(peer.nearby).toHaveCount(peers.length - 1, { timeout: 20_000 });
}

/** Waits until each of `peers` receives a tone from every other one. */
async function expectAllHearing(peers: readonly MeshPeer[]): Promise<void> {
  for (const peer of peers) {
    await expect
      .poll(async () => (await heardFrequencies(peer.page)).length, { message: `${peer.name} hears ${peers.length - 1} voices`, timeout: 20_000 })
      .toBeGreaterThanOrEqual(peers.length - 1);
  }
}

export async function measureListenerCpu(browser: Browser, baseUrl: string, windowMs: number, onStep: (line: string) => void): Promise<ListenerCpuResult> {
  const k = DEFAULT_VOICE_CAP;
  const contexts: BrowserContext[] = [];
  try {
    const listener = await openVoicePeer(browser, { baseUrl, name: 'Listener', northM: 0, eastM: 0, toneHz: LISTENER_TONE_HZ }, contexts);
    const speakers = await Promise.all(
      Array.from({ length: k }, (_, index) => {
        const angle = (2 * Math.PI * index) / k;
        return openVoicePeer(
          browser,
          { baseUrl, name: `Speaker ${index + 1}`, northM: RING_M * Math.cos(angle), eastM: RING_M * Math.sin(angle), toneHz: speakerTone(index) },
          contexts,
        );
      }),
    );
    const everyone = [listener, ...speakers];
    await expectFullMesh(everyone);
    const rendererPid = await identifyRenderer(listener.page);
    const session = await listener.context.newCDPSession(listener.page);
    // Thread time, not wall time: on a saturated machine a task's wall time includes waiting for a core.
    await session.send('Performance.enable', { timeDomain: 'threadTicks' });
    onStep(`  ${k + 1} pages in a full mesh; the listener's renderer is pid ${rendererPid}`);
    const setup: WindowSetup = { listener, speakers: speakers.length, session, rendererPid, windowMs };
    const report = (result: CpuWindow): CpuWindow => {
      onStep(`  ${result.label}: listener renderer ${(result.listenerRendererCores * 100).toFixed(1)} % of a core`);
      return result;
    };
    await sleep(SETTLE_MS);
    const idle = report(await measureWindow(setup, 'K = 0, idle in chat', 0));
    await Promise.all(everyone.map((peer) => joinVoice(peer)));
    await expectAllHearing(everyone);
    await sleep(SETTLE_MS);
    const voice = report(await measureWindow(setup, `K = ${k}, all in voice`, k));
    const paused = await Promise.all(everyone.map((peer) => pauseHarnessAudio(peer.page)));
    if (paused.some((count) => count < k)) throw new Error(`expected ${k} harness audio elements per page, paused ${paused.join(', ')}`);
    await sleep(SETTLE_MS);
    const voiceWithoutProbe = report(await measureWindow(setup, `K = ${k}, harness probe paused`, k));
    await session.detach();
    return { k, cores: cpus().length, listenerRendererPid: rendererPid, idle, voice, voiceWithoutProbe, pageErrors: pageErrorsOf(everyone) };
  } finally {
    await closeAll(contexts);
  }
}
