import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { PeerId } from '../../app/core/protocol.ts';
import { clientPool, startRelay, type RunningRelay } from './relay-harness.ts';

const PARIS_HOME = 'u09tvw';
const PARIS_NEXT_DOOR = 'u09tvx';
const PARIS_PREFIX = 'u09tv';
const LONDON_HOME = 'gcpvj0';
const ABSENT_ID = 'AAAAAAAAAAAAAAAAAAAAAA' as PeerId;

describe('relay signal forwarding', () => {
  let running: RunningRelay;
  const { connect, closeAll } = clientPool(() => running);

  before(async () => {
    running = await startRelay();
  });
  after(async () => {
    await closeAll();
    await running.relay.close();
  });

  test('forwards any JSON payload untouched, with `from` written by the relay', async () => {
    const alice = await connect();
    const bob = await connect();
    await alice.sync(PARIS_HOME, [PARIS_PREFIX]);
    await bob.sync(PARIS_NEXT_DOOR, [PARIS_PREFIX]);
    const payloads = [
      { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' },
      { candidate: 'a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
      null,
      ['nested', { deep: [1, 2.5, true] }],
      'plain text',
    ];
    for (const data of payloads) alice.signal(bob.id, data);
    for (const data of payloads) {
      const signal = await bob.next('signal');
      assert.equal(signal.from, alice.id);
      assert.deepEqual(signal.data, data);
    }
    // A sender that writes its own `from` is ignored: the relay's connection state wins,
    // wherever the field stands and however the text is spaced.
    alice.send({ type: 'signal', to: bob.id, from: bob.id, data: 'spoof' });
    assert.equal((await bob.next('signal')).from, alice.id);
    alice.sendRaw(`  {"from":"${bob.id}" , "type":"signal","to":"${bob.id}","data":"spoof 2"}`);
    assert.deepEqual(await bob.next('signal'), { type: 'signal', from: alice.id, data: 'spoof 2' });
    alice.sendRaw(`\n {"type":"signal","to":"${bob.id}","data":{"from":"${bob.id}"}}`);
    assert.deepEqual(await bob.next('signal'), { type: 'signal', from: alice.id, data: { from: bob.id } });
    const raw = new Promise<string>((resolve) => bob.ws.once('message', (data) => resolve(data.toString())));
    alice.sendRaw(`{"type":"signal","to":"${bob.id}","data":{"sdp":"v=0\\r\\n","n":1.50}}`);
    assert.equal(await raw, `{"from":"${alice.id}","type":"signal","to":"${bob.id}","data":{"sdp":"v=0\\r\\n","n":1.50}}`, 'data byte for byte');
    bob.signal(alice.id, { type: 'answer', sdp: 'v=0' });
    assert.equal((await alice.next('signal')).from, bob.id);
  });

  test('one watching the other is enough, in both directions', async () => {
    const narrow = await connect();
    const wide = await connect();
    await narrow.sync(PARIS_HOME, [PARIS_HOME]); // does not watch next door
    await wide.sync(PARIS_NEXT_DOOR, [PARIS_PREFIX]); // watches narrow's cell
    narrow.signal(wide.id, 'hello');
    assert.equal((await wide.next('signal')).from, narrow.id);
    wide.signal(narrow.id, 'hi');
    assert.equal((await narrow.next('signal')).from, wide.id);
  });

  test('refuses signals to strangers, unknown ids, oneself, and before joining; nothing is delivered', async () => {
    const alice = await connect();
    const stranger = await connect();
    await stranger.sync(LONDON_HOME, ['gcpvj']);

    alice.signal(stranger.id, 'before join');
    assert.equal((await alice.next('error')).code, 'not-joined');
    await alice.sync(PARIS_HOME, [PARIS_PREFIX]);

    alice.signal(stranger.id, 'to a stranger');
    assert.equal((await alice.next('error')).code, 'not-nearby');
    alice.signal(ABSENT_ID, 'to nobody');
    assert.equal((await alice.next('error')).code, 'unknown-peer');
    alice.signal(alice.id, 'to myself');
    assert.equal((await alice.next('error')).code, 'self-signal');

    // A connected peer that has left its cell is not present: no signals reach it.
    const gone = await connect();
    await gone.sync(PARIS_NEXT_DOOR, [PARIS_PREFIX]);
    gone.send({ type: 'leave' });
    await alice.next('peer-left');
    alice.signal(gone.id, 'to one who left');
    assert.equal((await alice.next('error')).code, 'unknown-peer');

    // Barrier: the relay answered every refused signal before these joins, so anything
    // it had forwarded would already be here.
    await stranger.sync(LONDON_HOME, ['gcpvj']);
    await gone.sync(PARIS_NEXT_DOOR, [PARIS_PREFIX]);
    assert.deepEqual(stranger.all('signal'), []);
    assert.deepEqual(gone.all('signal'), []);
    assert.deepEqual(alice.all('signal'), []);
    assert.equal(running.relay.metrics.signalsRefused.get('not-nearby'), 1);
    assert.equal(alice.isClosed, false, 'refused signals alone do not close a socket');
  });

  test('a peer opening links to 16 neighbours at once is never throttled', async () => {
    const newcomer = await connect();
    const neighbours = await Promise.all(Array.from({ length: 16 }, () => connect()));
    for (const neighbour of neighbours) await neighbour.sync(PARIS_NEXT_DOOR, [PARIS_PREFIX]);
    await newcomer.sync(PARIS_HOME, [PARIS_PREFIX]);
    // Per neighbour: an offer and 12 ICE candidates, all sent back to back, twice (an ICE restart).
    const perNeighbour = 26;
    for (let round = 0; round < perNeighbour; round += 1) {
      for (const neighbour of neighbours) newcomer.signal(neighbour.id, { round });
    }
    for (const neighbour of neighbours) {
      for (let round = 0; round < perNeighbour; round += 1) {
        assert.deepEqual((await neighbour.next('signal')).data, { round });
      }
    }
    assert.deepEqual(newcomer.all('error'), []);
  });
});
