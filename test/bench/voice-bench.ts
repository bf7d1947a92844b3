/**
 * `npm run bench:voice`: NearTalk voice in real Chromium pages, against a relay on
 * 127.0.0.1 (a free port) serving the built app. One browser, one context per peer, each
 * with a fake microphone playing its own tone; real time (no fake clock). Three figures:
 *
 * 1. Join to first audio: A and B 200 m apart, B in voice; from A's click on "Join voice"
 *    to B's first received energy from A (10 fresh pairs; on each, a rejoin as well).
 * 2. Audio round-trip time from B's WebRTC stats (RTCP and STUN) on loopback, B's jitter
 *    buffer delay, and B's CPU and renegotiation rate meanwhile (the pair alone in voice).
 * 3. CPU of a listener receiving K voices (K = the default cap, 6; a full mesh of 7 pages
 *    in voice) against K = 0 (the same pages idle in the chat), and again with the test
 *    fixture's audio probe paused (what the harness itself costs).
 *
 * Prints tables, writes results/voice-latest.json. Exits 1 when a join was not heard, the
 * wrong tone was heard, or a page had errors.
 *
 * `-- --quick`: fewer runs, shorter windows. `-- --app-dir DIR`: serve another build of the
 * app (to compare a change against dist/app).
 */

import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { chromiumLaunchOptions } from '../fixture/chromium.ts';
import { APP_DIR, startRelay, type RelayHandle } from '../fixture/relay-fixture.ts';
import type { MeshPeer } from '../fixture/mesh-peer.ts';
import { ms, writeJson } from './browser/browser-report.ts';
import { measureAudioRtt, type AudioRttResult } from './voice/audio-rtt.ts';
import { cpuDelta, identifyRenderer, sampleCpu } from './voice/chromium-processes.ts';
import { A_TONE_HZ, measureJoinToAudio, SAMPLE_INTERVAL_MS, type JoinRun } from './voice/join-to-audio.ts';
import { measureListenerCpu, type ListenerCpuResult } from './voice/listener-cpu.ts';
import { isDescriptionEvent, pcEvents } from './voice/voice-probe.ts';
import { joinFigure, renderCpu, renderFigures, renderJoinRuns, rttFigures } from './voice/voice-report.ts';
import { exitWith } from './run-bench.ts';

const RESULTS_PATH = fileURLToPath(new URL('./results/voice-latest.json', import.meta.url));

interface VoiceBenchConfig {
  readonly joinRuns: number;
  readonly rttWindowMs: number;
  readonly rttIntervalMs: number;
  readonly cpuWindowMs: number;
  /** The built app the relay serves. */
  readonly appDir: string;
}

const FULL: VoiceBenchConfig = { joinRuns: 10, rttWindowMs: 8_000, rttIntervalMs: 250, cpuWindowMs: 10_000, appDir: APP_DIR };
const QUICK: VoiceBenchConfig = { ...FULL, joinRuns: 3, rttWindowMs: 4_000, cpuWindowMs: 4_000 };

const USAGE = 'usage: voice-bench.ts [--quick] [--app-dir DIR]';

function parseArgs(args: readonly string[]): VoiceBenchConfig {
  let config = FULL;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (arg === '--quick') {
      config = { ...QUICK, appDir: config.appDir };
    } else if (arg === '--app-dir') {
      const dir = args[index + 1];
      if (dir === undefined || dir === '') throw new TypeError(`--app-dir takes a directory; ${USAGE}`);
      config = { ...config, appDir: resolve(dir) };
      index += 1;
    } else {
      throw new TypeError(`unknown argument ${String(arg)}; ${USAGE}`);
    }
  }
  return config;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function describeRun(run: JoinRun): string {
  const heard = run.heardHz === null ? 'nothing heard' : `heard ${run.heardHz.toFixed(0)} Hz`;
  return `${run.kind} ${ms(run.steps.bFirstAudio)} (${heard}, ${run.offers} offer${run.offers === 1 ? '' : 's'})`;
}

/** B's load while the round trip is sampled: the pair in voice, nothing else running. */
interface PairLoad {
  /** B's renderer process, all threads, in cores (its getStats() polling included). */
  readonly bRendererCores: number;
  /** Offers and answers applied in B's page per second: 0 once negotiation has settled. */
  readonly bDescriptionsPerSecond: number;
}

interface Measured {
  readonly runs: readonly JoinRun[];
  readonly rtt: AudioRttResult | null;
  readonly pairLoad: PairLoad | null;
  readonly cpu: ListenerCpuResult;
  readonly pageErrors: readonly string[];
}

/** The round trip seen from B, and B's load while it is sampled. */
async function measurePair(peerB: MeshPeer, config: VoiceBenchConfig): Promise<{ rtt: AudioRttResult; pairLoad: PairLoad }> {
  const rendererPid = await identifyRenderer(peerB.page);
  const eventsBefore = (await pcEvents(peerB.page)).length;
  const start = sampleCpu();
  const rtt = await measureAudioRtt(peerB.page, config.rttWindowMs, config.rttIntervalMs);
  const end = sampleCpu();
  const seconds = (end.wallMs - start.wallMs) / 1000;
  const descriptions = (await pcEvents(peerB.page)).slice(eventsBefore).filter(isDescriptionEvent).length;
  return { rtt, pairLoad: { bRendererCores: cpuDelta(start, end, rendererPid) / seconds, bDescriptionsPerSecond: descriptions / seconds } };
}

