/** The bench's command line: which sizes to run and against which servers. */

import { parseArgs } from 'node:util';

export const SERVER_KINDS = ['neartalk', 'y-webrtc', 'peerjs'] as const;
/** The three signaling servers compared; `neartalk` is ours. */
export type ServerKind = (typeof SERVER_KINDS)[number];

export const SERVER_LABELS: Readonly<Record<ServerKind, string>> = {
  neartalk: 'NearTalk relay',
  'y-webrtc': 'y-webrtc',
  peerjs: 'PeerJS',
};

/** Test 6: one cell (or room) is ramped to `from` people, then the arrivals up to `to` are measured. */
export interface CrowdSizes {
  readonly from: number;
  readonly to: number;
}

/** Most people in the crowd test: the load generator holds every socket (20,000 descriptors here). */
const MAX_CROWD = 19_000;

export interface BenchConfig {
  readonly isQuick: boolean;
  /** Profile each server (V8 inspector) over the throughput window. */
  readonly isProfiling: boolean;
  /** Run only test 5, the NearTalk relay under attack. */
  readonly isAttackOnly: boolean;
  readonly servers: readonly ServerKind[];
  /** Idle connection counts, ascending; the bench ramps one server through them. */
  readonly idleCounts: readonly number[];
  /** Clients per cell (or topic) when idle: a realistic neighbourhood, not one giant cell. */
  readonly idleGroupSize: number;
  readonly throughputPairs: number;
  readonly throughputWarmupMs: number;
  readonly throughputWindowMs: number;
  /** Signals each client keeps in flight towards its partner during the throughput test. */
  readonly signalsInFlight: number;
  readonly latencyPairs: number;
  readonly latencyWarmupMs: number;
  readonly latencyWindowMs: number;
  /** Mean gap between two signals of one client in the latency test (jittered ±20 %). */
  readonly latencySendIntervalMs: number;
  readonly presencePeers: number;
  /** Leave → join → move cycles; each cycle uses the next peer as the actor. */
  readonly presenceRounds: number;
  /** Handshakes in flight at once while connecting many clients. */
  readonly connectConcurrency: number;
  readonly crowd: CrowdSizes;
}

const FULL = {
  idleCounts: [1_000, 5_000, 10_000],
  idleGroupSize: 10,
  throughputPairs: 500,
  throughputWarmupMs: 1_000,
  throughputWindowMs: 5_000,
  signalsInFlight: 4,
  latencyPairs: 1_000,
  latencyWarmupMs: 1_000,
  latencyWindowMs: 10_000,
  latencySendIntervalMs: 1_000,
  presencePeers: 50,
  presenceRounds: 50,
  connectConcurrency: 200,
  crowd: { from: 1_000, to: 3_000 },
} as const;

const QUICK = {
  ...FULL,
  idleCounts: [1_000],
  throughputPairs: 100,
  throughputWindowMs: 2_000,
  latencyPairs: 100,
  latencyWindowMs: 3_000,
  presenceRounds: 10,
  crowd: { from: 200, to: 500 },
} as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: npm run bench:relay -- [--quick] [--servers neartalk,y-webrtc,peerjs]

Compares the NearTalk relay with the y-webrtc and PeerJS signaling servers on idle
memory, signal throughput, forward latency, presence cost and presence in a crowd (one
cell ramped to 1,000 people, then the arrivals to 3,000). Servers run on core 0,
this load generator on core 1. Results: test/bench/results/relay-latest.json.

  --quick            1k idle connections, 100 pairs, shorter windows, a crowd of 200 → 500
                     (for development)
  --servers <list>   comma-separated subset of ${SERVER_KINDS.join(', ')}
  --profile          write a V8 CPU profile of each server over the throughput window to
                     test/bench/results/<server>-throughput.cpuprofile (the inspector is
                     attached only then; figures from a profiled run are a little lower)
  --crowd <from,to>  test 6's sizes: ramp one cell to <from> people, measure the arrivals
                     up to <to> (1 ≤ from < to ≤ ${MAX_CROWD.toLocaleString('en-US')}; default 1000,3000, quick 200,500)
  --attack           run only test 5: the NearTalk relay while one client floods
                     presence at 2,000 watchers (benign p99, /health, RSS recovery)
  --help             show this text
`;

/** Reads the flags; throws UsageError on anything unknown. Null means "print help". */
export function parseBenchArgs(argv: readonly string[]): BenchConfig | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean' },
        servers: { type: 'string' },
        profile: { type: 'boolean' },
        attack: { type: 'boolean' },
        crowd: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err: unknown) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help === true) return null;
  const servers = values.servers === undefined ? [...SERVER_KINDS] : parseServers(values.servers);
  const isQuick = values.quick === true;
  const sizes = isQuick ? QUICK : FULL;
  const crowd = values.crowd === undefined ? sizes.crowd : parseCrowd(values.crowd);
  return { isQuick, isProfiling: values.profile === true, isAttackOnly: values.attack === true, servers, ...sizes, crowd };
}

function parseCrowd(text: string): CrowdSizes {
  const parts = text.split(',').map((part) => part.trim());
  const [from, to] = parts.map((part) => (/^\d+$/.test(part) ? Number(part) : Number.NaN));
  if (parts.length !== 2 || from === undefined || to === undefined || !(from >= 1 && from < to && to <= MAX_CROWD)) {
    throw new UsageError(`--crowd: "${text}" is not two whole numbers from,to with 1 ≤ from < to ≤ ${MAX_CROWD}, e.g. 1000,3000`);
  }
  return { from, to };
}

function parseServers(list: string): ServerKind[] {
  const kinds: ServerKind[] = [];
  for (const name of list.split(',').map((part) => part.trim())) {
    const kind = SERVER_KINDS.find((candidate) => candidate === name);
    if (kind === undefined) throw new UsageError(`--servers: unknown server "${name}"; use ${SERVER_KINDS.join(', ')}`);
    if (!kinds.includes(kind)) kinds.push(kind);
  }
  return kinds;
}
