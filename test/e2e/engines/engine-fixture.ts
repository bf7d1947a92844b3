/**
 * The mesh fixture for cross-engine tests: the relay hands out ids in spawn order, so the
 * first peer spawned has the smaller id and dials the second (the larger id yields its
 * first dial, app/net/mesh.ts). Spawning Chromium then Firefox, and Firefox then
 * Chromium, covers both dialing orders; `expectDialed` checks it from the relay frames.
 */

import { expect, test as meshTest, type Engine, type MeshPeer } from '../../fixture/mesh-fixture.ts';
import { APP_DIR, startRelay } from '../../fixture/relay-fixture.ts';

export const test = meshTest.extend({
  relayServer: async ({}, use) => {
    let next = 0;
    // 22 characters of the peer-id alphabet, increasing with every connection.
    const handle = await startRelay(APP_DIR, { newPeerId: () => `peer${String((next += 1)).padStart(18, '0')}` });
    try {
      await use(handle);
    } finally {
      await handle.relay.close();
    }
  },
});

export { expect, type Engine, type MeshPeer };

/**
 * Time for one cross-engine test: three peers in two browsers (Firefox launches once per
 * worker, in about 5 s) on a shared two-core machine. The waits inside stay the defaults.
 */
export const CROSS_ENGINE_TIMEOUT_MS = 120_000;

/** The two orders every cross-engine pair is tried in: [first spawned (dials), second]. */
export const ENGINE_ORDERS: ReadonlyArray<readonly [Engine, Engine]> = [
  ['chromium', 'firefox'],
  ['firefox', 'chromium'],
];

/** SDP descriptions of `type` a peer sent to the relay (first contact is signalled there). */
function descriptionsSent(peer: MeshPeer, type: 'offer' | 'answer'): number {
  return peer.relayFramesSent.filter((frame) => frame.includes('"type":"signal"') && frame.includes(`"type":"${type}"`)).length;
}

/** Asserts that `dialer` offered the link to `answerer` through the relay, and not the other way. */
export async function expectDialed(dialer: MeshPeer, answerer: MeshPeer): Promise<void> {
  await expect.poll(() => descriptionsSent(answerer, 'answer'), { message: `${answerer.name} answered` }).toBeGreaterThan(0);
  expect(descriptionsSent(dialer, 'offer'), `${dialer.name} (${dialer.engine}) offered`).toBeGreaterThan(0);
  expect(descriptionsSent(answerer, 'offer'), `${answerer.name} (${answerer.engine}) never offered`).toBe(0);
}

// Paris; 0.0009° of latitude ≈ 100 m.
export const LAT = 48.8566;
export const LON = 2.3522;
export const metresNorth = (metres: number): number => LAT + metres / 111_320;
