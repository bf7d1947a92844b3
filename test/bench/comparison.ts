/**
 * The comparison table: one row per figure, the three servers side by side, ours against
 * the best of the other two, and the targets we hold the relay to.
 */

import type { BenchConfig, ServerKind } from './bench-config.ts';
import type { OpStats, PresenceOpName } from './presence.ts';
import { valueOf, type Outcome, type ServerResults } from './results.ts';

/** A cell: a figure, "n/a" (no such thing on that server) or "error" (the test failed). */
export type Cell = number | 'n/a' | 'error' | 'not run';

export type Target =
  | { readonly kind: 'ratio-at-most'; readonly value: number }
  | { readonly kind: 'ratio-at-least'; readonly value: number }
  | { readonly kind: 'below'; readonly value: number };

export interface Row {
  readonly label: string;
  readonly unit: 'bytes' | 'count' | 'rate' | 'ms' | 'cores';
  readonly values: Readonly<Record<ServerKind, Cell>>;
  /** Which way is better, for the ratio; null: no ratio (context only). */
  readonly better: 'lower' | 'higher' | null;
  readonly target: Target | null;
}

export interface EvaluatedRow extends Row {
  /** Best of the two other servers. */
  readonly best: number | null;
  /** Ours ÷ best. */
  readonly ratio: number | null;
  readonly isMet: boolean | null;
}

type Results = Readonly<Partial<Record<ServerKind, ServerResults>>>;

function cells(results: Results, pick: (server: ServerResults) => Cell): Record<ServerKind, Cell> {
  const cell = (kind: ServerKind): Cell => {
    const server = results[kind];
    return server === undefined ? 'not run' : pick(server);
  };
  return { neartalk: cell('neartalk'), 'y-webrtc': cell('y-webrtc'), peerjs: cell('peerjs') };
}

/** The figure `read` takes from a test outcome, or why there is none. */
function from<T>(outcome: Outcome<T> | undefined, read: (value: T) => number | null): Cell {
  if (outcome === undefined) return 'not run';
  if (!outcome.ok) return 'error';
  return read(outcome.value) ?? 'n/a';
}

export function buildRows(config: BenchConfig, results: Results): Row[] {
  const rows: Row[] = [];
  for (const [index, connections] of config.idleCounts.entries()) {
    const point = (server: ServerResults) => valueOf(server.idle)?.points[index];
    rows.push({
      label: `Idle RSS per connection @ ${connections.toLocaleString('en-US')}`,
      unit: 'bytes',
      values: cells(results, (server) => from(server.idle, () => point(server)?.rssBytesPerConnection ?? null)),
      better: 'lower',
      target: { kind: 'ratio-at-most', value: 0.5 },
    });
    rows.push({
      label: `Idle V8 heap per connection @ ${connections.toLocaleString('en-US')}`,
      unit: 'bytes',
      values: cells(results, (server) => from(server.idle, () => point(server)?.heapBytesPerConnection ?? null)),
      better: 'lower',
      target: null,
    });
  }
  const pairs = config.throughputPairs;
  rows.push(
    {
      label: `Signals forwarded/s (${pairs} pairs, flood)`,
      unit: 'rate',
      values: cells(results, (server) => from(server.throughput, (value) => value.signalsPerSecond)),
      better: 'higher',
      target: null,
    },
    {
      label: 'Server CPU during flood',
      unit: 'cores',
      values: cells(results, (server) => from(server.throughput, (value) => value.cpu.serverCores)),
      better: null,
      target: null,
    },
    {
      label: 'Load generator CPU during flood',
      unit: 'cores',
      values: cells(results, (server) => from(server.throughput, (value) => value.cpu.loadCores)),
      better: null,
      target: null,
    },
    {
      label: 'Signals/s per core of server CPU',
      unit: 'rate',
      values: cells(results, (server) => from(server.throughput, (value) => value.signalsPerServerCoreSecond)),
      better: 'higher',
      target: { kind: 'ratio-at-least', value: 2 },
    },
  );
  const latencyLabel = `${config.latencyPairs.toLocaleString('en-US')} pairs, 1 signal/s each`;
  rows.push(
    {
      label: `Forward latency p50 (${latencyLabel})`,
      unit: 'ms',
      values: cells(results, (server) => from(server.latency, (value) => value.latencyMs.p50)),
      better: 'lower',
      target: null,
    },
    {
      label: `Forward latency p99 (${latencyLabel})`,
      unit: 'ms',
      values: cells(results, (server) => from(server.latency, (value) => value.latencyMs.p99)),
      better: 'lower',
      target: { kind: 'below', value: 5 },
    },
    {
      label: 'Server CPU at that load',
      unit: 'cores',
      values: cells(results, (server) => from(server.latency, (value) => value.cpu.serverCores)),
      better: 'lower',
      target: null,
    },
  );
  const peers = config.presencePeers;
  for (const op of ['join', 'move', 'leave'] as const satisfies readonly PresenceOpName[]) {
    const stat = (server: ServerResults): OpStats | null => valueOf(server.presence)?.ops[op] ?? null;
    rows.push(
      {
        label: `Presence ${op}, p50 until ${peers - 1} peers told`,
        unit: 'ms',
        values: cells(results, (server) => from(server.presence, () => stat(server)?.timeMs.p50 ?? null)),
        better: 'lower',
        target: null,
      },
      {
        label: `Presence ${op}, frames per op`,
        unit: 'count',
        values: cells(results, (server) => from(server.presence, () => stat(server)?.framesPerOp ?? null)),
        better: 'lower',
        target: null,
      },
    );
  }
  rows.push(...crowdRows(config, results));
  return rows;
}

function crowdRows(config: BenchConfig, results: Results): Row[] {
  const people = `${config.crowd.from.toLocaleString('en-US')} → ${config.crowd.to.toLocaleString('en-US')}`;
  return [
    {
      label: `Crowd: presence frames per arrival, ${people} in one cell`,
      unit: 'count',
      values: cells(results, (server) => from(server.crowd, (value) => value?.framesPerArrival ?? null)),
      better: 'lower',
      target: null,
    },
    {
      label: 'Crowd: server CPU per arrival',
      unit: 'ms',
      values: cells(results, (server) => from(server.crowd, (value) => value?.cpuMsPerArrival ?? null)),
      better: 'lower',
      target: null,
    },
  ];
}

export function evaluate(row: Row): EvaluatedRow {
  const ours = row.values.neartalk;
  const others = [row.values['y-webrtc'], row.values.peerjs].filter((cell): cell is number => typeof cell === 'number');
  const best =
    row.better === null || others.length === 0 ? null : row.better === 'lower' ? Math.min(...others) : Math.max(...others);
  const ratio = best === null || typeof ours !== 'number' || best === 0 ? null : ours / best;
  let isMet: boolean | null = null;
  if (row.target !== null) {
    if (row.target.kind === 'below') isMet = typeof ours === 'number' ? ours < row.target.value : null;
    else if (ratio !== null) isMet = row.target.kind === 'ratio-at-most' ? ratio <= row.target.value : ratio >= row.target.value;
  }
  return { ...row, best, ratio, isMet };
}
