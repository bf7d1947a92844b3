import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quantizePosition } from '../../app/core/position.ts';
import { randomId, SessionIdentity } from '../../app/identity/session-identity.ts';
import { Harness, northOfCentre } from './sim-harness.ts';
import { proofFor } from '../fixture/proofs.ts';
import { SIM_POW_DIFFICULTY_BITS } from './node-options.ts';


test('a forged message is dropped at the first hop and reaches nobody', async () => {
  const harness = await Harness.start({
    peers: Array.from({ length: 8 }, (_, index) => ({ position: northOfCentre(index * 20), radiusM: 500 })),
    policy: { degree: 2, degreeLow: 1, degreeHigh: 4 },
  });
  try {
    await harness.settle(1, 15_000);
    // A real signature over other words: the text was changed after signing.
    const someone = await SessionIdentity.create();
    const sentAtMs = Date.now();
    const pow = proofFor(someone.publicKey, sentAtMs, SIM_POW_DIFFICULTY_BITS);
    const genuine = await someone.sign({ id: randomId(), username: 'Mallory', text: 'meet at noon', sentAtMs, position: quantizePosition(northOfCentre(30)), radiusM: 500, pow });
    const forged = { ...genuine, text: 'meet at midnight' };
    const [target] = harness.network.registry.neighboursOf(0);
    assert.ok(target !== undefined, 'peer 0 has a neighbour');
    harness.injectRaw(0, target, JSON.stringify({ type: 'chat', message: forged }));
    // Frames on a link are handled in order: once this arrives, the forged one was judged.
    const barrier = await harness.say(0, 'barrier');
    await harness.waitForDelivery(barrier.id, harness.peers.map((peer) => peer.index), 5_000);

    assert.equal(harness.drops('bad-signature'), 1, 'only the first hop saw it, and dropped it');
    assert.deepEqual(harness.holders(forged.id), []);
    assert.deepEqual([...harness.sendsOf(forged.id)], [], 'nobody passed it on');
  } finally {
    await harness.dispose();
  }
});
