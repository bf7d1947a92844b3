/**
 * `npm run bench:browser`: NearTalk in real Chromium pages, against a relay on 127.0.0.1
 * (a free port) serving the built app. One browser, one context per peer, real time (no
 * fake clock). Two figures:
 *
 * 1. Time to first message: two fresh peers 300 m apart navigate at the same moment, go
 *    through onboarding, A sends as soon as its Message box is there; from the earlier
 *    navigation start to the message in B's list. Target: p50 < 1 s.
 * 2. One-hop latency: signed frames from synthetic authors pushed down A's data channel,
 *    from A's `send()` to B's list, closed loop (the figure with the target, p99 < 30 ms)
 *    and open loop (a fixed send interval).
 *
 * Times come from `performance.timeOrigin + performance.now()` in the pages: pages of one
 * browser share that clock (the skew between A and B is measured and printed). Prints
 * tables and a summary line; writes results/browser-latest.json. Exits 1 when a message was
 * lost or a page had errors (a missed target is only reported).
 *
 * `-- --quick`: fewer runs. `-- --prefill N`: B's list already holds N messages when the
 * closed-loop latency is measured (every new message re-renders the list: at the store's
 * 5,000 this takes over a minute and shows the cost of a long list).
 */

import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { chromiumLaunchOptions } from '../fixture/chromium.ts';
import { startRelay, type RelayHandle } from '../fixture/relay-fixture.ts';
import {
  describePacing,
  FIRST_MESSAGE_TARGET_MS,
  firstMessageRow,
  HOP_P99_TARGET_MS,
  hopRow,
  ms,
  phases,
  renderFigures,
  renderPhaseMedians,
  renderRuns,
  writeJson,
  type FigureRow,
} from './browser/browser-report.ts';
import { measureFirstMessage, type FirstMessageRun } from './browser/first-message.ts';
import { measureHopLatency, type HopLatencyResult, type Pacing } from './browser/hop-latency.ts';
import { exitWith } from './run-bench.ts';

const RESULTS_PATH = fileURLToPath(new URL('./results/browser-latest.json', import.meta.url));

interface BrowserBenchConfig {
  readonly firstMessageRuns: number;
  readonly hopMessages: number;
  readonly hopWarmup: number;
  readonly closedLoop: Pacing;
  readonly openLoop: Pacing;
  /** Messages already in B's list before the closed-loop measurement (`--prefill N`). */
  readonly prefill: number;
}

const FULL: BrowserBenchConfig = {
  firstMessageRuns: 10,
  hopMessages: 300,
  hopWarmup: 20,
  closedLoop: { kind: 'closed-loop', gapMs: 5 },
  openLoop: { kind: 'open-loop', intervalMs: 10 },
  prefill: 0,
};
const QUICK: BrowserBenchConfig = { ...FULL, firstMessageRuns: 3, hopMessages: 100, hopWarmup: 10 };

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

const USAGE = 'usage: browser-bench.ts [--quick] [--prefill N]';

function parseArgs(args: readonly string[]): BrowserBenchConfig {
  let config = FULL;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (arg === '--quick') {
      config = { ...QUICK, prefill: config.prefill };
    } else if (arg === '--prefill') {
      const count = Number(args[index + 1]);
      // The app keeps at most 5,000 messages.
      if (!Number.isSafeInteger(count) || count < 0 || count > 4_500) throw new TypeError(`--prefill takes a count from 0 to 4500; ${USAGE}`);
      config = { ...config, prefill: count };
      index += 1;
    } else {
      throw new TypeError(`unknown argument ${String(arg)}; ${USAGE}`);
    }
  }
  return config;
}

function describeHop(result: HopLatencyResult): string {
  const { summary } = result;
  return (
    `p50 ${ms(summary.p50)}, p99 ${ms(summary.p99)}, max ${ms(summary.max)}, ${result.lost} lost, ` +
    `${result.authors} authors, clock skew B − A ${result.clockSkewMs.toFixed(2)} ms`
  );
}

