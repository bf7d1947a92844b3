/**
 * Back from a sleep, a frozen tab, the back/forward cache or a network outage: the relay
 * is called at once (no backoff), and a relay that restarted finds its peers back.
 */

import { expect, test, type MeshPeer } from '../fixture/mesh-fixture.ts';
import { startRelay, type RelayHandle } from '../fixture/relay-fixture.ts';

const CONNECTED = /^Connected to relay/;
const UNREACHABLE = /Relay unreachable/;

/** Starts a relay on the port of the test's (stopped) relay; the test closes it. */
async function startAgain(current: RelayHandle, started: RelayHandle[]): Promise<void> {
  started.push(await startRelay(undefined, { port: Number(new URL(current.baseUrl).port) }));
}

async function expectStatus(peer: MeshPeer, pattern: RegExp): Promise<void> {
  await expect(peer.status).toHaveText(pattern);
}

test('peers linked when the relay restarts keep chatting, and both are back with the relay', async ({ spawnPeer, relayServer }) => {
  test.setTimeout(60_000);
  const alice = await spawnPeer({ name: 'Alice', lat: 48.8566, lon: 2.3522 });
  const bob = await spawnPeer({ name: 'Bob', lat: 48.8593, lon: 2.3522 });
  await bob.expectNearby('Alice');
  const started: RelayHandle[] = [];
  try {
    const port = Number(new URL(relayServer.baseUrl).port);
    await relayServer.relay.close();
    await expectStatus(alice, UNREACHABLE);
    await alice.say('while the relay is away');
    await bob.expectMessage('while the relay is away', { from: 'Alice' });
    started.push(await startRelay(undefined, { port }));
    await expectStatus(alice, CONNECTED);
    await expectStatus(bob, CONNECTED);
    // Back in their cells: a newcomer finds both through the relay.
    const carol = await spawnPeer({ name: 'Carol', lat: 48.8575, lon: 2.3522 });
    await carol.expectNearby('Alice');
    await carol.expectNearby('Bob');
  } finally {
    await Promise.all(started.map((handle) => handle.relay.close()));
  }
});

for (const kind of ['resume', 'visible', 'pageshow'] as const) {
  test(`on "${kind}" the relay is called at once, without waiting for the backoff`, async ({ spawnPeer, relayServer }) => {
    const alice = await spawnPeer({ name: 'Alice', lat: 48.8566, lon: 2.3522 });
    const started: RelayHandle[] = [];
    try {
      await expectStatus(alice, CONNECTED);
      if (kind === 'visible') await alice.dispatchLifecycle('hidden');
      if (kind === 'resume') await alice.dispatchLifecycle('freeze');
      if (kind === 'pageshow') await alice.dispatchLifecycle('pagehide');
      await relayServer.relay.close();
      await expectStatus(alice, UNREACHABLE);
      // No timer of the page runs from here: only the wake can bring the relay back.
      await alice.pauseClock();
      await startAgain(relayServer, started);
      await alice.dispatchLifecycle(kind);
      await expectStatus(alice, CONNECTED);
      await alice.resumeClock();
    } finally {
      await Promise.all(started.map((handle) => handle.relay.close()));
    }
  });
}

test('when the network comes back ("online") the relay is called at once', async ({ spawnPeer, relayServer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: 48.8566, lon: 2.3522 });
  const started: RelayHandle[] = [];
  try {
    await expectStatus(alice, CONNECTED);
    await alice.setOffline(true);
    await relayServer.relay.close();
    await expect(alice.status).toHaveText(/Offline/);
    await alice.pauseClock();
    await startAgain(relayServer, started);
    await alice.setOffline(false);
    await expectStatus(alice, CONNECTED);
    await alice.resumeClock();
  } finally {
    await Promise.all(started.map((handle) => handle.relay.close()));
  }
});
