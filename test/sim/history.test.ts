import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatMessage } from '../../app/core/chat-message.ts';
import { quantizePosition } from '../../app/core/position.ts';
import { randomId, SessionIdentity } from '../../app/identity/session-identity.ts';
import { Harness, northOfCentre } from './sim-harness.ts';
import { waitFor } from './wait-for.ts';
import { proofFor } from '../fixture/proofs.ts';
import { SIM_POW_DIFFICULTY_BITS } from './node-options.ts';

const AUTHORS = 12;
const MESSAGES_PER_AUTHOR = 250;
/** One message every 6.5 s per author: under the 10-a-minute limit, 27 minutes of talk. */
const SPACING_MS = 6_500;

/** 30 minutes of a busy square: 3,000 signed messages, each author within its rate limit. */
async function busySquare(): Promise<ChatMessage[]> {
  const nowMs = Date.now();
  const messages: ChatMessage[] = [];
  for (let author = 0; author < AUTHORS; author += 1) {
    const identity = await SessionIdentity.create();
    const position = quantizePosition(northOfCentre(author * 5));
    for (let count = 0; count < MESSAGES_PER_AUTHOR; count += 1) {
      const sentAtMs = nowMs - count * SPACING_MS;
      const pow = proofFor(identity.publicKey, sentAtMs, SIM_POW_DIFFICULTY_BITS);
      messages.push(await identity.sign({ id: randomId(), username: `Author ${author}`, text: `message ${count}`, sentAtMs, position, radiusM: 1_000, pow }));
    }
  }
  return messages;
}

test('a newcomer to a square holding 3,000 messages gets each one once: ids first, then only bodies it lacks', async () => {
  const messages = await busySquare();
  const harness = await Harness.start({
    peers: Array.from({ length: 6 }, (_, index) => ({ position: northOfCentre(index * 15), radiusM: 1_000 })),
    policy: { degree: 3, degreeLow: 2, degreeHigh: 6 },
  });
  try {
    await harness.settle(1, 15_000);
    // Peer 0 learns the square's history (as if from people since gone); gossip spreads it.
    const source = harness.peer(0).node.router;
    const elsewhere = { linkKey: 'elsewhere', remoteId: 'elsewhere' as never, presence: { key: 'k', seq: 1, username: 'Gone', position: quantizePosition(northOfCentre(0)), radiusM: 1_000, inVoice: false, pow: { windowStartMs: 0, nonce: 0 }, signature: '' } };
    for (let start = 0; start < messages.length; start += 20) {
      await source.receive(elsewhere, { type: 'history', messages: messages.slice(start, start + 20) });
    }
    const everyone = harness.peers.map((peer) => peer.index);
    await waitFor(() => everyone.every((index) => harness.peer(index).node.router.store.size === messages.length), {
      timeoutMs: 60_000,
      describe: () => `stores ${harness.peers.map((peer) => peer.node.router.store.size).join(',')}`,
    });

    const newcomer = await harness.addPeer({ position: northOfCentre(40), radiusM: 1_000 });
    await waitFor(() => newcomer.node.router.store.size === messages.length, {
      timeoutMs: 60_000,
      describe: () => `the newcomer holds ${newcomer.node.router.store.size} of ${messages.length}`,
    });

    const bodies = harness.bodiesInto(newcomer.index);
    assert.equal(bodies.size, messages.length, 'every message reached the newcomer over its links');
    const twice = [...bodies].filter(([, count]) => count > 1);
    assert.deepEqual(twice, [], 'no body was sent to the newcomer twice, over one link or several');
    // Ids first: on each link, each side offers the other what it holds (in frames of up
    // to 200 ids), each id once. (The newcomer offers too: to a neighbour
    // whose link opened after it had pulled some messages elsewhere.) Counted on the
    // newcomer's links only: the others' links re-wire meanwhile and trade summaries of
    // their own.
    const offers = harness.mostOffersPerIdOnLinksOf(newcomer.index);
    assert.ok(offers.size > 0, 'ids were offered to the newcomer');
    for (const [link, mostOffers] of offers) assert.equal(mostOffers, 1, `an id was offered ${mostOffers} times over ${link}`);
  } finally {
    await harness.dispose();
  }
});
