import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createClient } from '@redis/client';
import { isPeerId } from '../../app/core/protocol.ts';
import { createLogger } from '../../relay/logger.ts';
import { TestClient } from './relay-harness.ts';
import { readMetric, startRedisRelay, TEST_PRESENCE_TTL_MS, waitForRedis } from './redis-cluster.ts';
import { listeningPort, spawnRelayProcess } from './relay-process.ts';
import { freePort, RedisServer } from './redis-server.ts';
import { readHealth, startRelay, type RunningRelay } from './relay-harness.ts';

const PARIS_HOME = 'u09tvw';
const PARIS_NEXT_DOOR = 'u09tvx';
const PARIS_CELL = 'u09tv';
const ABSENT_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** The README's bound: a dead relay's peers vanish within the TTL plus one heartbeat (a third of it). */
const CRASH_BOUND_MS = TEST_PRESENCE_TTL_MS + TEST_PRESENCE_TTL_MS / 3;
/** Room for timers and scheduling on a busy two-core machine, on top of the bound. */
const SCHEDULING_SLACK_MS = 1_500;

/** Resolves with `promise`, or rejects once `limitMs` has passed. */
async function within<T>(promise: Promise<T>, limitMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${limitMs} ms`)), limitMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('relays when a relay or Redis fails', () => {
  test(`the peers of a relay killed with SIGKILL vanish for the other relays' clients within TTL + TTL/3 (${CRASH_BOUND_MS} ms here)`, async () => {
    const redis = await RedisServer.start();
    const doomed = spawnRelayProcess([
      '--port', '0', '--host', '127.0.0.1',
      '--redis-url', redis.url, '--redis-presence-ttl-ms', String(TEST_PRESENCE_TTL_MS),
    ]);
    let survivor: RunningRelay | null = null;
    const clients: TestClient[] = [];
    try {
      survivor = await startRedisRelay(redis.url);
      const port = await listeningPort(doomed);
      await waitForRedis(`http://127.0.0.1:${port}`, 'up');
      const victim = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
      const watcher = await TestClient.connect(survivor.url);
      clients.push(victim, watcher);
      await watcher.sync(PARIS_HOME, [PARIS_CELL]);
      await victim.sync(PARIS_NEXT_DOOR, [PARIS_CELL]);
      assert.equal((await watcher.next('peer-joined')).id, victim.id);

      doomed.child.kill('SIGKILL');
      await doomed.exited;
      const left = await within(watcher.next('peer-left'), CRASH_BOUND_MS + SCHEDULING_SLACK_MS, "the dead relay's peer to vanish");
      assert.equal(left.id, victim.id);

      // Gone for signals and for newcomers too.
      watcher.signal(victim.id, 'anyone there?');
      assert.equal((await watcher.next('error')).code, 'unknown-peer');
      const newcomer = await TestClient.connect(survivor.url);
      clients.push(newcomer);
      newcomer.join(PARIS_NEXT_DOOR, [PARIS_CELL]);
      assert.deepEqual((await newcomer.next('peers')).peers, [{ id: watcher.id, home: PARIS_HOME }]);
    } finally {
      doomed.child.kill('SIGKILL');
      await Promise.all(clients.map((client) => client.close()));
      await survivor?.relay.close();
      await redis.stop();
    }
  });

  test('while Redis is down relays serve their own clients and say so; when it restarts they find each other again', async () => {
    const redis = await RedisServer.start();
    const relays: RunningRelay[] = [];
    const clients: TestClient[] = [];
    try {
      const east = await startRedisRelay(redis.url);
      relays.push(east);
      const west = await startRedisRelay(redis.url);
      relays.push(west);
      const alice = await TestClient.connect(east.url);
      const bob = await TestClient.connect(west.url);
      clients.push(alice, bob);
      await alice.sync(PARIS_HOME, [PARIS_CELL]);
      await bob.sync(PARIS_NEXT_DOOR, [PARIS_CELL]);
      assert.equal((await alice.next('peer-joined')).id, bob.id);

      await redis.stop();
      await waitForRedis(east, 'down');
      await waitForRedis(west, 'down');
      const health = await readHealth(east.httpUrl);
      assert.deepEqual([health.status, health.redis, health.peers], ['degraded', 'down', 1]);
      assert.equal(await readMetric(east.httpUrl, 'neartalk_redis_up'), 0);
      assert.equal(await readMetric(east.httpUrl, 'neartalk_redis_outages_total'), 1);

      // Local service goes on: a newcomer on Alice's relay meets her and signals her.
      const carol = await TestClient.connect(east.url);
      clients.push(carol);
      carol.join(PARIS_HOME, [PARIS_CELL]);
      // (Bob may still be listed: other relays' peers are kept for one TTL of the outage.)
      assert.ok((await carol.next('peers')).peers.some((peer) => peer.id === alice.id));
      assert.equal((await alice.next('peer-joined')).id, carol.id);
      carol.signal(alice.id, 'local');
      assert.deepEqual(await alice.next('signal'), { type: 'signal', from: carol.id, data: 'local' });
      // The other relay cannot be reached: a clear refusal, at once.
      alice.signal(bob.id, 'across');
      const refusal = await alice.next('error');
      assert.equal(refusal.code, 'unknown-peer');
      assert.match(refusal.message, /other relays cannot be reached/);
      // After a TTL without Redis, the other relay's peers are no longer shown.
      assert.equal((await alice.next('peer-left')).id, bob.id);
      assert.equal((await bob.next('peer-left')).id, alice.id);

      await redis.restart();
      await waitForRedis(east, 'up');
      await waitForRedis(west, 'up');
      assert.equal((await readHealth(east.httpUrl)).status, 'ok');
      // Each relay rewrote its part of the empty Redis and reloaded the other's.
      assert.equal((await alice.next('peer-joined')).id, bob.id);
      assert.equal((await bob.next('peer-joined', (frame) => frame.id === alice.id)).home, PARIS_HOME);
      await bob.next('peer-joined', (frame) => frame.id === carol.id);
      bob.signal(alice.id, 'back');
      assert.deepEqual(await alice.next('signal'), { type: 'signal', from: bob.id, data: 'back' });
      alice.signal(bob.id, 'welcome back');
      assert.deepEqual(await bob.next('signal'), { type: 'signal', from: alice.id, data: 'welcome back' });
      const dave = await TestClient.connect(west.url);
      clients.push(dave);
      dave.join(PARIS_NEXT_DOOR, [PARIS_CELL]);
      assert.deepEqual(new Set((await dave.next('peers')).peers.map((peer) => peer.id)), new Set([alice.id, bob.id, carol.id]));
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all(relays.map(({ relay }) => relay.close()));
      await redis.stop();
    }
  });

  test('a Redis that stalls (CLIENT PAUSE) past a load: the join is answered anyway and presence heals when it answers', async () => {
    const redis = await RedisServer.start();
    const relays: RunningRelay[] = [];
    const clients: TestClient[] = [];
    const admin = createClient({ url: redis.url });
    admin.on('error', () => undefined);
    try {
      await admin.connect();
      relays.push(await startRedisRelay(redis.url), await startRedisRelay(redis.url));
      const [east, west] = relays;
      if (east === undefined || west === undefined) throw new Error('two relays');
      const bob = await TestClient.connect(west.url);
      const alice = await TestClient.connect(east.url);
      clients.push(bob, alice);
      await bob.sync(PARIS_NEXT_DOOR, [PARIS_CELL]);
      await admin.sendCommand(['CLIENT', 'PAUSE', '2500', 'ALL']);
      alice.join(PARIS_HOME, [PARIS_CELL]);
      const listed = (await alice.next('peers')).peers;
      if (!listed.some((peer) => peer.id === bob.id)) await alice.next('peer-joined', (frame) => frame.id === bob.id);
      await bob.next('peer-joined', (frame) => frame.id === alice.id);
      alice.signal(bob.id, 'after the stall');
      assert.equal((await bob.next('signal')).data, 'after the stall');
    } finally {
      await admin.close().catch(() => undefined);
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all(relays.map(({ relay }) => relay.close()));
      await redis.stop();
    }
  });

  test("a relay whose keys expired while it lived (a stall) writes its presence again, and the others show its peers again", async () => {
    const redis = await RedisServer.start();
    const relays: RunningRelay[] = [];
    const clients: TestClient[] = [];
    const admin = createClient({ url: redis.url });
    admin.on('error', () => undefined);
    try {
      await admin.connect();
      relays.push(await startRedisRelay(redis.url), await startRedisRelay(redis.url));
      const [east, west] = relays;
      if (east === undefined || west === undefined) throw new Error('two relays');
      const alice = await TestClient.connect(east.url);
      const bob = await TestClient.connect(west.url);
      clients.push(alice, bob);
      await alice.sync(PARIS_HOME, [PARIS_CELL]);
      await bob.sync(PARIS_NEXT_DOOR, [PARIS_CELL]);
      assert.equal((await alice.next('peer-joined')).id, bob.id);
      // Expire Bob's relay as a stall past the TTL would: its liveness key and its slice go.
      const slices = await admin.keys(`neartalk:cell:${PARIS_CELL}:relay:*`);
      const bobsSlice = (await Promise.all(slices.map(async (key) => ((await admin.hExists(key, bob.id)) ? key : null)))).find((key) => key !== null);
      assert.ok(bobsSlice !== undefined && bobsSlice !== null);
      const westRelay = bobsSlice.slice(bobsSlice.lastIndexOf(':') + 1);
      await admin.del([bobsSlice, `neartalk:relay:${westRelay}`]);
      assert.equal((await alice.next('peer-left')).id, bob.id, 'the others take it for dead');
      assert.equal((await alice.next('peer-joined')).id, bob.id, 'it noticed at its next heartbeat and wrote itself back');
      assert.equal(Boolean(await admin.hExists(bobsSlice, bob.id)), true, "its slice holds Bob again");
      alice.signal(bob.id, 'back');
      assert.equal((await bob.next('signal')).data, 'back');
    } finally {
      await admin.close().catch(() => undefined);
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all(relays.map(({ relay }) => relay.close()));
      await redis.stop();
    }
  });

  test('with Redis never reachable a relay starts, serves its own clients, says so in /health, and logs it once', async () => {
    const lines: string[] = [];
    const port = await freePort(); // nothing listens there
    const running = await startRelay({ redisUrl: `redis://user:secret@127.0.0.1:${port}`, logger: createLogger('info', (line) => lines.push(line)) });
    const clients: TestClient[] = [];
    try {
      assert.deepEqual(await readHealth(running.httpUrl), { status: 'degraded', redis: 'down', peers: 0, remotePeers: 0 });
      const alice = await TestClient.connect(running.url);
      const bob = await TestClient.connect(running.url);
      clients.push(alice, bob);
      await alice.sync(PARIS_HOME, [PARIS_CELL]);
      bob.join(PARIS_NEXT_DOOR, [PARIS_CELL]);
      assert.deepEqual((await bob.next('peers')).peers, [{ id: alice.id, home: PARIS_HOME }]);
      assert.equal((await alice.next('peer-joined')).id, bob.id);
      bob.signal(alice.id, 'hello');
      assert.deepEqual(await alice.next('signal'), { type: 'signal', from: bob.id, data: 'hello' });
      assert.ok(isPeerId(ABSENT_ID));
      alice.signal(ABSENT_ID, 'nobody');
      assert.equal((await alice.next('error')).code, 'unknown-peer');

      // Several failed attempts, one log line: reconnecting never floods the log.
      const deadline = Date.now() + 10_000;
      while ((await readMetric(running.httpUrl, 'neartalk_redis_connection_errors_total')) < 4) {
        assert.ok(Date.now() < deadline, 'the relay keeps trying to reach Redis');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const redisErrors = lines.filter((line) => line.includes('"msg":"redis error"'));
      assert.equal(redisErrors.length, 1, lines.join(''));
      assert.equal(lines.join('').includes('secret'), false, 'the password never reaches the log');
      assert.equal(await readMetric(running.httpUrl, 'neartalk_redis_up'), 0);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await running.relay.close();
    }
  });

  for (const [what, args, env] of [
    ['an http: URL', ['--redis-url', 'http://127.0.0.1:6379'], {}],
    ['a REDIS_URL without a scheme', [], { REDIS_URL: '127.0.0.1:6379' }],
  ] as const) {
    test(`refuses ${what} at start with exit code 2`, async () => {
      const relay = spawnRelayProcess([...args, '--port', '0'], env);
      assert.equal(await relay.exited, 2);
      assert.match(relay.output.join(''), /(--redis-url|REDIS_URL) must be a URL like redis:\/\/127\.0\.0\.1:6379/);
    });
  }
});
