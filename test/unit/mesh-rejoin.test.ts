import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DropReason } from '../../app/core/chat-message.ts';
import { quantizePosition } from '../../app/core/position.ts';
import { PEER_PROTOCOL_VERSION } from '../../app/core/peer-protocol.ts';
import type { PeerId } from '../../app/core/protocol.ts';
import { PresenceSeqMemory } from '../../app/core/presence-seq-memory.ts';
import type { Mesh } from '../../app/net/mesh.ts';
import { FakeLink, meshOnFakeLinks } from './fake-mesh.ts';

const ME = 'mmmmmmmmmmmmmmmmmmmmmm' as PeerId;
const HOME = 'u09tvw';
const MY_CLAIM = { key: 'M'.repeat(87), seq: 1, username: 'Me', position: { lat: 48.8566, lon: 2.3522 }, radiusM: 500, inVoice: false, pow: { windowStartMs: 0, nonce: 0 } };
const ALICE = 'K'.repeat(87);

/** Alice's relay id on each of her page loads (a new one every time). */
const aliceId = (load: number): PeerId => `aaaaaaaaaaaaaaaaaaaaa${load}` as PeerId;

function presenceFrame(seq: number, username = 'Alice'): string {
  return JSON.stringify({
    type: 'presence',
    v: PEER_PROTOCOL_VERSION,
    presence: { key: ALICE, seq, username, position: quantizePosition({ lat: 48.8566, lon: 2.3522 }), radiusM: 500, inVoice: false, pow: { windowStartMs: 0, nonce: 0 }, signature: 'S'.repeat(86) },
  });
}

/** Waits until `condition` holds, letting queued promises run (bounded). */
async function settle(condition: () => boolean): Promise<void> {
  for (let round = 0; round < 200 && !condition(); round += 1) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(condition(), 'condition not reached');
}

function harness(): { mesh: Mesh; links: FakeLink[]; gone: string[]; drops: DropReason[]; connect: (from: PeerId, seq: number) => Promise<FakeLink> } {
  const gone: string[] = [];
  const drops: DropReason[] = [];
  const { mesh, links } = meshOnFakeLinks({
    policy: { degree: 4, degreeLow: 2, degreeHigh: 8 },
    events: { onNeighbourGone: (linkKey) => void gone.push(linkKey), onDrop: (reason) => void drops.push(reason) },
  });
  mesh.setRelayIdentity(ME, []);
  mesh.setSelf(MY_CLAIM, HOME);
  /** Alice dials us from relay id `from`; the link opens and she says who she is. */
  const connect = async (from: PeerId, seq: number): Promise<FakeLink> => {
    mesh.receiveSignal(from, { description: { type: 'offer', sdp: 'v=0' } });
    const link = links.at(-1);
    assert.ok(link !== undefined && link.remoteId === from);
    link.state = 'open';
    link.options.onOpen();
    const before = drops.length;
    link.options.onFrame(presenceFrame(seq));
    await settle(() => mesh.neighbours().some((neighbour) => neighbour.remoteId === from) || drops.length > before || link.state !== 'open');
    return link;
  };
  return { mesh, links, gone, drops, connect };
}

describe('a neighbour coming back (reload, reopened page)', () => {
  test('replaces its old link\'s entry: one neighbour for one key, under its new relay id', async () => {
    const { mesh, gone, connect } = harness();
    try {
      const before = await connect(aliceId(1), 7);
      // The old link still looks open (its page went without a goodbye); the reload's
      // first claim is numbered above everything the old one said.
      const after = await connect(aliceId(2), 1_007);
      assert.equal(before.state, 'closed', 'the old link is closed');
      assert.equal(after.state, 'open');
      assert.deepEqual(mesh.neighbours().map((neighbour) => [neighbour.remoteId, neighbour.presence.key]), [[aliceId(2), ALICE]]);
      assert.deepEqual(gone, [`${ME}|${aliceId(1)}`]);
    } finally {
      mesh.dispose();
    }
  });

  test('a first claim numbered below one the key already made is a replay, and refused', async () => {
    const { mesh, drops, connect } = harness();
    try {
      await connect(aliceId(1), 1_007);
      const replay = await connect(aliceId(3), 7);
      assert.deepEqual(drops, ['stale-presence']);
      assert.deepEqual(mesh.neighbours().map((neighbour) => neighbour.remoteId), [aliceId(1)]);
      assert.equal(replay.state, 'open', 'the link stays, but says nobody');
    } finally {
      mesh.dispose();
    }
  });

  test('the replay is refused even after the old link has gone', async () => {
    const { mesh, drops, connect } = harness();
    try {
      const first = await connect(aliceId(1), 1_007);
      first.close();
      await connect(aliceId(3), 1_006);
      assert.deepEqual(drops, ['stale-presence']);
      assert.deepEqual(mesh.neighbours(), []);
    } finally {
      mesh.dispose();
    }
  });

  test('one page reached twice with the same claim (a relay reconnect) keeps one link, chosen by relay ids', async () => {
    const { mesh, connect } = harness();
    try {
      const low = await connect(aliceId(1), 5);
      const high = await connect(aliceId(2), 5);
      // Pairs sort by relay ids: "aaa…1|mmm…" before "aaa…2|mmm…", so the first link stays.
      assert.equal(low.state, 'open');
      assert.equal(high.state, 'closed');
      assert.deepEqual(mesh.neighbours().map((neighbour) => neighbour.remoteId), [aliceId(1)]);
    } finally {
      mesh.dispose();
    }
  });
});

describe('presence number memory', () => {
  test('refuses numbers below the highest claimed, and forgets the least recently heard key first', () => {
    const memory = new PresenceSeqMemory(2);
    memory.remember('a', 10);
    memory.remember('b', 5);
    assert.equal(memory.isStale('a', 9), true);
    assert.equal(memory.isStale('a', 10), false, 'the same claim on a second link (relay reconnect) is not a replay');
    memory.remember('a', 3);
    assert.equal(memory.isStale('a', 9), true, 'a lower claim does not lower the mark');
    memory.remember('c', 1);
    assert.equal(memory.isStale('b', 0), false, 'b, heard of least recently, was forgotten');
    assert.equal(memory.isStale('a', 9), true);
    assert.throws(() => new PresenceSeqMemory(0), RangeError);
  });
});
