/**
 * `npm run bench:mesh -- … --repeat N`: N runs of the same command, each in a process of
 * its own (libdatachannel's threads and the event loop start fresh, as in a single run),
 * one after the other; then the median and the worst of their figures. A tail figure that
 * holds only on some runs is not a result, so the worst of N is the one to quote.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isJsonObject, parseJson } from '../../app/core/json.ts';

/** The figures of one run that the repeat summary compares. */
export interface RunFigures {
  readonly seed: number;
  readonly deliveryRatio: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxConns: number;
  readonly loopP99Ms: number;
  readonly load: readonly [number, number];
  /** p50 and p99 with the simulator's queueing taken out (see delivery-breakdown.ts); null when the run had no breakdown. */
  readonly withoutSimulator: { readonly p50Ms: number; readonly p99Ms: number } | null;
}

/** The flags of this command without `--repeat`, `--seeds`, `--seed` and `--json` (and their values). */
export function singleRunArgs(argv: readonly string[]): string[] {
  const dropped = new Set(['--repeat', '--seeds', '--seed', '--json']);
  const kept: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] ?? '';
    const name = arg.split('=')[0] ?? '';
    if (dropped.has(name)) {
      if (!arg.includes('=')) index += 1;
      continue;
    }
    kept.push(arg);
  }
  return kept;
}

/** Reads a run's figures from the JSON report it wrote; null when it is not one. */
export function parseRunFigures(text: string): RunFigures | null {
  const value = parseJson(text);
  if (!isJsonObject(value) || !isJsonObject(value['report'])) return null;
  const report = value['report'];
  const latency = report['latencyMs'];
  const loop = report['eventLoopDelayMs'];
  const load = report['loadAverage'];
  if (!isJsonObject(latency) || !isJsonObject(loop) || !Array.isArray(load)) return null;
  const numbers = [report['seed'], report['deliveryRatio'], latency['p50'], latency['p99'], report['maxConns'], loop['p99'], load[0], load[1]];
  const isNumber = (entry: unknown): entry is number => typeof entry === 'number';
  if (!numbers.every(isNumber)) return null;
  const [seed, deliveryRatio, p50Ms, p99Ms, maxConns, loopP99Ms, loadStart, loadEnd] = numbers;
  const breakdown = report['breakdown'];
  const net = isJsonObject(breakdown) && isJsonObject(breakdown['withoutSimulator']) ? breakdown['withoutSimulator'] : null;
  const netP50 = net?.['p50'];
  const netP99 = net?.['p99'];
  return {
    seed: seed ?? 0,
    deliveryRatio: deliveryRatio ?? 0,
    p50Ms: p50Ms ?? 0,
    p99Ms: p99Ms ?? 0,
    maxConns: maxConns ?? 0,
    loopP99Ms: loopP99Ms ?? 0,
    load: [loadStart ?? 0, loadEnd ?? 0],
    withoutSimulator: isNumber(netP50) && isNumber(netP99) ? { p50Ms: netP50, p99Ms: netP99 } : null,
  };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** The summary lines: one per run, then the median and the worst (highest latency, lowest delivery). */
export function repeatLines(runs: readonly RunFigures[]): string[] {
  const percent = (ratio: number): string => `${(ratio * 100).toFixed(2)}%`;
  const ms = (value: number): string => `${Math.round(value)}ms`;
  const lines = runs.map(
    (run, index) =>
      `run ${index + 1}: seed ${run.seed}, delivery ${percent(run.deliveryRatio)}, p50 ${ms(run.p50Ms)}, p99 ${ms(run.p99Ms)}, ` +
      `max links ${run.maxConns}, simulator loop p99 ${run.loopP99Ms.toFixed(1)} ms, load ${run.load[0].toFixed(2)} → ${run.load[1].toFixed(2)}` +
      (run.withoutSimulator === null ? '' : `; without the simulator's queueing p50 ${ms(run.withoutSimulator.p50Ms)}, p99 ${ms(run.withoutSimulator.p99Ms)}`),
  );
  const p50s = runs.map((run) => run.p50Ms);
  const p99s = runs.map((run) => run.p99Ms);
  const deliveries = runs.map((run) => run.deliveryRatio);
  lines.push(
    `mesh repeat runs=${runs.length} delivery median=${percent(median(deliveries))} worst=${percent(Math.min(...deliveries))} ` +
      `p50 median=${ms(median(p50s))} worst=${ms(Math.max(...p50s))} p99 median=${ms(median(p99s))} worst=${ms(Math.max(...p99s))} ` +
      `maxConns=${Math.max(...runs.map((run) => run.maxConns))}`,
  );
  const nets = runs.flatMap((run) => (run.withoutSimulator === null ? [] : [run.withoutSimulator]));
  if (nets.length === runs.length && nets.length > 0) {
    lines.push(
      `without the simulator's queueing: p50 median=${ms(median(nets.map((net) => net.p50Ms)))} worst=${ms(Math.max(...nets.map((net) => net.p50Ms)))} ` +
        `p99 median=${ms(median(nets.map((net) => net.p99Ms)))} worst=${ms(Math.max(...nets.map((net) => net.p99Ms)))}`,
    );
  }
  return lines;
}

function runOnce(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    // The same Node, with the same loader flags (tsx) and --expose-gc this process got.
    const child = spawn(process.execPath, [...process.execArgv, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/** Runs `script` `count` times with the given flags; prints every run, then the summary. */
export async function runRepeated(script: string, argv: readonly string[], count: number, firstSeed: number, isFreshSeedEachRun: boolean): Promise<RunFigures[]> {
  const folder = mkdtempSync(join(tmpdir(), 'neartalk-mesh-repeat-'));
  const runs: RunFigures[] = [];
  try {
    for (let index = 0; index < count; index += 1) {
      const seed = isFreshSeedEachRun ? firstSeed + index : firstSeed;
      const jsonPath = join(folder, `run-${index}.json`);
      console.log(`\n== run ${index + 1} of ${count}, seed ${seed} ==`);
      const code = await runOnce([script, ...singleRunArgs(argv), '--seed', String(seed), '--json', jsonPath]);
      if (code !== 0) throw new Error(`run ${index + 1} exited with ${code}`);
      const figures = parseRunFigures(readFileSync(jsonPath, 'utf8'));
      if (figures === null) throw new Error(`run ${index + 1} wrote no readable report`);
      runs.push(figures);
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  console.log('');
  for (const line of repeatLines(runs)) console.log(line);
  return runs;
}
