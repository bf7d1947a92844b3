import assert from 'node:assert/strict';
import { test } from 'node:test';
import { offsetPosition, DEFAULT_AREA } from './placement.ts';
import { createRandom } from './prng.ts';
import { Harness } from './sim-harness.ts';

test('a crowd arriving at once: every peer reaches the low mark and none ever exceeds the high mark', async () => {
  const policy = { degree: 3, degreeLow: 2, degreeHigh: 6 };
  const random = createRandom(5);
  const harness = await Harness.start({
    peers: Array.from({ length: 30 }, () => ({
      position: offsetPosition(DEFAULT_AREA.centre, 200 * Math.sqrt(random.next()), random.between(0, 2 * Math.PI)),
      radiusM: 500,
    })),
    policy,
  });
  try {
    await harness.settle(policy.degreeLow, 15_000);
    assert.ok(
      harness.network.registry.maxOpenEver <= policy.degreeHigh,
      `a peer held ${harness.network.registry.maxOpenEver} links at once (high mark ${policy.degreeHigh})`,
    );
  } finally {
    await harness.dispose();
  }
});
