import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MESSAGE_TTL_MS } from '../../app/core/message-store.ts';
import { quantizePosition } from '../../app/core/position.ts';
import { randomId, SessionIdentity } from '../../app/identity/session-identity.ts';
import { Harness, northOfCentre } from './sim-harness.ts';
import { waitFor } from './wait-for.ts';
import { proofFor } from '../fixture/proofs.ts';
import { SIM_POW_DIFFICULTY_BITS } from './node-options.ts';


const cluster = (count: number, now?: (index: number) => (() => number) | undefined) =>
  Array.from({ length: count }, (_, index) => {
    const clock = now?.(index);
    return { position: northOfCentre(index * 20), radiusM: 500, ...(clock === undefined ? {} : { now: clock }) };
  });

test('an expired message, validly signed, is dropped and not forwarded', async () => {
  const harness = await Harness.start({ peers: cluster(8), policy: { degree: 2, degreeLow: 1, degreeHigh: 4 } });
  try {
    await harness.settle(1, 15_000);
    const someone = await SessionIdentity.create();
    const expired = await someone.sign({
      id: randomId(),
      username: 'Someone',
      text: 'old news',
      sentAtMs: Date.now() - MESSAGE_TTL_MS - 5_000,
      position: quantizePosition(northOfCentre(30)),
      radiusM: 500,
      // Valid when it was sent: only its age is wrong.
      pow: proofFor(someone.publicKey, Date.now() - MESSAGE_TTL_MS - 5_000, SIM_POW_DIFFICULTY_BITS),
    });
    const [target] = harness.network.registry.neighboursOf(0);
    assert.ok(target !== undefined, 'peer 0 has a neighbour');
    harness.injectRaw(0, target, JSON.stringify({ type: 'chat', message: expired }));
    const barrier = await harness.say(0, 'barrier');
    await harness.waitForDelivery(barrier.id, harness.peers.map((peer) => peer.index), 5_000);

    assert.equal(harness.drops('expired'), 1);
    assert.deepEqual(harness.holders(expired.id), []);
    assert.deepEqual([...harness.sendsOf(expired.id)], [], 'nobody passed it on');
  } finally {
    await harness.dispose();
  }
});

test('a peer whose clock is 30 minutes on links to nobody, so it holds and forwards nothing of theirs', async () => {
  // Before proofs of work it linked and judged every message expired (the router test above
  // covers that judgement). Now its proof's window lies in the others' future and theirs
  // are stale by its clock, so the link is refused at the first claim, both ways.
  const skewed = 3;
  const harness = await Harness.start({
    peers: cluster(8, (index) => (index === skewed ? () => Date.now() + MESSAGE_TTL_MS : undefined)),
    policy: { degree: 2, degreeLow: 1, degreeHigh: 4 },
  });
  try {
    const others = harness.peers.map((peer) => peer.index).filter((index) => index !== skewed);
    // One group among the others, not merely everyone linked: pairs that found each other
    // first join up only in the periodic rounds that fill to D, and a message sent before
    // that reaches only the author's island (CI caught it once links formed faster).
    const groups = (): number => harness.network.registry.componentCount(others);
    await waitFor(() => harness.drops('no-proof') >= 1 && others.every((index) => harness.peer(index).node.mesh.neighbours().length >= 1) && groups() === 1, {
      timeoutMs: 30_000,
      describe: () => `no-proof drops ${harness.drops('no-proof')}, links ${harness.linkCounts().join(',')}, ${groups()} groups`,
    });
    const message = await harness.say(0, 'fresh for most');
    await harness.waitForDelivery(message.id, others, 5_000);
    const barrier = await harness.say(0, 'barrier');
    await harness.waitForDelivery(barrier.id, others, 5_000);

    assert.deepEqual(harness.peer(skewed).node.mesh.neighbours(), []);
    assert.equal(harness.peer(skewed).node.router.store.has(message.id), false);
    assert.equal(harness.sendsOf(message.id).get(skewed) ?? 0, 0, 'the skewed peer forwarded nothing');
  } finally {
    await harness.dispose();
  }
});
