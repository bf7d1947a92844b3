/** `npm run bench:mesh` command line → a simulation config. Pure; throws a TypeError naming a bad flag. */

import { parseArgs } from 'node:util';
import { DEFAULT_RELAY_LATENCY } from './in-process-relay.ts';
import { DEFAULT_LINK_PROFILE } from './link-profile.ts';
import type { SimConfig } from './mesh-sim.ts';
import { checkPolicy, type SimPolicy } from './node-options.ts';
import { DEFAULT_SCENARIO, defaultAuthorCount } from './scenario.ts';

export const USAGE = `npm run bench:mesh -- --peers N [options]
  --peers N            simulated people (default 50)
  --transport T        memory | webrtc (default memory)
  --relay R            hub (the relay's rules in process, default) | ws (the real relay on 127.0.0.1)
  --loss P             memory: loss per transmission, 0–0.5, retransmitted (default 0)
  --seed S             scenario seed, an integer (default 1)
  --duration D         first arrival to last message, e.g. 60s, 2m, 90000ms (default 60s)
  --window D           a delivery counts within this time of sending (default 10s)
  --authors N          people talking (default: one in ten, 3–20)
  --degree D --degree-low L --degree-high H
                       the connection policy (default: the app's own)
  --latency MS --jitter MS --rto MS --connect MS --fail P
                       memory: one-way latency, jitter, first retransmission timeout,
                       connect delay, share of links that never open
  --json PATH          also write the report as JSON
  --repeat N           N runs, each in a process of its own, then the median and the
                       worst of their p50s and p99s (default 1)
  --seeds same|fresh   with --repeat: every run on --seed (default), or seeds
                       --seed, --seed+1, …
  --workers N          run the peers over N workers, the relay in the main thread
                       (default 1: every peer in one event loop): worker threads with
                       the memory transport, child processes with WebRTC. --relay hub
                       only
  --slow-motion K      memory: every clock and timer runs K times slower than real time
                       (1–50, default 1), so each peer gets K times the CPU per simulated
                       second; a run of D takes about K × D`;

export interface BenchArgs {
  readonly sim: Omit<SimConfig, 'onProgress'>;
  readonly jsonPath: string | null;
  /** Runs to make (each its own process) and whether each takes the next seed. */
  readonly repeat: number;
  readonly isFreshSeedEachRun: boolean;
  /** Worker threads the peers run over (1: all in the main thread, as before). */
  readonly workers: number;
}

/** "60s", "2m", "1500ms", or a bare number of seconds → milliseconds. */
export function parseDurationMs(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (match === null) throw new TypeError(`--${flag} must be a duration like 60s, 2m or 1500ms, got "${text}"`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(unit === 'ms' ? value : unit === 'm' ? value * 60_000 : value * 1000);
}

function numberFlag(values: Record<string, unknown>, flag: string, fallback: number, check: (value: number) => boolean, what: string): number {
  const text = values[flag];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(value) || !check(value)) {
    throw new TypeError(`--${flag} must be ${what}, got "${String(text)}"`);
  }
  return value;
}