async function runBench(
  browser: Browser,
  relay: RelayHandle,
  config: BrowserBenchConfig,
): Promise<{ runs: FirstMessageRun[]; hops: HopLatencyResult[] }> {
  log(`\n1. Time to first message: ${config.firstMessageRuns} runs, two fresh peers 300 m apart`);
  const runs = await measureFirstMessage(browser, relay.baseUrl, config.firstMessageRuns, (run: FirstMessageRun) => {
    const errors = run.pageErrors.length === 0 ? '' : `, page errors: ${run.pageErrors.join(' | ')}`;
    const drops = run.bDrops === undefined ? '' : `, B drops ${JSON.stringify(run.bDrops)}`;
    log(`  run ${String(run.run).padStart(2)}: B shows it at ${ms(run.steps.bShown)}${drops}${errors}`);
  });
  const hops: HopLatencyResult[] = [];
  for (const [step, pacing] of [
    ['2', config.closedLoop],
    ['3', config.openLoop],
  ] as const) {
    // Only the closed loop (the figure with the target) is measured against a prefilled list.
    const prefill = pacing.kind === 'closed-loop' ? config.prefill : 0;
    const listed = prefill > 0 ? `, B's list prefilled with ${prefill}` : '';
    log(`\n${step}. One hop A → B: ${config.hopMessages} messages after ${config.hopWarmup} warm-up, ${describePacing(pacing)}${listed}`);
    const result = await measureHopLatency(browser, relay.baseUrl, { pacing, count: config.hopMessages, warmup: config.hopWarmup, prefill });
    hops.push(result);
    log(`  ${describeHop(result)}`);
    if (result.pageErrors.length > 0) log(`  page errors: ${result.pageErrors.join(' | ')}`);
  }
  return { runs, hops };
}

async function main(): Promise<number> {
  let config: BrowserBenchConfig;
  try {
    config = parseArgs(process.argv.slice(2));
  } catch (err: unknown) {
    if (!(err instanceof TypeError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  let browser: Browser | null = null;
  let relay: RelayHandle | null = null;
  try {
    relay = await startRelay();
    browser = await chromium.launch(chromiumLaunchOptions());
    log(`Browser bench: Chromium ${browser.version()}, ${cpus().length} cores, relay and app at ${relay.baseUrl}`);
    const { runs, hops } = await runBench(browser, relay, config);
    const rows: FigureRow[] = [firstMessageRow(runs), ...hops.map(hopRow)];
    // Only the closed loop carries the latency target; the open loop row is for information.
    const targetRows = rows.slice(0, 2);
    log(`\nTime to first message, per run (ms after the earlier navigation start)\n${renderRuns(runs)}`);
    log(renderPhaseMedians(runs));
    log(`\n${renderFigures(rows)}`);
    const [first, closed] = targetRows;
    const allMet = targetRows.every((row) => row.isMet === true);
    log(
      `\nSummary: first message p50 ${ms(first?.summary.p50 ?? null)} (max ${ms(first?.summary.max ?? null)}, target < ${ms(FIRST_MESSAGE_TARGET_MS)}); ` +
        `one hop p99 ${ms(closed?.summary.p99 ?? null)} (target < ${ms(HOP_P99_TARGET_MS)}): ${allMet ? 'all targets met' : 'TARGET MISSED'}`,
    );
    writeJson(RESULTS_PATH, {
      date: new Date().toISOString(),
      environment: { node: process.version, chromium: browser.version(), cpuModel: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
      config,
      firstMessage: { runs: runs.map((run) => ({ ...run, phases: phases(run) })), row: first },
      hopLatency: hops.map((result) => ({ ...result, row: hopRow(result) })),
      allTargetsMet: allMet,
    });
    log(`Results: ${RESULTS_PATH}`);
    // As in the relay bench: a missed target is reported, a measurement that failed fails the run.
    const failed = runs.some((run) => run.steps.bShown === null || run.pageErrors.length > 0) || hops.some((hop) => hop.lost > 0 || hop.pageErrors.length > 0);
    return failed ? 1 : 0;
  } finally {
    await browser?.close();
    await relay?.relay.close();
  }
}

exitWith('browser bench', main);
