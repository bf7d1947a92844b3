/**
 * `npm run bench:relay`: the NearTalk relay against the y-webrtc and PeerJS signaling
 * servers, same load, same run: idle memory, throughput, latency, presence, the relay under
 * attack (NearTalk only) and a crowd in one cell (NearTalk and y-webrtc). Servers run as
 * child processes on core 0, this load generator on core 1. Prints a table with targets
 * and writes results/relay-latest.json.
 */

import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, SERVER_KINDS, SERVER_LABELS, USAGE, UsageError, type BenchConfig, type ServerKind } from './bench-config.ts';
import { buildRows, evaluate } from './comparison.ts';
import { measureCrowd } from './crowd-compare.ts';
import { measureIdleMemory } from './idle-memory.ts';
import { measureLatency } from './latency.ts';
import { measurePresence } from './presence.ts';
import { attempt, valueOf, writeReport, type Environment, type ServerResults } from './results.ts';
import { LOAD_CORE, pinToLoadCore, ProcessTracker, SERVER_CORE } from './server-process.ts';
import { SERVER_NOTES } from './servers.ts';
import { renderTable } from './table.ts';
import { measureThroughput } from './throughput.ts';
import { describeCrowd, describeIdle, describeLatency, describePresence, describeThroughput } from './progress.ts';
import { describeUnderAttack, measureUnderAttack } from './under-attack.ts';

/** Other processes' CPU in a window above which the figures are flagged as disturbed. */
const OTHER_CPU_WARNING_CORES = 0.05;
const RESULTS_PATH = fileURLToPath(new URL('./results/relay-latest.json', import.meta.url));

function environment(): Environment {
  return {
    node: process.version,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    loadAverageAtStart: loadavg(),
    serverCore: SERVER_CORE,
    loadGeneratorCore: LOAD_CORE,
  };
}

async function runAll(config: BenchConfig, tracker: ProcessTracker): Promise<Partial<Record<ServerKind, ServerResults>>> {
  const results: Partial<Record<ServerKind, ServerResults>> = {};
  for (const kind of config.servers) results[kind] = {};
  const attack = async (): Promise<void> => {
    const server = results.neartalk;
    if (server === undefined) return;
    log('\n5. Under attack: one client floods presence at 2,000 watchers; 100 benign pairs in other cells (NearTalk only)');
    server.underAttack = await attempt(() => measureUnderAttack(config, tracker));
    log(`  ${SERVER_LABELS.neartalk.padEnd(15)} ${server.underAttack.ok ? describeUnderAttack(server.underAttack.value) : `failed: ${server.underAttack.error}`}`);
  };
  if (config.isAttackOnly) {
    await attack();
    return results;
  }
  const each = async (title: string, run: (kind: ServerKind, server: ServerResults) => Promise<string>): Promise<void> => {
    log(`\n${title}`);
    for (const kind of config.servers) {
      const server = results[kind];
      if (server === undefined) continue;
      log(`  ${SERVER_LABELS[kind].padEnd(15)} ${await run(kind, server)}`);
    }
  };
  await each(`1. Idle memory: ${config.idleCounts.join(' / ')} connections`, async (kind, server) => {
    server.idle = await attempt(() => measureIdleMemory(kind, config, tracker));
    return describeIdle(server.idle);
  });
  const flood = `${config.throughputPairs} pairs, ${config.signalsInFlight} signals in flight per client`;
  await each(`2. Throughput: ${flood} (NearTalk rate limits raised: raw forwarding)`, async (kind, server) => {
    server.throughput = await attempt(() => measureThroughput(kind, config, tracker));
    return describeThroughput(server.throughput);
  });
  await each(`3. Latency: ${config.latencyPairs} pairs, one signal per client per second`, async (kind, server) => {
    server.latency = await attempt(() => measureLatency(kind, config, tracker));
    return describeLatency(server.latency);
  });
  await each(`4. Presence: ${config.presencePeers} peers in one cell, ${config.presenceRounds} rounds`, async (kind, server) => {
    server.presence = await attempt(() => measurePresence(kind, config, tracker));
    return describePresence(server.presence);
  });
  await attack();
  const [from, to] = [config.crowd.from, config.crowd.to].map((people) => people.toLocaleString('en-US'));
  await each(`6. Crowd: one cell ramped to ${from} people, then the arrivals to ${to} (PeerJS: no presence)`, async (kind, server) => {
    server.crowd = await attempt(() => measureCrowd(kind, config, tracker));
    return describeCrowd(server.crowd);
  });
  return results;
}

