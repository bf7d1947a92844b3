/**
 * `npm run bench:lighthouse`: Lighthouse (from npm) against the built PWA served by a
 * relay on 127.0.0.1, in the same Chromium the tests use (Debian's, or CHROMIUM_PATH /
 * CHROME_PATH; nothing is downloaded). The first screen, with Lighthouse's mobile settings
 * (simulated slow 4G and a 4× slower CPU) and its desktop settings, three runs each; the
 * median of the performance and accessibility scores is reported.
 *
 * Prints a table, writes results/lighthouse-latest.json. Exits 1 when a run failed.
 * `-- --runs N` changes the number of runs per setting.
 */

import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { chromiumArgs, findChromium } from '../fixture/chromium.ts';
import { startRelay } from '../fixture/relay-fixture.ts';
import { writeJson } from './browser/browser-report.ts';
import { exitWith } from './run-bench.ts';

const RESULTS_PATH = fileURLToPath(new URL('./results/lighthouse-latest.json', import.meta.url));
const CATEGORIES = ['performance', 'accessibility'] as const;
const METRICS = ['first-contentful-paint', 'largest-contentful-paint', 'total-blocking-time', 'cumulative-layout-shift', 'speed-index'] as const;

type Setting = 'mobile' | 'desktop';

interface RunResult {
  readonly scores: Record<(typeof CATEGORIES)[number], number>;
  readonly metrics: Record<string, string>;
}

/** A TCP port nothing listens on right now, for Chromium's DevTools endpoint. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function parseRuns(args: readonly string[]): number {
  const index = args.indexOf('--runs');
  if (index < 0) return 3;
  const runs = Number(args[index + 1]);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new Error('usage: lighthouse-bench.ts [--runs 1..20]');
  return runs;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function runOnce(url: string, port: number, setting: Setting): Promise<RunResult> {
  const result = await lighthouse(
    url,
    { port, logLevel: 'error', output: 'json', onlyCategories: [...CATEGORIES] },
    setting === 'desktop' ? desktopConfig : undefined,
  );
  if (result === undefined) throw new Error('Lighthouse returned no result');
  const { lhr } = result;
  if (lhr.runtimeError !== undefined) throw new Error(`Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
  const score = (id: string): number => Math.round((lhr.categories[id]?.score ?? Number.NaN) * 100);
  const metrics: Record<string, string> = {};
  for (const id of METRICS) metrics[id] = lhr.audits[id]?.displayValue ?? '–';
  return { scores: { performance: score('performance'), accessibility: score('accessibility') }, metrics };
}

async function main(): Promise<number> {
  const runs = parseRuns(process.argv.slice(2));
  const relay = await startRelay();
  const port = await freePort();
  const executablePath = process.env['CHROME_PATH'] ?? findChromium();
  const browser = await chromium.launch({ executablePath, args: [...chromiumArgs(), `--remote-debugging-port=${port}`] });
  const version = browser.version();
  const url = `${relay.baseUrl}/`;
  const results: Record<Setting, RunResult[]> = { mobile: [], desktop: [] };
  try {
    for (const setting of ['mobile', 'desktop'] as const) {
      for (let run = 0; run < runs; run += 1) {
        const outcome = await runOnce(url, port, setting);
        results[setting].push(outcome);
        process.stderr.write(`lighthouse ${setting} run ${run + 1}/${runs}: performance ${outcome.scores.performance}, accessibility ${outcome.scores.accessibility}\n`);
      }
    }
  } finally {
    await browser.close();
    await relay.relay.close();
  }
  const lines = ['Setting   performance  accessibility  (median of runs; first screen)'];
  const summary: Record<string, unknown> = {};
  for (const setting of ['mobile', 'desktop'] as const) {
    const performance = median(results[setting].map((result) => result.scores.performance));
    const accessibility = median(results[setting].map((result) => result.scores.accessibility));
    lines.push(`${setting.padEnd(8)}  ${String(performance).padStart(11)}  ${String(accessibility).padStart(13)}`);
    summary[setting] = { performance, accessibility, runs: results[setting] };
  }
  const last = results.mobile.at(-1);
  if (last !== undefined) lines.push('', `mobile, last run: ${METRICS.map((id) => `${id} ${last.metrics[id]}`).join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  writeJson(RESULTS_PATH, { measuredAt: new Date().toISOString(), url, chromium: version, executablePath, runs, ...summary });
  return 0;
}

exitWith('lighthouse bench', main);
