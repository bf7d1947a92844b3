import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkProofOfWork } from '../../app/core/proof-of-work.ts';
import type { ProofMaker } from '../../app/identity/proof-maker.ts';
import { SIM_POW_DIFFICULTY_BITS } from './node-options.ts';
import { Harness, northOfCentre } from './sim-harness.ts';
import { waitFor } from './wait-for.ts';

/** A cheat's maker: a proof with the right shape and window whose hash lacks the bits. */
const cheatingMaker: ProofMaker = {
  async make(job) {
    let nonce = 0;
    while (checkProofOfWork(job.key, { windowStartMs: job.windowStartMs, nonce }, job.windowStartMs, SIM_POW_DIFFICULTY_BITS) === 'ok') nonce += 1;
    return { windowStartMs: job.windowStartMs, nonce };
  },
};

test('a peer whose presence has no valid proof of work is not linked, and its messages reach nobody', async () => {
  const honest = Array.from({ length: 5 }, (_, index) => ({ position: northOfCentre(index * 20), radiusM: 500 }));
  const harness = await Harness.start({
    peers: [...honest, { position: northOfCentre(40), radiusM: 500, proofMaker: cheatingMaker }],
    policy: { degree: 3, degreeLow: 2, degreeHigh: 6 },
  });
  try {
    const cheat = harness.peer(5);
    const honestPeers = harness.peers.filter((peer) => peer.index !== 5);
    // Every honest peer is dialed by or dials the cheat (it is in the middle of everyone) and refuses it.
    // And the honest peers form one group (see expiry.test.ts): the barrier must be able to reach them all.
    const groups = (): number => harness.network.registry.componentCount(honestPeers.map((peer) => peer.index));
    await waitFor(() => harness.drops('no-proof') >= 1 && honestPeers.every((peer) => peer.node.mesh.neighbours().length >= 2) && groups() === 1, {
      timeoutMs: 30_000,
      describe: () => `no-proof drops ${harness.drops('no-proof')}, links ${harness.linkCounts().join(',')}, ${groups()} groups`,
    });
    const cheatKey = cheat.node.key;
    assert.ok(cheatKey !== null);
    const sent = await cheat.say('buy cheap followers');
    assert.ok(sent !== null);
    // Ordering barrier: an honest message from the cheat's nearest honest neighbour reaches everyone.
    const barrier = await harness.say(2, 'barrier');
    await harness.waitForDelivery(barrier.id, honestPeers.map((peer) => peer.index), 5_000);

    for (const peer of honestPeers) {
      assert.ok(!peer.node.mesh.neighbours().some((neighbour) => neighbour.presence.key === cheatKey), `peer ${peer.index} took the cheat as a neighbour`);
    }
    assert.deepEqual(harness.holders(sent.message.id), [5], 'only the cheat holds its message');
  } finally {
    await harness.dispose();
  }
});