async function runBench(browser: Browser, relay: RelayHandle, config: VoiceBenchConfig): Promise<Measured> {
  log(`\n1. Join → first audio: ${config.joinRuns} fresh pairs 200 m apart, B in voice; A joins, leaves, joins again`);
  let rtt: AudioRttResult | null = null;
  let pairLoad: PairLoad | null = null;
  const join = await measureJoinToAudio(
    browser,
    relay.baseUrl,
    config.joinRuns,
    (first, again) => log(`  run ${String(first.run).padStart(2)}: ${describeRun(first)} · ${describeRun(again)}`),
    async (_peerA: MeshPeer, peerB: MeshPeer) => {
      log(`\n2. Audio round trip on the last pair: B's getStats() every ${config.rttIntervalMs} ms for ${config.rttWindowMs / 1000} s, and B's CPU meanwhile`);
      ({ rtt, pairLoad } = await measurePair(peerB, config));
    },
  );
  log(
    `\n3. CPU: a listener with 6 speakers 150 m around it; ${config.cpuWindowMs / 1000} s windows: idle in chat, all in voice, ` +
      `all in voice with the harness's audio probe paused`,
  );
  const cpu = await measureListenerCpu(browser, relay.baseUrl, config.cpuWindowMs, log);
  return { runs: join.runs, rtt, pairLoad, cpu, pageErrors: [...join.pageErrors, ...cpu.pageErrors] };
}

async function main(): Promise<number> {
  let config: VoiceBenchConfig;
  try {
    config = parseArgs(process.argv.slice(2));
  } catch (err: unknown) {
    if (!(err instanceof TypeError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  const startedAt = performance.now();
  let browser: Browser | null = null;
  let relay: RelayHandle | null = null;
  try {
    relay = await startRelay(config.appDir);
    browser = await chromium.launch(chromiumLaunchOptions());
    log(`Voice bench: Chromium ${browser.version()}, ${cpus().length} cores, relay and app at ${relay.baseUrl}${config.appDir === APP_DIR ? '' : ` (app from ${config.appDir})`}`);
    const { runs, rtt, pairLoad, cpu, pageErrors } = await runBench(browser, relay, config);
    const figures = [joinFigure(runs, 'first join'), joinFigure(runs, 'rejoin'), ...(rtt === null ? [] : rttFigures(rtt))];
    log(`\nJoin → first audio, per run (ms after A's click; B samples every ${SAMPLE_INTERVAL_MS} ms; "1st packet≈" from B's stats)\n${renderJoinRuns(runs)}`);
    log(`\n${renderFigures(figures)}`);
    if (rtt !== null) {
      log(
        `B's jitter buffer over the window: mean delay ${ms(rtt.jitterBufferDelayMs)}, target ${ms(rtt.jitterBufferTargetMs)}; ` +
          `${rtt.packetsReceived} packets, ${rtt.packetsLost} lost`,
      );
    }
    if (pairLoad !== null) {
      log(
        `Meanwhile B (one voice in, one out) used ${(pairLoad.bRendererCores * 100).toFixed(1)} % of a core in its renderer ` +
          `and applied ${pairLoad.bDescriptionsPerSecond.toFixed(1)} offers/answers a second${pairLoad.bDescriptionsPerSecond > 1 ? ': renegotiation never settles' : ''}`,
      );
    }
    log(`\nCPU, % of one core (${cpu.cores} cores; the listener's renderer is pid ${cpu.listenerRendererPid}; SDP/s: offers and answers applied in its page)`);
    log(renderCpu([cpu.idle, cpu.voice, cpu.voiceWithoutProbe]));
    const loaded = cpu.voice.listenerAudio;
    if (loaded !== null) {
      log(
        `Listener's audio over the K = ${cpu.k} window: RTT ${ms(loaded.remoteInboundRttMs)} (RTCP), ${ms(loaded.candidatePairRttMs)} (STUN); ` +
          `jitter buffer ${ms(loaded.jitterBufferDelayMs)} (target ${ms(loaded.jitterBufferTargetMs)}); ${loaded.packetsReceived} packets, ${loaded.packetsLost} lost`,
      );
    }
    const elapsedS = (performance.now() - startedAt) / 1000;
    log(`\nRan in ${elapsedS.toFixed(0)} s.`);
    writeJson(RESULTS_PATH, {
      date: new Date().toISOString(),
      environment: { node: process.version, chromium: browser.version(), cpuModel: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
      config: { ...config, sampleIntervalMs: SAMPLE_INTERVAL_MS },
      joinToFirstAudio: { figures: figures.slice(0, 2), runs },
      audioRtt: rtt,
      pairLoad,
      cpu,
      pageErrors,
      elapsedS,
    });
    log(`Results: ${RESULTS_PATH}`);
    if (pageErrors.length > 0) log(`Page errors:\n  ${pageErrors.join('\n  ')}`);
    const isWrongTone = runs.some((run) => run.heardHz === null || Math.abs(run.heardHz - A_TONE_HZ) > 15);
    return isWrongTone || pageErrors.length > 0 ? 1 : 0;
  } finally {
    await browser?.close();
    await relay?.relay.close();
  }
}

exitWith('voice bench', main);
