/**
 * TURN against a real coturn on 127.0.0.1 (test/fixture/coturn.ts), with the browsers
 * forced to relay-only ICE (`?ice=relay`, a test-only setting): no direct path exists, so
 * a link opens only through the TURN server, with the credentials the relay hands out.
 */

import type { RelayOptions } from '../../relay/relay-options.ts';
import { turnPassword } from '../../relay/turn-credentials.ts';
import { relayTurnFor, startCoturn, type Coturn } from '../fixture/coturn.ts';
import { expect, test as meshTest } from '../fixture/mesh-fixture.ts';
import { startRelay, type RelayHandle } from '../fixture/relay-fixture.ts';

const LAT = 48.8566;
const LON = 2.3522;
const RELAY_ONLY = { ice: 'relay' } as const;
const REFUSED_ALERT = /Could not reach 1 nearby person through the TURN server: it refused our credentials/;

/** Lets a test move the relay's clock (renewals are due after half the TTL). */
const relayClock = { offsetMs: 0 };

const test = meshTest.extend<{ coturn: Coturn; relayOptions: Partial<RelayOptions> }>({
  coturn: async ({}, use) => {
    const coturn = await startCoturn();
    try {
      await use(coturn);
    } finally {
      await coturn.stop();
    }
  },
  relayOptions: async ({ coturn }, use) => {
    await use({ turn: relayTurnFor(coturn) });
  },
  relayServer: async ({ relayOptions }, use) => {
    const handle: RelayHandle = await startRelay(undefined, relayOptions);
    try {
      await use(handle);
    } finally {
      await handle.relay.close();
    }
  },
});

test('two peers with relay-only ICE chat through the TURN server, with credentials from the relay', async ({ spawnPeer, coturn }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, query: RELAY_ONLY });
  const bob = await spawnPeer({ name: 'Bob', lat: LAT + 0.0027, lon: LON, query: RELAY_ONLY });
  await alice.expectNearby('Bob', '~300 m');
  await alice.say('Hello through TURN');
  await bob.expectMessage('Hello through TURN', { from: 'Alice' });
  await bob.say('Relayed back');
  await alice.expectMessage('Relayed back', { from: 'Bob' });

  // Proof the traffic took the TURN server: ICE picked relayed candidates on both ends…
  for (const peer of [alice, bob]) {
    const pairs = await peer.selectedCandidatePairs();
    expect(pairs, `${peer.name} has a connected link`).not.toHaveLength(0);
    for (const pair of pairs) expect(pair).toEqual({ local: 'relay', remote: 'relay' });
  }
  // …which coturn allocated for the REST usernames the relay made (expiry:peer id).
  expect(coturn.server.output).toMatch(/user <\d+:[A-Za-z0-9_-]{22}>: incoming packet ALLOCATE processed, success/);
});

test.describe('renewal', () => {
  test.use({
    relayOptions: async ({ coturn }, use) => {
      relayClock.offsetMs = 0;
      await use({ turn: { urls: [coturn.url], secret: coturn.secret, ttlSeconds: 20 }, now: () => performance.now() + relayClock.offsetMs });
    },
  });

  test('fresh credentials from an ice-servers frame reach the links already open', async ({ spawnPeer }) => {
    const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, query: RELAY_ONLY });
    const bob = await spawnPeer({ name: 'Bob', lat: LAT + 0.0027, lon: LON, query: RELAY_ONLY });
    await alice.expectNearby('Bob');
    const [before] = await alice.iceUsernames();
    expect(before).toHaveLength(1);
    // Half the 20 s TTL passes on the relay's clock; its next sweep (every 2 s) renews.
    relayClock.offsetMs = 10_000;
    await expect.poll(async () => (await alice.iceUsernames())[0]?.[0], { timeout: 10_000 }).not.toBe(before?.[0]);
    const [after] = await alice.iceUsernames();
    expect(after?.[0]).toMatch(/^\d+:[A-Za-z0-9_-]{22}$/);
    // The link itself is untouched: coturn checks a credential only when allocating.
    await bob.say('Still here after the renewal');
    await alice.expectMessage('Still here after the renewal');
  });
});

test.describe('refused credentials', () => {
  test.describe('a relay with the wrong secret', () => {
    test.use({
      relayOptions: async ({ coturn }, use) => {
        await use({ turn: relayTurnFor(coturn, `not-${coturn.secret}`) });
      },
    });

    test('nobody is reached, and the app says the TURN server refused its credentials', async ({ spawnPeer, coturn }) => {
      const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, query: RELAY_ONLY });
      const bob = await spawnPeer({ name: 'Bob', lat: LAT + 0.0027, lon: LON, query: RELAY_ONLY });
      for (const peer of [alice, bob]) {
        await expect(peer.page.getByRole('alert')).toHaveText(REFUSED_ALERT);
        await expect(peer.nearby).toHaveCount(0);
        expect(await peer.openChannelCount()).toBe(0);
      }
      expect(coturn.server.output).toMatch(/error 401: Unauthorized/);
    });
  });

  test.describe('an expired credential', () => {
    test.use({
      relayOptions: async ({ coturn }, use) => {
        // Signed with the right secret, but its expiry passed an hour ago.
        const username = `${Math.floor(Date.now() / 1000) - 3600}:expired`;
        await use({ iceServers: [{ urls: coturn.url, username, credential: turnPassword(coturn.secret, username) }] });
      },
    });

    test('is refused the same way, and the app says so', async ({ spawnPeer }) => {
      const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, query: RELAY_ONLY });
      const bob = await spawnPeer({ name: 'Bob', lat: LAT + 0.0027, lon: LON, query: RELAY_ONLY });
      for (const peer of [alice, bob]) await expect(peer.page.getByRole('alert')).toHaveText(REFUSED_ALERT);
    });
  });
});
