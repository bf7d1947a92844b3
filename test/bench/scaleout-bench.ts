/**
 * `npm run bench:scaleout`: what sharing presence and signals through Redis costs.
 * 1. Signals, flood and realistic load, through one relay and through two relays and
 *    Redis (every pair split across the two relays, so every signal crosses Redis).
 * 2. Connections spread over several relays on one Redis.
 * Servers (relays and Redis) run on core 0, this load generator on core 1, as in
 * `bench:relay`. Prints tables and writes results/scaleout-latest.json.
 */

import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readAffinity } from './proc-stats.ts';
import { attempt, type Outcome } from './results.ts';
import { exitWith } from './run-bench.ts';
import { measureFlood, measureSteady, type SignalsConfig, type SignalsResult } from './scaleout-signals.ts';
import { measureSpread, type SpreadConfig, type SpreadResult } from './scaleout-spread.ts';
import { LOAD_CORE, ProcessTracker, SERVER_CORE } from './server-process.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const RESULTS_PATH = fileURLToPath(new URL('./results/scaleout-latest.json', import.meta.url));

const FULL: SignalsConfig & SpreadConfig = {
  throughputPairs: 500,
  signalsInFlight: 4,
  latencyPairs: 1_000,
  warmupMs: 1_000,
  throughputWindowMs: 5_000,
  latencyWindowMs: 10_000,
  connectConcurrency: 200,
  spreadRelays: 4,
  connectionsPerRelay: 2_500,
  idleWindowMs: 5_000,
};
const QUICK: SignalsConfig & SpreadConfig = {
  ...FULL,
  throughputPairs: 100,
  latencyPairs: 100,
  throughputWindowMs: 2_000,
  latencyWindowMs: 3_000,
  connectionsPerRelay: 500,
  idleWindowMs: 2_000,
};

const USAGE = `Usage: npm run bench:scaleout -- [--quick]

Signals through one relay against two relays sharing Redis (flood and 1 signal/s per
client), and connections spread over ${FULL.spreadRelays} relays on one Redis. Servers on core
${SERVER_CORE}, this load generator on core ${LOAD_CORE}. Results: test/bench/results/scaleout-latest.json.

  --quick   100 pairs, ${QUICK.spreadRelays} × ${QUICK.connectionsPerRelay} connections, shorter windows
  --help    show this text
`;

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

