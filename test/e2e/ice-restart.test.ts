/**
 * A network change under an open link: the link restarts ICE on the same connection and
 * keeps its place, instead of being given up after 20 s and dialed again 60 s later.
 *
 * The cut is real: both peers reach each other only through a TURN server (`?ice=relay`),
 * which is stopped (every candidate pair dies) and started again on the same port with
 * its allocations lost, so the old candidates never come back: only new ones, gathered
 * by an ICE restart, can carry the link again.
 */

import { relayTurnFor, startCoturn, type Coturn } from '../fixture/coturn.ts';
import { expect, test as meshTest, type MeshFixtures, type MeshPeer } from '../fixture/mesh-fixture.ts';
import { startRelay, type RelayHandle } from '../fixture/relay-fixture.ts';

const RELAY_ONLY = { ice: 'relay' } as const;

/** A relay frame carrying a link's SDP offer (an ICE restart's, once the link is up). */
function isOfferSignal(frame: string): boolean {
  const parsed: unknown = JSON.parse(frame);
  return typeof parsed === 'object' && parsed !== null && Reflect.get(parsed, 'type') === 'signal' && /"type":"offer"/.test(JSON.stringify(Reflect.get(parsed, 'data')));
}

const isUp = (state: string | undefined): boolean => state === 'connected' || state === 'completed';

/** Alice and Bob, 300 m apart, reaching each other only through the TURN server, linked. */
async function relayOnlyPair(spawnPeer: MeshFixtures['spawnPeer']): Promise<{ alice: MeshPeer; bob: MeshPeer }> {
  const alice = await spawnPeer({ name: 'Alice', lat: 48.8566, lon: 2.3522, query: RELAY_ONLY });
  const bob = await spawnPeer({ name: 'Bob', lat: 48.8593, lon: 2.3522, query: RELAY_ONLY });
  await bob.expectNearby('Alice');
  return { alice, bob };
}

const test = meshTest.extend<{ turn: { current: Coturn } }>({
  turn: async ({}, use) => {
    const turn = { current: await startCoturn() };
    try {
      await use(turn);
    } finally {
      await turn.current.stop();
    }
  },
  relayServer: async ({ turn }, use) => {
    const handle: RelayHandle = await startRelay(undefined, { turn: relayTurnFor(turn.current) });
    try {
      await use(handle);
    } finally {
      await handle.relay.close();
    }
  },
});

test('a link cut by a network change comes back through an ICE restart, on the same connection', async ({ spawnPeer, turn }) => {
  // Two relay-only peers, a TURN server down for the seconds ICE needs to notice, and back.
  test.setTimeout(90_000);
  const { alice, bob } = await relayOnlyPair(spawnPeer);
  await alice.say('before the cut');
  await bob.expectMessage('before the cut');
  const connectionsBefore = [(await alice.iceStates()).length, (await bob.iceStates()).length];

  const { port, secret } = turn.current;
  const relayFramesAtCut = [alice.relayFramesSent.length, bob.relayFramesSent.length];
  await turn.current.stop();
  // Consent checks go unanswered: ICE goes down (and the app's restarts find no way yet).
  // Engines notice at their own pace (Firefox keeps saying "connected" for longer than
  // Chromium), so the first peer to notice counts; its restart reaches the other.
  await expect
    .poll(async () => isUp((await alice.iceStates()).at(-1)) && isUp((await bob.iceStates()).at(-1)), { timeout: 20_000, message: 'one of the peers sees ICE go down' })
    .toBe(false);
  turn.current = await startCoturn(secret, port);

  await expect
    .poll(async () => isUp((await alice.iceStates()).at(-1)) && isUp((await bob.iceStates()).at(-1)), { timeout: 20_000, message: 'both peers see ICE up again' })
    .toBe(true);
  expect((await alice.appIceRestarts()) + (await bob.appIceRestarts()), 'the app restarted ICE').toBeGreaterThan(0);
  // With ICE down the data channel carries nothing: the restart's offer went through the relay.
  const sentSinceCut = [alice, bob].flatMap((peer, index) => peer.relayFramesSent.slice(relayFramesAtCut[index]));
  expect(sentSinceCut.filter(isOfferSignal).length, 'ICE-restart offers sent through the relay').toBeGreaterThan(0);
  await alice.say('after the cut');
  await bob.expectMessage('after the cut', { from: 'Alice' });
  await bob.say('and back');
  await alice.expectMessage('and back', { from: 'Bob' });
  // No new RTCPeerConnection: the link kept its place.
  expect([(await alice.iceStates()).length, (await bob.iceStates()).length]).toEqual(connectionsBefore);
  await expect(alice.nearby.filter({ hasText: 'Bob' })).toHaveCount(1);
});

test('a phone that loses its whole network, relay and links, is back with every link and the messages it missed once online', async ({ spawnPeer, turn }) => {
  test.setTimeout(90_000);
  const { alice, bob } = await relayOnlyPair(spawnPeer);
  await bob.say('before the outage');
  await alice.expectMessage('before the outage', { from: 'Bob' });

  // Offline emulation cuts the page's relay socket but not WebRTC's own sockets, so the
  // links are cut too, as a real outage does: they run through the TURN server only.
  const { port, secret } = turn.current;
  await alice.setOffline(true);
  await turn.current.stop();
  await expect(alice.status).toHaveText(/Offline/);
  await expect.poll(async () => isUp((await bob.iceStates()).at(-1)), { timeout: 20_000, message: 'Bob sees the link go down' }).toBe(false);
  // Said while Alice cannot hear it: only Bob holds it.
  await bob.say('while you were away');

  turn.current = await startCoturn(secret, port);
  await alice.setOffline(false);
  await expect(alice.status).toHaveText(/^Connected to relay · 1 peer/, { timeout: 30_000 });
  await alice.expectMessage('while you were away', { from: 'Bob', timeout: 30_000 });
  await alice.say('back again');
  await bob.expectMessage('back again', { from: 'Alice' });
  await expect(alice.nearby.filter({ hasText: 'Bob' })).toHaveCount(1);
  await expect(bob.nearby.filter({ hasText: 'Alice' })).toHaveCount(1);
});
