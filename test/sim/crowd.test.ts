import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PresenceLimits } from '../../relay/cell-index.ts';
import { Harness, northOfCentre } from './sim-harness.ts';
import { waitFor } from './wait-for.ts';

// The protocol's crowd sizes scaled down, so 40 people are a crowd: nobody is told of
// more than 8 others by the relay, and an arrival is told to 2 of them.
const SMALL_CROWD: PresenceLimits = { fanout: 8, fullView: 4, sampleSize: 4, arrivalFanout: 2, maxKnown: 8, arrivalsBurst: 4, arrivalsPerMinute: 60 };
const PEOPLE = 40;

test('in a crowd where the relay tells nobody of everyone, the overlay is connected and everyone in range gets a message', async () => {
  // Forty people within 200 m (one home cell), all in mutual range.
  const harness = await Harness.start({
    peers: Array.from({ length: PEOPLE }, (_, index) => ({ position: northOfCentre((index % 20) * 10), radiusM: 1_000 })),
    policy: { degree: 4, degreeLow: 3, degreeHigh: 8 },
    presenceLimits: SMALL_CROWD,
  });
  try {
    const hub = harness.network.relayHub;
    assert.ok(hub !== null);
    const knownByRelay = (): number[] => hub.cells.knownCounts();
    await harness.settle(2, 20_000);
    assert.ok(Math.max(...knownByRelay()) <= SMALL_CROWD.maxKnown, `the relay told someone of more than it may: ${knownByRelay().join(',')}`);
    assert.ok(knownByRelay().every((count) => count < PEOPLE - 1), 'nobody was told of the whole crowd');
    const message = await harness.say(0, 'to the whole square');
    const everyone = harness.peers.map((peer) => peer.index).filter((index) => index !== 0);
    await harness.waitForDelivery(message.id, everyone, 10_000);
    await waitFor(() => harness.isConnected(), { timeoutMs: 5_000, describe: () => `links per peer ${harness.linkCounts().join(',')}` });
  } finally {
    await harness.dispose();
  }
});
