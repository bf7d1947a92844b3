/**
 * `npm run bench:mesh -- --peers N [--transport webrtc|memory] [--loss P] …`: one
 * simulation run of the real mesh code, its report, and as the last line the figures to
 * compare across versions. Progress and the app's warnings go to stderr.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseBenchArgs, USAGE, type BenchArgs } from './mesh-bench-args.ts';
import { buildReport, lastLine, reportLines } from './mesh-report.ts';
import { runMeshSim } from './mesh-sim.ts';
import { WarningTally } from './warning-tally.ts';

function readArgs(): BenchArgs {
  if (process.argv.includes('--help')) {
    console.log(USAGE);
    process.exit(0);
  }
  try {
    return parseBenchArgs(process.argv.slice(2));
  } catch (err: unknown) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    process.exit(2);
  }
}

const args = readArgs();
const { sim } = args;
if (args.repeat > 1) {
  const { runRepeated } = await import('./mesh-repeat.ts');
  try {
    await runRepeated(process.argv[1] ?? '', process.argv.slice(2), args.repeat, sim.seed, args.isFreshSeedEachRun);
    process.exit(0);
  } catch (err: unknown) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
const policy = sim.policy === null ? 'app default' : `D=${sim.policy.degree} low=${sim.policy.degreeLow} high=${sim.policy.degreeHigh}`;
console.error(
  `mesh bench: ${sim.scenario.peerCount} peers, ${sim.transport}, relay ${sim.relay}, seed ${sim.seed}, policy ${policy}` +
    (args.workers > 1 ? `, ${args.workers} ${sim.transport === 'webrtc' ? 'worker processes' : 'worker threads'}` : ''),
);
// Hundreds of peers warn about the same few things: counted and summarized, not scrolled.
const warnings = new WarningTally();
warnings.start();
// A rejection nobody handled is an app bug (a browser would log it); count it and go on
// rather than lose the whole run, and say so in the report.
const rejections: string[] = [];
const onRejection = (reason: unknown): void => {
  rejections.push(reason instanceof Error ? (reason.stack ?? reason.message) : String(reason));
};
process.on('unhandledRejection', onRejection);
let result;
try {
  const onProgress = (line: string): void => console.error(line);
  if (args.workers > 1) {
    const { runMeshSimOverWorkers } = await import('./mesh-sim-workers.ts');
    result = await runMeshSimOverWorkers({ ...sim, onProgress }, args.workers);
  } else {
    result = await runMeshSim({ ...sim, onProgress });
  }
} finally {
  warnings.stop();
  process.off('unhandledRejection', onRejection);
}
const report = buildReport(result);
for (const line of warnings.summary()) console.error(line);
for (const line of result.workerNotes ?? []) console.error(line);
if (args.jsonPath !== null) {
  mkdirSync(dirname(args.jsonPath), { recursive: true });
  writeFileSync(args.jsonPath, `${JSON.stringify({ command: process.argv.slice(2).join(' '), policy: sim.policy, report }, null, 2)}\n`);
}
for (const line of reportLines(report, sim.windowMs)) console.log(line);
console.log(`unhandled rejections: ${rejections.length === 0 ? 'none' : `${rejections.length}, the first: ${rejections[0]}`}`);
console.log(lastLine(report));
// Everything is disposed; should native WebRTC threads linger (see shutDownWebRtc), the
// run is still over.
process.exit(0);
