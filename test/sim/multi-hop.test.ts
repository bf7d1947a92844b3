import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Harness, northOfCentre } from './sim-harness.ts';

test('in a sparse chain, a message reaches everyone in range of its author, across several hops', async () => {
  // Twelve people on a 1.65 km line, all in mutual range (2 km radii); with D = 2 nobody
  // can link to all eleven others, so most copies must be forwarded.
  const harness = await Harness.start({
    peers: Array.from({ length: 12 }, (_, index) => ({ position: northOfCentre(index * 150), radiusM: 2_000 })),
    policy: { degree: 2, degreeLow: 1, degreeHigh: 4 },
  });
  try {
    await harness.settle(1, 15_000);
    const message = await harness.say(0, 'from the south end');
    const everyone = harness.peers.map((peer) => peer.index).filter((index) => index !== 0);
    assert.ok(harness.network.registry.neighboursOf(0).length < everyone.length, 'the author is not linked to everyone directly');
    await harness.waitForDelivery(message.id, everyone, 5_000);
    assert.deepEqual(harness.holders(message.id), harness.peers.map((peer) => peer.index));
  } finally {
    await harness.dispose();
  }
});
