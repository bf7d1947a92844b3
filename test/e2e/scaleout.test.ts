/**
 * Scale-out end to end: two relays sharing a real Redis, each serving the app; Alice's
 * page talks to the first, Bob's (`?relay=`) to the second, and they chat as on one relay.
 */

import { APP_DIR, startRelay, type RelayHandle } from '../fixture/relay-fixture.ts';
import { expect, test as meshTest } from '../fixture/mesh-fixture.ts';
import { RedisServer } from '../relay/redis-server.ts';

const LAT = 48.8566;
const LON = 2.3522;
const metresNorth = (metres: number): number => LAT + metres / 111_320;

/** Waits until the relay's /health says it reaches Redis. */
async function redisUp(relay: RelayHandle): Promise<void> {
  await expect
    .poll(async () => {
      const health: unknown = await (await fetch(`${relay.baseUrl}/health`)).json();
      return typeof health === 'object' && health !== null ? Reflect.get(health, 'redis') : undefined;
    })
    .toBe('up');
}

const test = meshTest.extend<{ redis: RedisServer; secondRelay: RelayHandle }>({
  redis: async ({}, use) => {
    const redis = await RedisServer.start();
    try {
      await use(redis);
    } finally {
      await redis.stop();
    }
  },
  // The fixture's relay, on Redis: pages load the app from it.
  relayServer: async ({ redis }, use) => {
    const relay = await startRelay(APP_DIR, { redisUrl: redis.url });
    try {
      await redisUp(relay);
      await use(relay);
    } finally {
      await relay.relay.close();
    }
  },
  // Pages from the first relay's origin open their WebSocket here, so it must allow that origin.
  secondRelay: async ({ redis, relayServer }, use) => {
    const relay = await startRelay(APP_DIR, { redisUrl: redis.url, allowedOrigins: [relayServer.baseUrl] });
    try {
      await redisUp(relay);
      await use(relay);
    } finally {
      await relay.relay.close();
    }
  },
});

test('two people on two relays sharing Redis find each other and chat', async ({ spawnPeer, relayServer, secondRelay }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(300), lon: LON, query: { relay: secondRelay.wsUrl } });
  await alice.expectNearby('Bob', '~300 m');
  await bob.expectNearby('Alice', '~300 m');
  await alice.say('Hello from the first relay');
  await bob.expectMessage('Hello from the first relay', { from: 'Alice', distance: '~300 m' });
  await bob.say('Hi from the second relay');
  await alice.expectMessage('Hi from the second relay', { from: 'Bob', distance: '~300 m' });
  // Each really is on its own relay: one client each, each knowing the other's peer through Redis.
  for (const relay of [relayServer, secondRelay]) {
    expect(relay.relay.hub.connectionCount).toBe(1);
    expect(relay.relay.hub.cells.remoteMemberCount).toBe(1);
  }
});
