/**
 * Test 6, crowds: one cell (NearTalk) or one room (y-webrtc) is ramped to a first size,
 * then the arrivals up to a second size are measured: presence frames received by all
 * clients per arrival (the newcomer's own answer included, as in `bench:crowd`) and the
 * server's CPU over those arrivals ÷ arrivals.
 *
 * NearTalk bounds presence (protocol 2): an arrival in a crowd is told to 16 watchers, and
 * the newcomer's answer lists a sample. y-webrtc's client enters a room by subscribing to
 * its topic and publishing an announce, which the server sends to every subscriber, so its
 * frames per arrival grow with the room. PeerJS has no presence.
 */

import type { BenchConfig, ServerKind } from './bench-config.ts';
import { BenchClient, ClientPool, runBounded } from './bench-client.ts';
import { cellOf, joinCell, openRelayClient } from './neartalk-adapter.ts';
import { cpuBetween, cpuSnapshot, type CpuUse } from './proc-stats.ts';
import { sleep, type ProcessTracker } from './server-process.ts';
import { startServer } from './servers.ts';
import { readFrame } from './signaling-adapter.ts';
import { announceFrame, announceFrom, pingPong, subscribe, topicOf } from './y-webrtc-adapter.ts';

/** Generous: a y-webrtc pong waits behind every publish ahead of it, each sent to the whole room. */
const CLIENT_TIMEOUT_MS = 30_000;
/** Arrivals in flight at once, as in `bench:crowd`. */
const ARRIVAL_CONCURRENCY = 50;
const ARRIVALS_DEADLINE_MS = 300_000;
const SETTLE_TIMEOUT_MS = 60_000;
const SETTLE_POLL_MS = 5;
const METRICS_TIMEOUT_MS = 5_000;
/** The relay's presence frames: a join's answer and the news of others. */
const PRESENCE_TYPES: ReadonlySet<string> = new Set(['peers', 'peer-joined', 'peer-left']);

export interface CrowdResult {
  /** What an arrival is and how its frames were counted, for this server. */
  readonly measured: string;
  readonly fromPeople: number;
  readonly toPeople: number;
  readonly framesPerArrival: number;
  readonly cpuMsPerArrival: number;
  /** Over the measured arrivals, until the server had sent all they caused. */
  readonly cpu: CpuUse;
}

/** One server's crowd as the test drives it. */
interface Crowd {
  readonly measured: string;
  /** Presence frames all clients have received so far. */
  readonly frames: number;
  /** Brings person `index` in; resolves once the server has handled the arrival. */
  arrive(index: number): Promise<void>;
  /** Resolves once the server has handed every frame the arrivals so far caused to its sockets. */
  whenSent(): Promise<void>;
  /** Resolves once the clients have received every one of those frames. */
  whenReceived(): Promise<void>;
}

export async function measureCrowd(kind: ServerKind, config: BenchConfig, tracker: ProcessTracker): Promise<CrowdResult | null> {
  if (kind === 'peerjs') return null;
  const server = await startServer(kind, 'presence', tracker, { isInspectable: false });
  const pool = new ClientPool();
  try {
    const crowd = kind === 'neartalk' ? neartalkCrowd(server.port, pool) : yWebrtcCrowd(server.port, pool);
    const { from, to } = config.crowd;
    const arriveAll = (first: number, end: number): Promise<unknown> =>
      runBounded(first, end, ARRIVAL_CONCURRENCY, ARRIVALS_DEADLINE_MS, (index) => crowd.arrive(index));
    await arriveAll(0, from);
    await crowd.whenSent();
    await crowd.whenReceived();
    const framesBefore = crowd.frames;
    const start = cpuSnapshot(server.pid);
    await arriveAll(from, to);
    await crowd.whenSent();
    const end = cpuSnapshot(server.pid);
    await crowd.whenReceived();
    server.assertAlive();
    const arrivals = to - from;
    return {
      measured: crowd.measured,
      fromPeople: from,
      toPeople: to,
      framesPerArrival: (crowd.frames - framesBefore) / arrivals,
      cpuMsPerArrival: ((end.serverCpuSeconds - start.serverCpuSeconds) * 1000) / arrivals,
      cpu: cpuBetween(start, end),
    };
  } finally {
    pool.closeAll();
    await server.stop();
  }
}

function neartalkCrowd(port: number, pool: ClientPool): Crowd {
  const cell = cellOf(0);
  let frames = 0;
  const count = (text: string): void => {
    const type = readFrame(text)?.type;
    if (type !== undefined && PRESENCE_TYPES.has(type)) frames += 1;
  };
  return {
    measured:
      'every client joins one home cell, watching its prefix; frames: peers answers, peer-joined and peer-left received ' +
      "by all clients, counted once they reach what the relay's /metrics says it sent",
    get frames() {
      return frames;
    },
    async arrive() {
      const { client } = await openRelayClient(port, CLIENT_TIMEOUT_MS, (opened) => pool.add(opened));
      client.onText = count;
      await joinCell(client, cell, CLIENT_TIMEOUT_MS);
      // joinCell takes the answer itself; it is this arrival's first presence frame.
      frames += 1;
    },
    async whenSent() {
      // The relay queues an arrival's news for its watchers and sends it a slice at a time:
      // every frame it counted as sent has been sent once the clients have it.
      const sent = await presenceFramesSent(port);
      const deadline = performance.now() + SETTLE_TIMEOUT_MS;
      while (frames < sent) {
        if (performance.now() >= deadline) {
          throw new Error(`clients received ${frames} of the ${sent} presence frames the relay sent within ${SETTLE_TIMEOUT_MS} ms`);
        }
        await sleep(SETTLE_POLL_MS);
      }
    },
    whenReceived: () => Promise.resolve(),
  };
}

/** Presence frames the relay on `port` has queued for its clients since it started. */
async function presenceFramesSent(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(METRICS_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`/metrics answered HTTP ${response.status}`);
  let sent = 0;
  for (const line of (await response.text()).split('\n')) {
    const match = /^neartalk_frames_out_total\{type="([\w-]+)"\} (\d+)$/.exec(line);
    if (match?.[1] !== undefined && PRESENCE_TYPES.has(match[1])) sent += Number(match[2]);
  }
  return sent;
}

function yWebrtcCrowd(port: number, pool: ClientPool): Crowd {
  const topic = topicOf(0);
  const clients: BenchClient[] = [];
  let frames = 0;
  const count = (text: string): void => {
    if (announceFrom(text) !== null) frames += 1;
  };
  return {
    measured:
      'every client subscribes to one room topic and publishes an announce (its client on entering a room); frames: ' +
      'announce publishes received by all subscribers, the newcomer its own included, counted after a ping round trip on every client',
    get frames() {
      return frames;
    },
    async arrive(index) {
      const client = pool.add(await BenchClient.open(`ws://127.0.0.1:${port}/`, CLIENT_TIMEOUT_MS));
      client.onText = count;
      clients.push(client);
      await subscribe(client, topic, CLIENT_TIMEOUT_MS);
      client.send(announceFrame(topic, `c${index}`));
      // The server sends a publish to every subscriber while handling it: the pong after it
      // proves those frames are on their way.
      await pingPong(client, CLIENT_TIMEOUT_MS);
    },
    whenSent: () => Promise.resolve(),
    async whenReceived() {
      // Every publish was handled before these pings, and a client's pong comes after every
      // frame sent to it earlier.
      await Promise.all(clients.map((client) => pingPong(client, CLIENT_TIMEOUT_MS)));
    },
  };
}
