/**
 * Chat between Chromium and Firefox peers in one mesh, in both dialing orders: presence and
 * distance bands, messages both ways (signed in one engine, verified in the other), history
 * for a newcomer, the mutual-radius rule, expiry, and hostile frames from the Firefox side.
 * In the hostile-frames test each engine makes a proof at the product's price in its own
 * worker and the other engine checks it; the others pay the fixture's cheaper price.
 */

import { MESSAGE_TTL_MS } from '../../../app/core/message-store.ts';
import { POW_DIFFICULTY_BITS } from '../../../app/core/proof-of-work.ts';
import { CROSS_ENGINE_TIMEOUT_MS, ENGINE_ORDERS, expect, expectDialed, LAT, LON, metresNorth, test } from './engine-fixture.ts';

test.describe.configure({ timeout: CROSS_ENGINE_TIMEOUT_MS });

for (const [first, second] of ENGINE_ORDERS) {
  test(`${first} dials ${second}: they see each other at ~300 m, chat both ways, a newcomer gets the history, radius and expiry hold`, async ({ spawnPeer }) => {
    const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, engine: first });
    const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(300), lon: LON, engine: second });
    await alice.expectNearby('Bob', '~300 m');
    await bob.expectNearby('Alice', '~300 m');
    await expectDialed(alice, bob);

    // Shown only after the receiver verified the author's signature (ECDSA P-256) in its own engine.
    await alice.say(`Signed in ${first}`);
    await bob.expectMessage(`Signed in ${first}`, { from: 'Alice', distance: '~300 m' });
    await bob.say(`Signed in ${second}`);
    await alice.expectMessage(`Signed in ${second}`, { from: 'Bob', distance: '~300 m' });

    const carol = await spawnPeer({ name: 'Carol', lat: metresNorth(150), lon: LON, engine: second });
    await carol.expectMessage(`Signed in ${first}`, { from: 'Alice' });
    await carol.expectMessage(`Signed in ${second}`, { from: 'Bob' });

    // 300 m apart, Bob's radius drops to 200 m: neither sees the other any more (d ≤ min(rA, rB)).
    await bob.setRadius(200);
    await alice.expectNotNearby('Bob');
    await bob.expectNotNearby('Alice');
    await alice.say('Beyond Bob’s radius');
    await carol.expectMessage('Beyond Bob’s radius', { from: 'Alice' });
    await bob.barrierFrom(alice);
    await bob.barrierFrom(carol);
    await bob.expectNoMessage('Beyond Bob’s radius');

    for (const peer of [alice, bob, carol]) await peer.fastForward(MESSAGE_TTL_MS + 1_000);
    for (const peer of [alice, bob, carol]) {
      await peer.expectNoMessage(`Signed in ${first}`);
      await peer.expectNoMessage(`Signed in ${second}`);
    }
  });
}

test('hostile raw frames from a Firefox peer are dropped by Chromium, and honest chat goes on', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, engine: 'chromium', powDifficultyBits: POW_DIFFICULTY_BITS });
  const mallory = await spawnPeer({ name: 'Mallory', lat: metresNorth(150), lon: LON, engine: 'firefox', powDifficultyBits: POW_DIFFICULTY_BITS });
  await alice.expectNearby('Mallory');
  await mallory.say('An honest start');
  await alice.expectMessage('An honest start', { from: 'Mallory' });
  const received = (await mallory.framesReceived()).length;
  expect(received).toBeGreaterThan(0);
  const hostile = ['{"type":"chat","message":', JSON.stringify({ type: 'chat', message: { text: 'unsigned junk' } }), JSON.stringify({ type: 'history', messages: [{ text: 'history junk' }] }), 'x'.repeat(100_000)];
  for (const frame of hostile) expect(await mallory.injectRaw(frame)).toBeGreaterThan(0);
  await alice.barrierFrom(mallory);
  await alice.expectNoMessage('unsigned junk');
  await alice.expectNoMessage('history junk');
  await alice.openDebug();
  await expect(alice.dropCount('malformed')).not.toHaveText('0');
  await mallory.say('Still talking');
  await alice.expectMessage('Still talking', { from: 'Mallory' });
});