const ms = (value: number): string => `${value.toFixed(2)} ms`;
const pct = (value: number): string => `${(value * 100).toFixed(0)} %`;
const rate = (value: number): string => `${Math.round(value).toLocaleString('en-US')}/s`;
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function table(rows: readonly (readonly string[])[]): string {
  const widths = (rows[0] ?? []).map((_cell, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [line(rows[0] ?? []), widths.map((width) => '─'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function signalsTable(title: string, one: Outcome<SignalsResult>, two: Outcome<SignalsResult>): string {
  const cell = (outcome: Outcome<SignalsResult>, read: (value: SignalsResult) => string): string =>
    outcome.ok ? read(outcome.value) : 'error';
  const rows: string[][] = [
    [title, 'one relay', 'two relays + Redis'],
    ['Signals delivered/s', cell(one, (v) => rate(v.signalsPerSecond)), cell(two, (v) => rate(v.signalsPerSecond))],
    ['Forward latency p50', cell(one, (v) => ms(v.latencyMs.p50)), cell(two, (v) => ms(v.latencyMs.p50))],
    ['Forward latency p99', cell(one, (v) => ms(v.latencyMs.p99)), cell(two, (v) => ms(v.latencyMs.p99))],
    ['Server CPU (relays + Redis)', cell(one, (v) => pct(v.serverCores)), cell(two, (v) => pct(v.serverCores))],
    ['  of which Redis', cell(one, () => '–'), cell(two, (v) => pct(v.redisCores))],
    ['Signals/s per core of server CPU', cell(one, (v) => rate(v.signalsPerSecond / v.serverCores)), cell(two, (v) => rate(v.signalsPerSecond / v.serverCores))],
    ['Load generator CPU', cell(one, (v) => pct(v.loadCores)), cell(two, (v) => pct(v.loadCores))],
    ['Other processes\' CPU (disturbance)', cell(one, (v) => pct(v.otherCores)), cell(two, (v) => pct(v.otherCores))],
    ['Errors / lost', cell(one, (v) => `${v.errorFrames} / ${v.lost}`), cell(two, (v) => `${v.errorFrames} / ${v.lost}`)],
  ];
  return table(rows);
}

function spreadTable(spread: SpreadResult): string {
  const rows: string[][] = [['Relay', 'connections', 'remote peers known', 'RSS', 'RSS per connection', 'idle CPU']];
  for (const [index, relay] of spread.relays.entries()) {
    rows.push([
      `relay ${index + 1}`,
      relay.connections.toLocaleString('en-US'),
      relay.remotePeers.toLocaleString('en-US'),
      mib(relay.rssBytes),
      `${Math.round(relay.rssBytesPerConnection).toLocaleString('en-US')} B`,
      pct(relay.idleCores),
    ]);
  }
  rows.push(['Redis', '', '', mib(spread.redisRssBytes), '', pct(spread.redisIdleCores)]);
  return `${table(rows)}\nConnected at ${rate(spread.connectsPerSecond)} (handshake + join, all relays together).`;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: process.argv.slice(2), strict: true, options: { quick: { type: 'boolean' }, help: { type: 'boolean' } } }));
  } catch (err: unknown) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const isQuick = values.quick === true;
  const config = isQuick ? QUICK : FULL;
  execFileSync('taskset', ['-a', '-p', '-c', String(LOAD_CORE), String(process.pid)], { stdio: 'ignore' });
  if (readAffinity(process.pid) !== String(LOAD_CORE)) throw new Error(`could not pin the load generator to core ${LOAD_CORE}`);
  const tracker = new ProcessTracker();
  const interrupt = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: stopping the servers this bench started\n`);
    void tracker.stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const startedAt = new Date();
  log(`NearTalk scale-out bench${isQuick ? ' (quick)' : ''}: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`);
  log(`servers (relays and Redis) on core ${SERVER_CORE}, load generator on core ${LOAD_CORE}; load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`);
  try {
    log(`\n1a. Flood: ${config.throughputPairs} pairs, ${config.signalsInFlight} signals in flight per client (rate limits raised)`);
    const floodOne = await attempt(() => measureFlood(1, config, tracker));
    const floodTwo = await attempt(() => measureFlood(2, config, tracker));
    log(signalsTable('Flood', floodOne, floodTwo));
    log(`\n1b. Realistic load: ${config.latencyPairs.toLocaleString('en-US')} pairs, one signal per client per second`);
    const steadyOne = await attempt(() => measureSteady(1, config, tracker));
    const steadyTwo = await attempt(() => measureSteady(2, config, tracker));
    log(signalsTable('1 signal/s per client', steadyOne, steadyTwo));
    const total = config.spreadRelays * config.connectionsPerRelay;
    log(`\n2. ${total.toLocaleString('en-US')} connections over ${config.spreadRelays} relays (10 per cell, every cell on every relay)`);
    const spread = await attempt(() => measureSpread(config, tracker));
    log(spread.ok ? spreadTable(spread.value) : `FAILED: ${spread.error}`);
    const outcomes = [floodOne, floodTwo, steadyOne, steadyTwo, spread];
    for (const outcome of outcomes) if (!outcome.ok) log(`error: ${outcome.error}`);
    mkdirSync(dirname(RESULTS_PATH), { recursive: true });
    writeFileSync(
      RESULTS_PATH,
      `${JSON.stringify({ startedAt: startedAt.toISOString(), command: `npm run bench:scaleout${isQuick ? ' -- --quick' : ''}`, config, floodOne, floodTwo, steadyOne, steadyTwo, spread }, null, 2)}\n`,
    );
    log(`\nWrote ${RESULTS_PATH} in ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s.`);
    return outcomes.every((outcome) => outcome.ok) ? 0 : 1;
  } finally {
    await tracker.stopAll();
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

exitWith('scale-out bench', main);
