import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PRESENCE_FULL_VIEW, PRESENCE_SAMPLE_SIZE } from '../../app/core/protocol.ts';
import { DEFAULT_PRESENCE_LIMITS } from '../../relay/cell-index.ts';
import { TestClient, waitFor, type RunningRelay } from './relay-harness.ts';
import { startRedisRelay, waitUntilEmpty } from './redis-cluster.ts';
import { RedisServer } from './redis-server.ts';

// A crowd of 600 in one cell, spread over two relays sharing Redis.
const PER_RELAY = 300;
const HOME = 'u09tvw';
const WATCH = ['u09tv'];

describe('crowd presence across relays sharing Redis (protocol 2)', () => {
  let redis: RedisServer;
  let east: RunningRelay;
  let west: RunningRelay;
  const crowd: TestClient[] = [];
  const presenceSent = (relay: RunningRelay): number => {
    const out = relay.relay.metrics.framesOut;
    return out.get('peer-joined') + out.get('peer-left') + out.get('peers');
  };

  before(async () => {
    redis = await RedisServer.start();
    east = await startRedisRelay(redis.url, { maxConnectionsPerIp: 1_000 });
    west = await startRedisRelay(redis.url, { maxConnectionsPerIp: 1_000 });
    for (const relay of [east, west]) {
      for (let start = 0; start < PER_RELAY; start += 50) {
        const batch = await Promise.all(Array.from({ length: 50 }, () => TestClient.connect(relay.url)));
        await Promise.all(batch.map((client) => client.sync(HOME, WATCH)));
        crowd.push(...batch);
      }
    }
    // Each relay knows the other's 300 as remote peers.
    await waitFor(() => east.relay.hub.cells.memberCount === 2 * PER_RELAY && west.relay.hub.cells.memberCount === 2 * PER_RELAY, 'both relays to know the whole crowd');
  });
  after(async () => {
    await Promise.all(crowd.map((client) => client.close()));
    await waitUntilEmpty([east, west]);
    await Promise.all([east?.relay.close(), west?.relay.close()]);
    await redis?.stop();
  });

  test('a newcomer on one relay is told to a bounded few on the other, and listed in a sample there', async () => {
    const westBefore = presenceSent(west);
    const newcomer = await TestClient.connect(east.url);
    await newcomer.sync(HOME, WATCH);
    await waitFor(() => west.relay.hub.cells.homeOf(newcomer.id) === HOME, 'the other relay to hear of the newcomer');
    // A barrier on the other relay: its own re-join is answered after the remote arrival was handled.
    const westClient = crowd[PER_RELAY];
    assert.ok(westClient !== undefined);
    await westClient.sync(HOME, WATCH);
    const told = presenceSent(west) - westBefore - 1;
    assert.ok(told > 0 && told <= DEFAULT_PRESENCE_LIMITS.arrivalFanout, `the other relay sent ${told} frames for one remote arrival`);
    const answer = westClient.all('peers').at(-1);
    assert.equal(answer?.sampled, true);
    assert.equal(answer?.peers.length, PRESENCE_SAMPLE_SIZE);
    assert.ok(PER_RELAY * 2 > PRESENCE_FULL_VIEW);
    await newcomer.close();
  });
});
