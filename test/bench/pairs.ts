/** Pairs of clients that signal each other: one cell, topic or id pair per pair. */

import type { ClientPool } from './bench-client.ts';
import { runBounded } from './bench-client.ts';
import { sleep } from './server-process.ts';
import type { Registered, SignalingAdapter } from './signaling-adapter.ts';

const HANDSHAKE_TIMEOUT_MS = 10_000;
const CONNECT_DEADLINE_MS = 60_000;
const DRAIN_POLL_MS = 20;

/** One direction of a pair: `from` signals `to`. */
export interface Lane {
  readonly from: Registered;
  readonly to: Registered;
  /** Signals sent on this lane and not yet received. */
  inFlight: number;
}

/**
 * Connects `pairs` pairs; pair `p` is clients 2p and 2p + 1 in group `p`. Returns both
 * lanes of every pair.
 */
export async function connectPairs(
  adapter: SignalingAdapter,
  port: number,
  pairs: number,
  concurrency: number,
  pool: ClientPool,
): Promise<Lane[]> {
  const clients = await runBounded(0, pairs * 2, concurrency, CONNECT_DEADLINE_MS, (index) =>
    adapter.register(port, index, Math.floor(index / 2), pool, HANDSHAKE_TIMEOUT_MS),
  );
  const lanes: Lane[] = [];
  const addresses = new Set<string>();
  for (let pair = 0; pair < pairs; pair += 1) {
    const a = clients[2 * pair];
    const b = clients[2 * pair + 1];
    if (a === undefined || b === undefined) throw new Error(`pair ${pair} is missing a client`);
    for (const lane of [{ from: a, to: b, inFlight: 0 }, { from: b, to: a, inFlight: 0 }]) {
      lanes.push(lane);
      addresses.add(lane.to.address);
    }
  }
  // Receivers tell lanes apart by address: a duplicate would merge two lanes' counts.
  if (addresses.size !== lanes.length) throw new Error('two clients share an address');
  return lanes;
}

/** Waits (at most `timeoutMs`) for every lane to empty; returns the signals still missing. */
export async function drain(lanes: readonly Lane[], timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const missing = lanes.reduce((sum, lane) => sum + lane.inFlight, 0);
    if (missing === 0 || performance.now() >= deadline) return missing;
    await sleep(DRAIN_POLL_MS);
  }
}
