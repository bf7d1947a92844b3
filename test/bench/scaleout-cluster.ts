/**
 * The scale-out bench's servers: a redis-server and NearTalk relays pointed at it, all
 * pinned to the server core like the relay bench's servers (the load generator keeps
 * core 1), so one relay and several relays plus Redis get the same CPU to share.
 */

import { execFileSync } from 'node:child_process';
import { get } from 'node:http';
import { RedisServer } from '../relay/redis-server.ts';
import { readAffinity } from './proc-stats.ts';
import { SERVER_CORE, sleep, type ProcessTracker, type ServerProcess } from './server-process.ts';
import { startServer, type ServerPurpose } from './servers.ts';

const REDIS_UP_TIMEOUT_MS = 15_000;

export interface Cluster {
  readonly relays: readonly ServerProcess[];
  /** Null for the one-relay baseline (no Redis at all). */
  readonly redis: RedisServer | null;
  /** Every server pid (relays, then Redis): their CPU is the servers' CPU. */
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

function pinToServerCore(pid: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(SERVER_CORE), String(pid)], { stdio: 'ignore' });
  if (readAffinity(pid) !== String(SERVER_CORE)) throw new Error(`could not pin pid ${pid} to core ${SERVER_CORE}`);
}

function readHealth(port: number): Promise<string> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path: '/health', timeout: 1_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(body));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(''));
  });
}

/** Present peers of other relays known to the relay on `port` (from /health), or 0. */
export async function remotePeersOf(port: number): Promise<number> {
  const match = /"remotePeers":(\d+)/.exec(await readHealth(port));
  return Number(match?.[1] ?? 0);
}

/**
 * One relay without Redis (`relayCount` 1, `withRedis` false), or `relayCount` relays on
 * a fresh Redis, each reaching it before this resolves.
 */
export async function startCluster(
  relayCount: number,
  withRedis: boolean,
  purpose: ServerPurpose,
  tracker: ProcessTracker,
): Promise<Cluster> {
  const redis = withRedis ? await RedisServer.start() : null;
  const relays: ServerProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(relays.map((relay) => relay.stop()));
    await redis?.stop();
  };
  try {
    if (redis?.pid !== undefined) pinToServerCore(redis.pid);
    const extraArgs = redis === null ? [] : ['--redis-url', redis.url];
    for (let index = 0; index < relayCount; index += 1) {
      relays.push(await startServer('neartalk', purpose, tracker, { isInspectable: false, extraArgs }));
    }
    for (const relay of redis === null ? [] : relays) {
      const deadline = performance.now() + REDIS_UP_TIMEOUT_MS;
      while (!(await readHealth(relay.port)).includes('"redis":"up"')) {
        if (performance.now() > deadline) throw new Error(`relay on port ${relay.port} did not reach Redis`);
        await sleep(50);
      }
    }
  } catch (err: unknown) {
    await stop();
    throw err;
  }
  const pids = [...relays.map((relay) => relay.pid), ...(redis?.pid === undefined ? [] : [redis.pid])];
  return { relays, redis, pids, stop };
}
