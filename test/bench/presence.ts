/**
 * Test 4, the cost of presence: peers sharing one cell, one at a time leaving, joining and
 * moving (re-joining with another home inside the watched prefix). Each operation is timed
 * until every other peer has heard of it, and every frame it caused is counted.
 *
 * Only NearTalk has presence. y-webrtc's nearest equivalent is entering a room, as its
 * client does it: subscribe to the topic, then publish an announce that every subscriber
 * receives. It says nothing when a peer leaves or moves. PeerJS has none of this.
 */

import type { BenchConfig, ServerKind } from './bench-config.ts';
import { BenchClient, ClientPool, runBounded } from './bench-client.ts';
import { cellOf, joinCell, joinFrame, openRelayClient } from './neartalk-adapter.ts';
import { PresenceOps, type OpSample } from './presence-ops.ts';
import type { ProcessTracker } from './server-process.ts';
import { startServer } from './servers.ts';
import { readFrame } from './signaling-adapter.ts';
import { summarize, type Summary } from './stats.ts';
import { announceFrame, announceFrom, pingPong, subscribe, subscribeFrame, topicOf } from './y-webrtc-adapter.ts';

const HANDSHAKE_TIMEOUT_MS = 10_000;
const SETUP_DEADLINE_MS = 30_000;
/** Sequential setup keeps every join's fan-out out of the way of the next one. */
const SETUP_CONCURRENCY = 1;

export const PRESENCE_OPS = ['join', 'move', 'leave'] as const;
export type PresenceOpName = (typeof PRESENCE_OPS)[number];

export interface OpStats {
  readonly timeMs: Summary;
  readonly framesPerOp: number;
  readonly bytesPerOp: number;
}

export interface PresenceResult {
  /** What "join" means for this server. */
  readonly measured: string;
  readonly peers: number;
  /** Null where the server has no such operation. */
  readonly ops: Readonly<Record<PresenceOpName, OpStats | null>>;
}

export async function measurePresence(
  kind: ServerKind,
  config: BenchConfig,
  tracker: ProcessTracker,
): Promise<PresenceResult | null> {
  if (kind === 'peerjs') return null;
  const server = await startServer(kind, 'presence', tracker, { isInspectable: false });
  const pool = new ClientPool();
  try {
    return kind === 'neartalk'
      ? await neartalkPresence(server.port, config, pool)
      : await yWebrtcRoomEntry(server.port, config, pool);
  } finally {
    pool.closeAll();
    await server.stop();
  }
}

async function neartalkPresence(port: number, config: BenchConfig, pool: ClientPool): Promise<PresenceResult> {
  const cell = cellOf(0);
  const peers = await runBounded(0, config.presencePeers, SETUP_CONCURRENCY, SETUP_DEADLINE_MS, async () => {
    const { client, id } = await openRelayClient(port, HANDSHAKE_TIMEOUT_MS, (opened) => pool.add(opened));
    await joinCell(client, cell, HANDSHAKE_TIMEOUT_MS);
    return { client, id };
  });
  const ops = new PresenceOps(peers.map(({ client }) => client));
  const isNews = (type: string, id: string, home?: string) => (text: string) => {
    const read = readFrame(text);
    return read?.type === type && read.frame['id'] === id && (home === undefined || read.frame['home'] === home);
  };
  const samples: Record<PresenceOpName, OpSample[]> = { join: [], move: [], leave: [] };
  for (let round = 0; round < config.presenceRounds; round += 1) {
    const actor = round % peers.length;
    const id = peers[actor]?.id;
    if (id === undefined) throw new Error(`no peer ${actor}`);
    samples.leave.push(await ops.run(actor, ['{"type":"leave"}'], isNews('peer-left', id)));
    samples.join.push(await ops.run(actor, [joinFrame(cell.home, cell.prefix)], isNews('peer-joined', id, cell.home)));
    samples.move.push(await ops.run(actor, [joinFrame(cell.otherHome, cell.prefix)], isNews('peer-joined', id, cell.otherHome)));
  }
  return {
    measured: `join: join frame until ${peers.length - 1} peers got peer-joined; move: re-join to a neighbouring home cell; leave: leave frame until all got peer-left`,
    peers: peers.length,
    ops: { join: opStats(samples.join), move: opStats(samples.move), leave: opStats(samples.leave) },
  };
}

async function yWebrtcRoomEntry(port: number, config: BenchConfig, pool: ClientPool): Promise<PresenceResult> {
  const topic = topicOf(0);
  const clients = await runBounded(0, config.presencePeers, SETUP_CONCURRENCY, SETUP_DEADLINE_MS, async () => {
    const client = pool.add(await BenchClient.open(`ws://127.0.0.1:${port}/`, HANDSHAKE_TIMEOUT_MS));
    await subscribe(client, topic, HANDSHAKE_TIMEOUT_MS);
    return client;
  });
  const ops = new PresenceOps(clients);
  const samples: OpSample[] = [];
  for (let round = 0; round < config.presenceRounds; round += 1) {
    const actor = round % clients.length;
    const from = `c${actor}`;
    const client = clients[actor];
    if (client === undefined) throw new Error(`no client ${actor}`);
    // Leaving the room tells nobody in y-webrtc, so it is set up here, not measured.
    client.send(JSON.stringify({ type: 'unsubscribe', topics: [topic] }));
    await pingPong(client, HANDSHAKE_TIMEOUT_MS);
    samples.push(await ops.run(actor, [subscribeFrame(topic), announceFrame(topic, from)], (text) => announceFrom(text) === from));
  }
  return {
    measured: `join = subscribe + publish announce (what a y-webrtc client does on entering a room) until ${clients.length - 1} subscribers got it; no leave or move news exists`,
    peers: clients.length,
    ops: { join: opStats(samples), move: null, leave: null },
  };
}

function opStats(samples: readonly OpSample[]): OpStats {
  return {
    timeMs: summarize(samples.map(({ ms }) => ms)),
    framesPerOp: samples.reduce((sum, { frames }) => sum + frames, 0) / samples.length,
    bytesPerOp: samples.reduce((sum, { bytes }) => sum + bytes, 0) / samples.length,
  };
}
