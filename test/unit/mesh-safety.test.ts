import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import type { DropReason } from '../../app/core/chat-message.ts';
import { PEER_PROTOCOL_VERSION } from '../../app/core/peer-protocol.ts';
import type { PeerId } from '../../app/core/protocol.ts';
import { quantizePosition } from '../../app/core/position.ts';
import { meshOnFakeLinks, type FakeLink, type FakeMeshOptions } from './fake-mesh.ts';

const ME = 'mmmmmmmmmmmmmmmmmmmmmm' as PeerId;
const BOB = 'bbbbbbbbbbbbbbbbbbbbbb' as PeerId;
const HOME = 'u09tvw';
const POSITION = quantizePosition({ lat: 48.8566, lon: 2.3522 });
const CLAIM = { key: 'k'.repeat(87), seq: 1, username: 'Me', position: POSITION, radiusM: 500, inVoice: false, pow: { windowStartMs: 0, nonce: 0 } };
const BOB_KEY = 'B'.repeat(87);
const bobPresence = JSON.stringify({
  type: 'presence',
  v: PEER_PROTOCOL_VERSION,
  presence: { key: BOB_KEY, seq: 1, username: 'Bob', position: POSITION, radiusM: 500, inVoice: false, pow: { windowStartMs: 0, nonce: 0 }, signature: 's'.repeat(86) },
});
const OFFER = { description: { type: 'offer', sdp: 'v=0' } };

/** Lets the link entry's frame queue (promises) run. */
const settle = async (): Promise<void> => {
  for (let round = 0; round < 10; round += 1) await Promise.resolve();
};

/** A mesh of ours with Bob's dial taken and its link open, before he has said anything on it. */
function bobsLinkOpen(options: Omit<FakeMeshOptions, 'policy'>): ReturnType<typeof meshOnFakeLinks> & { link: FakeLink } {
  const fake = meshOnFakeLinks({ ...options, policy: { degree: 2, degreeLow: 1, degreeHigh: 4 } });
  fake.mesh.setRelayIdentity(ME, []);
  fake.mesh.setSelf(CLAIM, HOME);
  fake.mesh.receiveSignal(BOB, OFFER);
  const link = fake.links[0];
  assert.ok(link !== undefined, 'the dial is taken: nothing is known of Bob yet');
  link.state = 'open';
  return { ...fake, link };
}

describe('mesh safety', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  test('a blocked key is not linked: its claim closes the link, and its next dial is answered busy, as a full peer answers', async () => {
    const sentSignals: Array<{ to: string; data: unknown }> = [];
    const presences: string[] = [];
    const { mesh, links, link } = bobsLinkOpen({
      isBlocked: (key) => key === BOB_KEY,
      sentSignals,
      events: { onPresence: (neighbour) => void presences.push(neighbour.presence.key) },
    });
    link.options.onFrame(bobPresence);
    await settle();
    assert.equal(link.state, 'closed', 'closed once his claim names a blocked key');
    assert.deepEqual(presences, [], 'never a neighbour');
    assert.ok(!sentSignals.some(({ data }) => JSON.stringify(data).includes('block')), 'no "blocked" frame');

    mesh.receiveSignal(BOB, OFFER);
    assert.equal(links.length, 1, 'his next dial makes no link');
    assert.deepEqual(sentSignals.at(-1), { to: BOB, data: { busy: true } });
    mesh.dispose();
  });

  test('a claim without a valid proof of work is dropped, its link closed, and its dials refused for a while', async () => {
    const drops: DropReason[] = [];
    const sentSignals: Array<{ to: string; data: unknown }> = [];
    let nowMs = 1_000_000;
    const { mesh, links, link } = bobsLinkOpen({
      acceptsProof: () => false,
      sentSignals,
      now: () => nowMs,
      events: { onDrop: (reason) => void drops.push(reason) },
    });
    link.options.onFrame(bobPresence);
    await settle();
    assert.deepEqual(drops, ['no-proof']);
    assert.equal(link.state, 'closed');
    assert.deepEqual(mesh.neighbours(), []);

    // Its dials are answered busy for a while rather than costing a handshake each time...
    mesh.receiveSignal(BOB, OFFER);
    assert.equal(links.length, 1, 'the next dial makes no link');
    assert.deepEqual(sentSignals.at(-1), { to: BOB, data: { busy: true } });
    // ...but not for ever: a relay id is not a key, and the hold-off ends as after a prune.
    nowMs += 60_001;
    mesh.receiveSignal(BOB, OFFER);
    assert.equal(links.length, 2, 'a dial after the hold-off is taken');
    mesh.dispose();
  });

  test('hints and chat on a link whose peer has not said who it is are dropped as unannounced, not taken as malformed', async () => {
    const drops: DropReason[] = [];
    const { mesh, link } = bobsLinkOpen({ acceptsProof: () => false, events: { onDrop: (reason) => void drops.push(reason) } });
    const hint = { id: 'cccccccccccccccccccccc', position: POSITION, radiusM: 500, inVoice: false };
    link.options.onFrame(JSON.stringify({ type: 'peers', peers: [hint] }));
    link.options.onFrame(JSON.stringify({ type: 'have', ids: ['m'.repeat(22)] }));
    await settle();
    assert.deepEqual(drops, ['unannounced', 'unannounced']);
    mesh.dispose();
  });
});