const isWhole = (min: number, max: number) => (value: number): boolean => Number.isInteger(value) && value >= min && value <= max;
const isBetween = (min: number, max: number) => (value: number): boolean => value >= min && value <= max;

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const text = { type: 'string' } as const;
  const { values } = parseArgs({
    args: [...argv],
    options: {
      peers: text, transport: text, relay: text, loss: text, seed: text, duration: text, window: text, authors: text,
      degree: text, 'degree-low': text, 'degree-high': text,
      latency: text, jitter: text, rto: text, connect: text, fail: text, json: text, repeat: text, seeds: text, workers: text, 'slow-motion': text,
    },
    strict: true,
  });
  const peerCount = numberFlag(values, 'peers', 50, isWhole(2, 20_000), 'a whole number from 2 to 20000');
  const transport = values.transport ?? 'memory';
  if (transport !== 'memory' && transport !== 'webrtc') throw new TypeError(`--transport must be memory or webrtc, got "${transport}"`);
  const relay = values.relay ?? 'hub';
  if (relay !== 'hub' && relay !== 'ws') throw new TypeError(`--relay must be hub or ws, got "${relay}"`);
  const lossRate = numberFlag(values, 'loss', 0, isBetween(0, 0.5), 'a probability from 0 to 0.5');
  if (lossRate > 0 && transport !== 'memory') throw new TypeError('--loss applies to the memory transport only');
  const hasPolicy = values.degree !== undefined || values['degree-low'] !== undefined || values['degree-high'] !== undefined;
  let policy: SimPolicy | null = null;
  if (hasPolicy) {
    const degree = numberFlag(values, 'degree', 6, isWhole(1, 64), 'a whole number from 1 to 64');
    policy = checkPolicy({
      degree,
      degreeLow: numberFlag(values, 'degree-low', Math.max(1, Math.ceil((degree * 2) / 3)), isWhole(1, 64), 'a whole number from 1 to 64'),
      degreeHigh: numberFlag(values, 'degree-high', degree * 2, isWhole(1, 128), 'a whole number from 1 to 128'),
    });
  }
  const durationMs = values.duration === undefined ? DEFAULT_SCENARIO.durationMs : parseDurationMs(values.duration, 'duration');
  if (durationMs < 10_000) throw new TypeError('--duration must be at least 10s');
  const workers = numberFlag(values, 'workers', 1, isWhole(1, 16), 'a whole number from 1 to 16');
  if (workers > 1 && relay !== 'hub') throw new TypeError('--workers needs --relay hub (the in-process relay, in the main thread)');
  const slowMotion = numberFlag(values, 'slow-motion', 1, isBetween(1, 50), 'a factor from 1 to 50');
  // libdatachannel's ICE and SCTP timers run in real time; only the memory links can be slowed.
  if (slowMotion > 1 && transport !== 'memory') throw new TypeError('--slow-motion applies to the memory transport only');
  const seeds = values.seeds ?? 'same';
  if (seeds !== 'same' && seeds !== 'fresh') throw new TypeError(`--seeds must be same or fresh, got "${seeds}"`);
  return {
    repeat: numberFlag(values, 'repeat', 1, isWhole(1, 20), 'a whole number from 1 to 20'),
    isFreshSeedEachRun: seeds === 'fresh',
    workers,
    sim: {
      transport,
      relay,
      seed: numberFlag(values, 'seed', 1, isWhole(0, 2 ** 32 - 1), 'a whole number from 0 to 4294967295'),
      scenario: {
        ...DEFAULT_SCENARIO,
        durationMs,
        peerCount,
        authorCount: numberFlag(values, 'authors', defaultAuthorCount(peerCount), isWhole(1, peerCount), `a whole number from 1 to ${peerCount}`),
      },
      profile: {
        ...DEFAULT_LINK_PROFILE,
        lossRate,
        latencyMs: numberFlag(values, 'latency', DEFAULT_LINK_PROFILE.latencyMs, isBetween(0, 10_000), 'milliseconds from 0 to 10000'),
        jitterMs: numberFlag(values, 'jitter', DEFAULT_LINK_PROFILE.jitterMs, isBetween(0, 10_000), 'milliseconds from 0 to 10000'),
        rtoMs: numberFlag(values, 'rto', DEFAULT_LINK_PROFILE.rtoMs, isBetween(1, 60_000), 'milliseconds from 1 to 60000'),
        connectDelayMs: numberFlag(values, 'connect', DEFAULT_LINK_PROFILE.connectDelayMs, isBetween(0, 60_000), 'milliseconds from 0 to 60000'),
        failRate: numberFlag(values, 'fail', DEFAULT_LINK_PROFILE.failRate, isBetween(0, 1), 'a probability from 0 to 1'),
      },
      relayLatency: DEFAULT_RELAY_LATENCY,
      policy,
      windowMs: values.window === undefined ? 10_000 : parseDurationMs(values.window, 'window'),
      slowMotion,
    },
    jsonPath: values.json ?? null,
  };
}
