/**
 * Relays sharing a real Redis, for scale-out tests: a redis-server of their own and
 * in-process relays pointed at it, with helpers that wait for Redis to be reachable.
 */

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { startRelay, waitFor, type RunningRelay } from './relay-harness.ts';
import type { RelayOptions } from '../../relay/relay-options.ts';

/** Short enough that a dead relay's peers vanish in about a second in tests. */
export const TEST_PRESENCE_TTL_MS = 900;

export interface RelayHealth {
  readonly status: string;
  readonly redis?: string;
  readonly peers: number;
  readonly remotePeers?: number;
}

/** GET /health, checked field by field. */
export async function readHealth(httpUrl: string): Promise<RelayHealth> {
  const body: unknown = await (await fetch(`${httpUrl}/health`)).json();
  if (typeof body !== 'object' || body === null) throw new Error('health is not an object');
  const status = Reflect.get(body, 'status');
  const redis = Reflect.get(body, 'redis');
  const peers = Reflect.get(body, 'peers');
  const remotePeers = Reflect.get(body, 'remotePeers');
  if (typeof status !== 'string' || typeof peers !== 'number') throw new Error(`unexpected health: ${JSON.stringify(body)}`);
  return {
    status,
    peers,
    ...(typeof redis === 'string' ? { redis } : {}),
    ...(typeof remotePeers === 'number' ? { remotePeers } : {}),
  };
}

/** GET /metrics, the value of one unlabelled series (NaN when absent). */
export async function readMetric(httpUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `) || candidate.startsWith(`${name}{`));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Polls /health until `redis` reads `state`. */
export async function waitForRedis(running: RunningRelay | string, state: 'up' | 'down'): Promise<void> {
  const httpUrl = typeof running === 'string' ? running : running.httpUrl;
  let last = '';
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const health = await readHealth(httpUrl);
    last = JSON.stringify(health);
    if (health.redis === state) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`redis never read "${state}" in /health; last: ${last}`);
}

/** Starts a relay on Redis at `url` and waits until it reaches it. */
export async function startRedisRelay(url: string, options: Partial<RelayOptions> = {}): Promise<RunningRelay> {
  const running = await startRelay({ redisUrl: url, redisPresenceTtlMs: TEST_PRESENCE_TTL_MS, ...options });
  await waitForRedis(running, 'up');
  return running;
}

export { waitFor };

/** Waits until none of `relays` knows a present peer, theirs or another's (between tests). */
export async function waitUntilEmpty(relays: readonly RunningRelay[]): Promise<void> {
  await waitFor(() => relays.every(({ relay }) => relay.hub.cells.memberCount === 0), 'every relay to forget every peer');
}

const MAIN = new URL('../../relay/main.ts', import.meta.url).pathname;

/** A relay in its own process (so a test can SIGKILL it), killed by pid at `stop()`. */
export interface RelayProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly output: string[];
  readonly exited: Promise<number | null>;
}

/** Spawns `relay/main.ts` with `args`; `env` is added to this process's environment. */
export function spawnRelayProcess(args: readonly string[], env: Record<string, string> = {}): RelayProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...process.env, ...env } });
  const output: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  const exited = once(child, 'exit').then(([code]) => (typeof code === 'number' ? code : null));
  return { child, output, exited };
}

/** The port a relay process logged that it listens on. */
export async function listeningPort(relay: RelayProcess): Promise<number> {
  let port = 0;
  await waitFor(() => {
    const match = /"msg":"relay listening".*?"port":(\d+)/.exec(relay.output.join(''));
    port = Number(match?.[1] ?? 0);
    return port > 0;
  }, 'the relay to log that it listens');
  return port;
}
