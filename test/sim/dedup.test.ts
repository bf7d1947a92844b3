import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Harness, northOfCentre } from './sim-harness.ts';

test('each peer stores a message once and no link carries it twice in the same direction', async () => {
  const harness = await Harness.start({
    peers: Array.from({ length: 10 }, (_, index) => ({ position: northOfCentre(index * 15), radiusM: 1_000 })),
    policy: { degree: 3, degreeLow: 2, degreeHigh: 6 },
  });
  try {
    await harness.settle(2, 15_000);
    const everyone = harness.peers.map((peer) => peer.index);
    const messages = await Promise.all([0, 4, 9].map((author) => harness.say(author, `hello from ${author}`)));
    for (const message of messages) await harness.waitForDelivery(message.id, everyone, 5_000);
    // One more round through every link, so any late duplicate would have been sent by now.
    const barrier = await harness.say(5, 'barrier');
    await harness.waitForDelivery(barrier.id, everyone, 5_000);

    for (const message of messages) {
      for (const peer of harness.peers) {
        assert.equal(peer.node.router.store.list().filter((stored) => stored.id === message.id).length, 1, `peer ${peer.index} stores it once`);
      }
      let copies = 0;
      for (const [linkKey, counts] of harness.network.registry.tally.perLink) {
        const count = counts.get(message.id) ?? 0;
        assert.ok(count <= 1, `link ${linkKey} carried ${message.id} ${count} times`);
        copies += count;
      }
      assert.ok(copies >= everyone.length - 1, 'it travelled (a copy for each other peer at least)');
    }
  } finally {
    await harness.dispose();
  }
});
