import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isPeerId, PROTOCOL_VERSION } from '../../app/core/protocol.ts';
import { clientPool, startRelay, type RunningRelay } from './relay-harness.ts';

// Paris: u09tvw and u09tvx share the precision-5 prefix u09tv; u09ty is about 800 m away.
// London (gcpvj0) is far from all of them.
const PARIS_HOME = 'u09tvw';
const PARIS_NEXT_DOOR = 'u09tvx';
const PARIS_PREFIX = 'u09tv';
const LONDON_HOME = 'gcpvj0';

describe('relay presence', () => {
  let running: RunningRelay;
  const { connect, closeAll } = clientPool(() => running);

  before(async () => {
    running = await startRelay({ iceServers: [{ urls: 'stun:stun.neartalk.test:3478' }] });
  });
  after(async () => {
    await closeAll();
    await running.relay.close();
  });

  test('welcomes each client with a fresh 128-bit id, the ICE servers and the protocol version', async () => {
    const ids = new Set<string>();
    for (let index = 0; index < 50; index += 1) {
      const client = await connect();
      assert.ok(isPeerId(client.id));
      ids.add(client.id);
      const welcome = client.received[0];
      assert.equal(welcome?.type, 'welcome');
      if (welcome?.type !== 'welcome') return;
      assert.deepEqual(welcome.iceServers, [{ urls: 'stun:stun.neartalk.test:3478' }]);
      assert.equal(welcome.protocol, PROTOCOL_VERSION);
      await client.close();
    }
    assert.equal(ids.size, 50, 'ids are never reused');
  });

  test('a join is answered with the present peers whose home starts with a watched prefix', async () => {
    const alice = await connect();
    const bob = await connect();
    const carol = await connect();
    await alice.sync(PARIS_HOME, [PARIS_PREFIX]);
    await carol.sync(LONDON_HOME, ['gcpvj']);
    bob.join(PARIS_NEXT_DOOR, [PARIS_PREFIX]);
    const peers = await bob.next('peers');
    assert.deepEqual(peers.peers, [{ id: alice.id, home: PARIS_HOME }]);
    const joined = await alice.next('peer-joined');
    assert.deepEqual(joined, { type: 'peer-joined', id: bob.id, home: PARIS_NEXT_DOOR });
    // Carol watches London only: a barrier join proves she was told nothing about Paris.
    await carol.sync(LONDON_HOME, ['gcpvj']);
    assert.deepEqual(carol.all('peer-joined'), []);
    await Promise.all([alice.close(), bob.close(), carol.close()]);
  });

  test('a precision-6 watch sees only that cell, and peers in the same cell are listed first', async () => {
    const near = await connect();
    const sameCell = await connect();
    const watcher = await connect();
    await near.sync(PARIS_NEXT_DOOR, [PARIS_NEXT_DOOR]);
    await sameCell.sync(PARIS_HOME, [PARIS_HOME]);
    watcher.join(PARIS_HOME, [PARIS_HOME]);
    assert.deepEqual((await watcher.next('peers')).peers, [{ id: sameCell.id, home: PARIS_HOME }]);
    watcher.join(PARIS_HOME, [PARIS_PREFIX, PARIS_HOME]);
    const both = (await watcher.next('peers')).peers;
    assert.deepEqual(both[0], { id: sameCell.id, home: PARIS_HOME });
    assert.deepEqual(new Set(both.map((peer) => peer.id)), new Set([sameCell.id, near.id]));
    await Promise.all([near.close(), sameCell.close(), watcher.close()]);
  });

  test('moves and leaves stream peer-joined and peer-left to watchers', async () => {
    const alice = await connect();
    const bob = await connect();
    await alice.sync(PARIS_HOME, [PARIS_HOME]);
    await bob.sync(PARIS_HOME, [PARIS_PREFIX]);
    assert.equal((await alice.next('peer-joined')).id, bob.id);

    // Bob moves next door: out of Alice's precision-6 watch.
    bob.join(PARIS_NEXT_DOOR, [PARIS_PREFIX]);
    assert.equal((await alice.next('peer-left')).id, bob.id);
    // Alice widens her watch: she is listed Bob, and Bob is not told anything new.
    alice.join(PARIS_HOME, [PARIS_PREFIX]);
    assert.deepEqual((await alice.next('peers')).peers, [{ id: bob.id, home: PARIS_NEXT_DOOR }]);
    // Bob moves inside her view: she hears his new home.
    bob.join(PARIS_HOME, [PARIS_PREFIX]);
    assert.deepEqual(await alice.next('peer-joined'), { type: 'peer-joined', id: bob.id, home: PARIS_HOME });
    // Re-joining the same home with a new watch list is no news to Alice.
    await bob.sync(PARIS_HOME, [PARIS_PREFIX, 'u09ty']);
    await alice.sync(PARIS_HOME, [PARIS_PREFIX]);
    assert.equal(alice.all('peer-joined').length, 2);

    bob.send({ type: 'leave' });
    assert.equal((await alice.next('peer-left')).id, bob.id);
    assert.equal(bob.isClosed, false, 'leave keeps the socket');
    await bob.sync(PARIS_HOME, [PARIS_PREFIX]);
    assert.equal((await alice.next('peer-joined')).id, bob.id);

    await bob.close();
    assert.equal((await alice.next('peer-left')).id, bob.id);
    await alice.close();
  });

  test('a watch prefix more than 2 km from the home cell is refused', async () => {
    const client = await connect();
    client.join(PARIS_HOME, [PARIS_PREFIX, 'u09ts']);
    const error = await client.next('error');
    assert.equal(error.code, 'bad-frame');
    assert.match(error.message, /u09ts.*2 km/);
    assert.equal(running.relay.hub.cells.homeOf(client.id), undefined, 'nothing was joined');
    await client.close();
  });
});
