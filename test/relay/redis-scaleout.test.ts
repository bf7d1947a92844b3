import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { createClient } from '@redis/client';
import type { PeerId } from '../../app/core/protocol.ts';
import { cellRelaysKey, cellSliceKey, isRelayId, presenceChannel } from '../../relay/redis/redis-keys.ts';
import { TestClient, type RunningRelay } from './relay-harness.ts';
import { readMetric, startRedisRelay, waitUntilEmpty } from './redis-cluster.ts';
import { RedisServer } from './redis-server.ts';

// Paris: u09tvw and u09tvx share the precision-5 cell u09tv; u09ty0 lies in the next cell
// north, within 2 km. London (gcpvj0) is far from all of them.
const PARIS_HOME = 'u09tvw';
const PARIS_NEXT_DOOR = 'u09tvx';
const PARIS_CELL = 'u09tv';
const NORTH_HOME = 'u09ty0';
const NORTH_CELL = 'u09ty';
const LONDON_HOME = 'gcpvj0';
const ABSENT_ID = 'AAAAAAAAAAAAAAAAAAAAAA' as PeerId;

describe('relays sharing Redis', () => {
  let redis: RedisServer;
  let east: RunningRelay;
  let west: RunningRelay;
  const clients: TestClient[] = [];
  const connect = async (relay: RunningRelay): Promise<TestClient> => {
    const client = await TestClient.connect(relay.url);
    clients.push(client);
    return client;
  };

  before(async () => {
    redis = await RedisServer.start();
    east = await startRedisRelay(redis.url);
    west = await startRedisRelay(redis.url);
  });
  // Every test's clients leave with it, even when it fails, so the next starts from empty cells.
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await waitUntilEmpty([east, west]);
  });
  after(async () => {
    await Promise.all([east?.relay.close(), west?.relay.close()]);
    await redis?.stop();
  });

  test('a join lists the peers of the other relay, and they hear of the newcomer', async () => {
    const alice = await connect(east);
    const carol = await connect(east);
    const bob = await connect(west);
    await alice.sync(PARIS_HOME, [PARIS_CELL]);
    await carol.sync(LONDON_HOME, ['gcpvj']);
    bob.join(PARIS_NEXT_DOOR, [PARIS_CELL]);
    assert.deepEqual((await bob.next('peers')).peers, [{ id: alice.id, home: PARIS_HOME }]);
    assert.deepEqual(await alice.next('peer-joined'), { type: 'peer-joined', id: bob.id, home: PARIS_NEXT_DOOR });
    // A later joiner on the first relay is listed Bob as well, same cell first.
    const dave = await connect(east);
    dave.join(PARIS_NEXT_DOOR, [PARIS_CELL]);
    assert.deepEqual((await dave.next('peers')).peers, [
      { id: bob.id, home: PARIS_NEXT_DOOR },
      { id: alice.id, home: PARIS_HOME },
    ]);
    assert.equal((await bob.next('peer-joined')).id, dave.id);
    // Carol watches London only: a barrier join proves she heard nothing of Paris.
    await carol.sync(LONDON_HOME, ['gcpvj']);
    assert.deepEqual(carol.all('peer-joined'), []);
    await Promise.all([alice.close(), bob.close(), carol.close(), dave.close()]);
  });

  test('moves and leaves on one relay reach watchers on the other, as on one relay', async () => {
    const alice = await connect(east); // watches both cells
    const carol = await connect(east); // watches the Paris cell only
    const bob = await connect(west);
    await alice.sync(PARIS_HOME, [PARIS_CELL, NORTH_CELL]);
    await carol.sync(PARIS_HOME, [PARIS_CELL]);
    assert.equal((await alice.next('peer-joined')).id, carol.id, 'her neighbour on the same relay');
    await bob.sync(PARIS_NEXT_DOOR, [PARIS_CELL]);
    assert.equal((await alice.next('peer-joined')).id, bob.id);
    assert.equal((await carol.next('peer-joined')).id, bob.id);

    // Bob moves into the next precision-5 cell: Alice still sees him there, Carol sees him go.
    await bob.sync(NORTH_HOME, [NORTH_CELL]);
    assert.deepEqual(await alice.next('peer-joined'), { type: 'peer-joined', id: bob.id, home: NORTH_HOME });
    assert.equal((await carol.next('peer-left')).id, bob.id);
    // And back: Carol sees him again.
    await bob.sync(PARIS_NEXT_DOOR, [PARIS_CELL]);
    assert.deepEqual(await carol.next('peer-joined'), { type: 'peer-joined', id: bob.id, home: PARIS_NEXT_DOOR });
    assert.deepEqual(await alice.next('peer-joined'), { type: 'peer-joined', id: bob.id, home: PARIS_NEXT_DOOR });

    bob.send({ type: 'leave' });
    assert.equal((await alice.next('peer-left')).id, bob.id);
    assert.equal((await carol.next('peer-left')).id, bob.id);
    await bob.sync(PARIS_NEXT_DOOR, [PARIS_CELL]);
    assert.equal((await alice.next('peer-joined')).id, bob.id);
    await bob.close();
    assert.equal((await alice.next('peer-left')).id, bob.id);
    assert.equal((await carol.next('peer-left')).id, bob.id);
    // One event per change: a re-join barrier on Bob's side would have let duplicates through by now.
    await alice.sync(PARIS_HOME, [PARIS_CELL, NORTH_CELL]);
    assert.equal(alice.all('peer-joined').filter((frame) => frame.id === bob.id).length, 4);
    assert.equal(alice.all('peer-left').length, 2);
    await Promise.all([alice.close(), carol.close()]);
  });

  test('signals cross relays both ways, untouched, with `from` written by the relays', async () => {
    const alice = await connect(east);
    const bob = await connect(west);
    await alice.sync(PARIS_HOME, [PARIS_CELL]);
    await bob.sync(PARIS_NEXT_DOOR, [PARIS_CELL]);
    await alice.next('peer-joined');
    const payloads = [{ type: 'offer', sdp: 'v=0\r\n' }, { candidate: 'a=candidate:1 1 udp 1 127.0.0.1 5 typ host' }, null, 'text'];
    for (const data of payloads) alice.signal(bob.id, data);
    for (const data of payloads) assert.deepEqual(await bob.next('signal'), { type: 'signal', from: alice.id, data });
    // A spoofed `from` is the sender's own id by the time it arrives.
    alice.send({ type: 'signal', to: bob.id, from: bob.id, data: 'spoof' });
    assert.deepEqual(await bob.next('signal'), { type: 'signal', from: alice.id, data: 'spoof' });
    const raw = new Promise<string>((resolve) => bob.ws.once('message', (data) => resolve(data.toString())));
    alice.sendRaw(`{"type":"signal","to":"${bob.id}","data":{"n":1.50}}`);
    assert.equal(await raw, `{"from":"${alice.id}","type":"signal","to":"${bob.id}","data":{"n":1.50}}`, 'data byte for byte');
    for (let index = 0; index < 50; index += 1) bob.signal(alice.id, { index });
    for (let index = 0; index < 50; index += 1) assert.deepEqual((await alice.next('signal')).data, { index }, 'in order');
    assert.equal(east.relay.metrics.signalsForwarded.get() + west.relay.metrics.signalsForwarded.get(), 56);
    await Promise.all([alice.close(), bob.close()]);
  });

  test('one watching the other is enough across relays, in both directions', async () => {
    const narrow = await connect(east);
    const wide = await connect(west);
    await narrow.sync(PARIS_HOME, [PARIS_HOME]); // does not watch next door: east never follows Bob's cell for it
    await wide.sync(PARIS_NEXT_DOOR, [PARIS_CELL]);
    narrow.signal(wide.id, 'found through the directory');
    assert.equal((await wide.next('signal')).from, narrow.id);
    wide.signal(narrow.id, 'hi');
    assert.equal((await narrow.next('signal')).from, wide.id);
    await Promise.all([narrow.close(), wide.close()]);
  });

  test('strangers and unknown ids on other relays are refused; nothing is delivered', async () => {
    const alice = await connect(east);
    const stranger = await connect(west);
    const neighbour = await connect(west);
    await alice.sync(PARIS_HOME, [PARIS_CELL]);
    await stranger.sync(LONDON_HOME, ['gcpvj']);
    await neighbour.sync(PARIS_NEXT_DOOR, [PARIS_CELL]);

    alice.signal(stranger.id, 'to a stranger');
    const refusal = await alice.next('error');
    assert.equal(refusal.code, 'not-nearby');
    assert.match(refusal.message, /not near you/);
    stranger.signal(alice.id, 'from a stranger');
    assert.equal((await stranger.next('error')).code, 'not-nearby');
    alice.signal(ABSENT_ID, 'to nobody');
    assert.equal((await alice.next('error')).code, 'unknown-peer');
    // A peer that left is not signalled either.
    neighbour.send({ type: 'leave' });
    await alice.next('peer-left');
    alice.signal(neighbour.id, 'to one who left');
    assert.equal((await alice.next('error')).code, 'unknown-peer');

    // Barrier: a signal published after the refused ones, through the same channel, has arrived.
    await neighbour.sync(PARIS_NEXT_DOOR, [PARIS_CELL]);
    await alice.next('peer-joined');
    alice.signal(neighbour.id, 'barrier');
    assert.equal((await neighbour.next('signal')).data, 'barrier');
    await stranger.sync(LONDON_HOME, ['gcpvj']);
    assert.deepEqual(stranger.all('signal'), []);
    assert.deepEqual(alice.all('signal'), []);
    assert.deepEqual(neighbour.all('signal').map((signal) => signal.data), ['barrier']);
    assert.equal(alice.isClosed, false, 'refusals alone do not close a socket');
    await Promise.all([alice.close(), stranger.close(), neighbour.close()]);
  });

  test('peer ids are unique across relays', async () => {
    const ids = new Set<string>();
    for (let index = 0; index < 20; index += 1) {
      for (const relay of [east, west]) {
        const client = await connect(relay);
        ids.add(client.id);
        await client.close();
      }
    }
    assert.equal(ids.size, 40);
  });

  test('garbage in Redis (messages and snapshot entries) is counted and dropped, never trusted', async () => {
    const alice = await connect(east);
    const bob = await connect(west);
    await alice.sync(PARIS_HOME, [PARIS_CELL]);
    const vandal = createClient({ url: redis.url });
    vandal.on('error', () => undefined);
    await vandal.connect();
    try {
      const garbage = [
        'not json',
        '{"v":1,"t":"present","relay":"nope","id":"x","home":"u09tvw","watch":[]}',
        `{"v":1,"t":"present","relay":"AAAAAAAAAAAA","id":"${alice.id}","home":"zzzzzz!","watch":[]}`,
        `{"v":2,"t":"absent","relay":"AAAAAAAAAAAA","id":"${alice.id}"}`,
      ];
      for (const text of garbage) await vandal.publish(presenceChannel(PARIS_CELL), text);
      const fakeRelay = 'BBBBBBBBBBBB';
      assert.ok(isRelayId(fakeRelay));
      await vandal.sAdd(cellRelaysKey(PARIS_CELL), [fakeRelay, 'not a relay id']);
      await vandal.hSet(cellSliceKey(PARIS_CELL, fakeRelay), { [ABSENT_ID]: '{"home":"gcpvj0","watch":[]}', broken: '{' });
      const relayChannels = await vandal.pubSubChannels('neartalk:signals:*');
      for (const channel of relayChannels) {
        await vandal.publish(channel, `{"v":1,"t":"signal","relay":"AAAAAAAAAAAA","from":"${ABSENT_ID}","home":"u09tvw","watch":[],"to":"${alice.id}"}\n{"type":"join"}`);
        await vandal.publish(channel, `{"v":1,"t":"refused","to":"${alice.id}","peer":"${ABSENT_ID}","code":"shrug"}`);
      }
      assert.equal(relayChannels.length, 2, 'each relay listens on its own signal channel');
      // Bob's join loads the snapshot (the vandal's entries in it) and is answered all the same.
      await bob.sync(PARIS_NEXT_DOOR, [PARIS_CELL]);
      assert.deepEqual(bob.all('peers').at(-1)?.peers, [{ id: alice.id, home: PARIS_HOME }]);
      await alice.next('peer-joined');
      alice.signal(bob.id, 'still works');
      assert.equal((await bob.next('signal')).data, 'still works');
      assert.ok((await readMetric(east.httpUrl, 'neartalk_redis_invalid_messages_total')) >= 4);
      assert.ok((await readMetric(west.httpUrl, 'neartalk_redis_invalid_messages_total')) >= 2);
      await alice.sync(PARIS_HOME, [PARIS_CELL]);
      assert.deepEqual(alice.all('signal'), [], 'nothing forged reached a client');
      assert.deepEqual(alice.all('error'), []);
    } finally {
      await vandal.close();
    }
    await Promise.all([alice.close(), bob.close()]);
  });
});
