/**
 * Relays sharing a real Redis, for scale-out tests: a redis-server of their own and
 * in-process relays pointed at it, with helpers that wait for Redis to be reachable.
 */

import { readHealth, startRelay, waitFor, type RunningRelay } from './relay-harness.ts';
import type { RelayOptions } from '../../relay/relay-options.ts';

/** Short enough that a dead relay's peers vanish in about a second in tests. */
export const TEST_PRESENCE_TTL_MS = 900;

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
