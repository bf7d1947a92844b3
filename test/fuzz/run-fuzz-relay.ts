/**
 * `npm run fuzz:relay -- --frames N [--seed S] [--rounds R]`: the fuzz suite of
 * `test/relay/fuzz.test.ts`, longer. N frames over every frame kind, then R rounds of
 * every connection-level attack; prints a summary per kind and exits 1 on any failure.
 */

import { parseArgs } from 'node:util';
import { startRelay } from '../relay/relay-harness.ts';
import { CONNECTION_KINDS, runConnectionKinds } from './connection-kinds.ts';
import { checkAfterFuzz, FUZZ_LIMITS } from './after-fuzz.ts';
import { createRandom } from './frame-corpus.ts';
import { runFrameFuzz } from './relay-fuzz.ts';

function wholeNumber(raw: string | undefined, fallback: number, flag: string): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`--${flag} must be a whole number, got "${raw}"`);
  return Number(raw);
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { frames: { type: 'string' }, seed: { type: 'string' }, rounds: { type: 'string' } } });
  const frames = wholeNumber(values.frames, 20_000, 'frames');
  const seed = wholeNumber(values.seed, Date.now() % 1_000_000, 'seed');
  const rounds = wholeNumber(values.rounds, 5, 'rounds');
  process.stdout.write(`relay fuzz: ${frames} frames, seed ${seed}, ${rounds} rounds of ${CONNECTION_KINDS.length} connection attacks\n`);

  const startedAt = Date.now();
  const framesRelay = await startRelay(FUZZ_LIMITS);
  const report = await runFrameFuzz(framesRelay.url, seed, frames);
  const afterFrames = await checkAfterFuzz(framesRelay);
  await framesRelay.relay.close();
  for (const [kind, count] of [...report.kinds].sort((a, b) => a[0].localeCompare(b[0]))) process.stdout.write(`  ${String(count).padStart(7)}  ${kind}\n`);

  const connectionRelay = await startRelay({ handshakeTimeoutMs: 300, rateLimitPerSecond: 1 });
  const connectionFailures = await runConnectionKinds(connectionRelay.relay.address().port, createRandom(seed), rounds);
  const afterConnections = await checkAfterFuzz(connectionRelay);
  await connectionRelay.relay.close();

  const failures = [...report.failures, ...afterFrames, ...connectionFailures, ...afterConnections];
  for (const failure of failures.slice(0, 50)) process.stdout.write(`FAIL ${failure}\n`);
  process.stdout.write(`${failures.length === 0 ? 'ok' : `${failures.length} failures`} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (seed ${seed})\n`);
  return failures.length === 0 ? 0 : 1;
}

process.exitCode = await main();