/** A test's "what was measured" lines, one per server that has them, or ''. */
function measuredNotes(title: string, config: BenchConfig, measured: (kind: ServerKind) => string | undefined): string {
  const lines = config.servers.flatMap((kind) => {
    const text = measured(kind);
    return text === undefined ? [] : [`  ${SERVER_LABELS[kind]}: ${text}`];
  });
  return lines.length === 0 ? '' : `${title}, what was measured (PeerJS has no presence: n/a):\n${lines.join('\n')}`;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<number> {
  let config: BenchConfig | null;
  try {
    config = parseBenchArgs(process.argv.slice(2));
  } catch (err: unknown) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (config === null) {
    process.stdout.write(USAGE);
    return 0;
  }
  pinToLoadCore();
  const tracker = new ProcessTracker();
  const interrupt = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: stopping the servers this bench started\n`);
    void tracker.stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const startedAt = new Date();
  const env = environment();
  const command = `npm run bench:relay${config.isQuick ? ' -- --quick' : ''}${config.isAttackOnly ? ' -- --attack' : ''}`;
  log(`NearTalk relay bench${config.isQuick ? ' (quick)' : ''}: ${env.cpuModel}, ${env.cores} cores, Node ${env.node}`);
  log(`servers pinned to core ${SERVER_CORE}, load generator to core ${LOAD_CORE}; load average ${env.loadAverageAtStart.map((load) => load.toFixed(2)).join(' ')}`);
  try {
    const servers = await runAll(config, tracker);
    const rows = buildRows(config, servers).map(evaluate);
    log(`\n${renderTable(rows)}\n`);
    log('How each server ran:');
    for (const kind of SERVER_KINDS) log(`  ${SERVER_LABELS[kind]}: ${SERVER_NOTES[kind]}`);
    const notes = [
      measuredNotes('Presence', config, (kind) => valueOf(servers[kind]?.presence)?.measured),
      measuredNotes('Crowd', config, (kind) => valueOf(servers[kind]?.crowd)?.measured),
    ];
    for (const text of notes) if (text !== '') log(text);
    const busiestOthers = Math.max(
      0,
      ...config.servers.flatMap((kind) => {
        const server = servers[kind];
        return [
          valueOf(server?.throughput)?.cpu.otherCores ?? 0,
          valueOf(server?.latency)?.cpu.otherCores ?? 0,
          valueOf(server?.crowd)?.cpu.otherCores ?? 0,
        ];
      }),
    );
    if (busiestOthers > OTHER_CPU_WARNING_CORES) {
      log(
        `\nWARNING: other processes used up to ${(busiestOthers * 100).toFixed(0)} % of a core during a measurement ` +
          'window; throughput, latency and crowd CPU figures are disturbed. Rerun on a quiet machine.',
      );
    }
    writeReport(RESULTS_PATH, {
      startedAt: startedAt.toISOString(),
      durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
      command,
      config,
      environment: env,
      serverNotes: SERVER_NOTES,
      servers,
      comparison: rows,
    });
    log(`\nWrote ${RESULTS_PATH} in ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s.`);
    const failed = config.servers.some((kind) => Object.values(servers[kind] ?? {}).some((outcome) => !outcome.ok));
    return failed ? 1 : 0;
  } finally {
    await tracker.stopAll();
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

process.exitCode = await main();
