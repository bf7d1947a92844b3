/**
 * Proof-of-work cost: making one at the app's difficulty (median of 20 fresh keys, on one
 * core, with @noble/hashes as the app does), the same figure scaled to a phone 4× slower,
 * and checking one; against WebCrypto `digest` for both, the alternative we did not pick.
 * The machine is shared: the load average is printed with the figures, and `--runs N`
 * changes the number of proofs made. `npm run bench:pow`.
 */

import { webcrypto } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { checkProofOfWork, makeProofOfWork, POW_DIFFICULTY_BITS, type ProofOfWork } from '../../app/core/proof-of-work.ts';

const PHONE_SLOWDOWN = 4;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 20;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new TypeError('--runs takes a positive integer');

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** A random base64url key shaped like a session key (87 characters). */
const randomKey = (): string => Buffer.from(webcrypto.getRandomValues(new Uint8Array(65))).toString('base64url');
const load = (): string => loadavg().map((value) => value.toFixed(2)).join(' ');

function makeRuns(): { readonly ms: number[]; readonly hashes: number[]; readonly proofs: Array<{ key: string; proof: ProofOfWork }> } {
  const ms: number[] = [];
  const hashes: number[] = [];
  const proofs: Array<{ key: string; proof: ProofOfWork }> = [];
  const nowMs = Date.now();
  for (let run = 0; run < RUNS; run += 1) {
    const key = randomKey();
    const started = performance.now();
    const proof = makeProofOfWork(key, nowMs);
    ms.push(performance.now() - started);
    hashes.push(proof.nonce + 1);
    proofs.push({ key, proof });
  }
  return { ms, hashes, proofs };
}

function checkCostUs(proofs: ReadonlyArray<{ key: string; proof: ProofOfWork }>): number {
  const nowMs = Date.now();
  const rounds = 20_000;
  const started = performance.now();
  for (let index = 0; index < rounds; index += 1) {
    const { key, proof } = proofs[index % proofs.length] ?? { key: '', proof: { windowStartMs: 0, nonce: 0 } };
    if (checkProofOfWork(key, proof, nowMs) !== 'ok') throw new Error('a proof made here did not check');
  }
  return ((performance.now() - started) * 1000) / rounds;
}

/** WebCrypto SHA-256 over the same input: hashes per second one after another, and one check. */
async function webCrypto(): Promise<{ readonly hashesPerS: number; readonly checkUs: number }> {
  const encoder = new TextEncoder();
  const key = randomKey();
  const count = 50_000;
  let started = performance.now();
  for (let nonce = 0; nonce < count; nonce += 1) await webcrypto.subtle.digest('SHA-256', encoder.encode(`NearTalk-pow-v1|${key}|0|${nonce}`));
  const hashesPerS = count / ((performance.now() - started) / 1000);
  const checks = 5_000;
  started = performance.now();
  for (let index = 0; index < checks; index += 1) await webcrypto.subtle.digest('SHA-256', encoder.encode(`NearTalk-pow-v1|${key}|0|${index}`));
  return { hashesPerS, checkUs: ((performance.now() - started) * 1000) / checks };
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`proof of work at ${POW_DIFFICULTY_BITS} bits, ${RUNS} fresh keys, one core of ${cpu}; load before: ${load()}`);
const made = makeRuns();
const totalHashes = made.hashes.reduce((sum, value) => sum + value, 0);
const totalMs = made.ms.reduce((sum, value) => sum + value, 0);
const nobleRate = totalHashes / (totalMs / 1000);
const medianMs = median(made.ms);
const checkUs = checkCostUs(made.proofs);
const subtle = await webCrypto();
const rows: Array<[string, string]> = [
  ['make, median', `${(medianMs / 1000).toFixed(2)} s`],
  ['make, min / max', `${(Math.min(...made.ms) / 1000).toFixed(2)} s / ${(Math.max(...made.ms) / 1000).toFixed(2)} s`],
  [`make, median on a phone ${PHONE_SLOWDOWN}× slower`, `${((medianMs * PHONE_SLOWDOWN) / 1000).toFixed(1)} s`],
  ['hashes per second (@noble/hashes)', `${Math.round(nobleRate).toLocaleString('en')}/s`],
  ['check one proof (@noble/hashes)', `${checkUs.toFixed(1)} µs`],
  ['hashes per second (WebCrypto digest, awaited)', `${Math.round(subtle.hashesPerS).toLocaleString('en')}/s`],
  ['make, expected, if WebCrypto were used', `${((2 ** POW_DIFFICULTY_BITS * Math.LN2) / subtle.hashesPerS).toFixed(1)} s (median)`],
  ['check one proof (WebCrypto digest, awaited)', `${subtle.checkUs.toFixed(1)} µs`],
];
const width = Math.max(...rows.map(([label]) => label.length));
for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
console.log(`load after: ${load()}`);
