/**
 * A relay restart under a settled mesh, with real relay code over real WebSockets and
 * in-memory peer links: the relay goes away, linked peers keep chatting, the relay comes
 * back on the same port, and every peer returns to its cells. Shared by the test (that it
 * happens) and the bench (how fast, how spread).
 */

import type { ChatMessage } from '../../app/core/chat-message.ts';
import { offsetPosition, DEFAULT_AREA } from './placement.ts';
import { createRandom } from './prng.ts';
import { TEST_LINK_PROFILE } from './sim-harness.ts';
import { SimNetwork } from './sim-network.ts';
import { waitFor } from './wait-for.ts';

export interface RelayRestartOptions {
  readonly peers: number;
  /** Messages written while the relay is away (by as many different peers). */
  readonly messagesWhileAway: number;
  /**
   * The relay stays away until every peer has tried (and failed) this many times to call
   * it again: an outage measured in retries, so a backoff that grows shows.
   */
  readonly failedAttemptsEach: number;
  readonly seed?: number;
  readonly onProgress?: (line: string) => void;
}

export interface RelayRestartResult {
  readonly peers: number;
  /** Each peer's first join after the relay came back, ms after it was listening again, sorted. */
  readonly rejoinAfterMs: readonly number[];
  /** First to last new connection accepted by the returned relay (ms). */
  readonly arrivalSpreadMs: number;
  /** Most new connections in any one second after the return. */
  readonly mostArrivalsInOneSecond: number;
  readonly messagesWhileAway: number;
  /** Messages written while the relay was away that some peer in range never got. */
  readonly lost: number;
}

/** Runs the scenario; everything is disposed when it resolves or rejects. */
export async function runRelayRestart(options: RelayRestartOptions): Promise<RelayRestartResult> {
  const progress = options.onProgress ?? (() => undefined);
  const random = createRandom(options.seed ?? 1);
  const network = await SimNetwork.start({
    transport: 'memory',
    relay: 'ws',
    random,
    profile: TEST_LINK_PROFILE,
    relayLatency: { latencyMs: 1, jitterMs: 1 },
    policy: { degree: 6, degreeLow: 4, degreeHigh: 12 },
    expectedPeers: options.peers,
  });
  const relay = network.realRelay;
  if (relay === null) throw new Error('the scenario needs the real relay');
  try {
    // Everyone within 300 m of the centre with a 1 km radius: all see each other's messages.
    const places = Array.from({ length: options.peers }, () => offsetPosition(DEFAULT_AREA.centre, random.next() * 300, random.next() * 2 * Math.PI));
    const peers = places.map((_, index) => network.addPeer({ index, username: `Peer ${index}`, radiusM: 1_000 }));
    await Promise.all(peers.map((peer, index) => peer.moveTo(places[index] ?? DEFAULT_AREA.centre)));
    const linked = (): number => peers.filter((peer) => network.registry.openCount(peer.index) >= 2).length;
    // Settled means one mesh, not only links: two groups that have not yet met by an
    // exploring dial cannot meet while the relay is away (new links need its signalling),
    // and "nothing lost" is promised among peers that are linked, hop by hop.
    const groups = (): number => network.registry.componentCount(peers.map((peer) => peer.index));
    await waitFor(() => linked() === peers.length && groups() === 1, {
      timeoutMs: 60_000,
      describe: () => `${linked()} of ${peers.length} peers have 2 links, in ${groups()} separate groups`,
    });
    progress(`${peers.length} peers linked in one mesh; stopping the relay`);

    const socketsBefore = relay.sockets.length;
    await relay.stop();
    // Linked peers keep chatting while the relay is away.
    const written: ChatMessage[] = [];
    for (let index = 0; index < options.messagesWhileAway; index += 1) {
      const author = peers[(index * 7) % peers.length];
      const sent = await author?.say(`while the relay is away ${index}`);
      if (sent !== null && sent !== undefined) written.push(sent.message);
    }
    const missing = (): number => written.reduce((sum, message) => sum + peers.filter((peer) => !peer.node.router.store.has(message.id)).length, 0);
    await waitFor(() => missing() === 0, { timeoutMs: 30_000, describe: () => `${missing()} deliveries missing` }).catch(() => undefined);
    const lost = written.filter((message) => peers.some((peer) => !peer.node.router.store.has(message.id))).length;
    progress(`${written.length} messages while away, ${lost} not everywhere`);
    const attempts = (): number => relay.sockets.length - socketsBefore;
    const wanted = options.failedAttemptsEach * peers.length;
    await waitFor(() => attempts() >= wanted, { timeoutMs: 120_000, everyMs: 100, describe: () => `${attempts()} of ${wanted} attempts` });
    progress(`${attempts()} failed attempts; starting the relay again`);

    await relay.start();
    const backAtMs = performance.now();
    // Each peer opens one socket that joins (a refused attempt never opens, so never joins).
    const rejoined = (): number => relay.sockets.slice(socketsBefore).filter((trace) => trace.joinedAtMs !== null && trace.joinedAtMs >= backAtMs).length;
    await waitFor(() => rejoined() >= peers.length, { timeoutMs: 60_000, describe: () => `${rejoined()} of ${peers.length} back in their cells` });
    const after = relay.sockets
      .slice(socketsBefore).filter((trace) => trace.openedAtMs !== null && trace.openedAtMs >= backAtMs);
    const rejoinAfterMs = after.flatMap((trace) => (trace.joinedAtMs === null ? [] : [trace.joinedAtMs - backAtMs])).sort((a, b) => a - b);
    const opened = after.flatMap((trace) => (trace.openedAtMs === null ? [] : [trace.openedAtMs - backAtMs]));
    const perSecond = new Map<number, number>();
    for (const atMs of opened) perSecond.set(Math.floor(atMs / 1_000), (perSecond.get(Math.floor(atMs / 1_000)) ?? 0) + 1);
    return {
      peers: peers.length,
      rejoinAfterMs,
      arrivalSpreadMs: opened.length === 0 ? 0 : Math.max(...opened) - Math.min(...opened),
      mostArrivalsInOneSecond: Math.max(0, ...perSecond.values()),
      messagesWhileAway: written.length,
      lost,
    };
  } finally {
    await network.dispose();
  }
}
