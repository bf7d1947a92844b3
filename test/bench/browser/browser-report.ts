/** The browser bench's figures: rows with targets, the text table, and the JSON report. */

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { summarize, type Summary } from '../stats.ts';
import type { FirstMessageRun, StepName } from './first-message.ts';
import type { HopLatencyResult, Pacing } from './hop-latency.ts';

export interface FigureRow {
  readonly label: string;
  readonly summary: Summary;
  /** Which statistic the target applies to, and its bound in ms. */
  readonly target: { readonly stat: 'p50' | 'p99'; readonly belowMs: number } | null;
  readonly isMet: boolean | null;
  readonly note: string;
}

export const FIRST_MESSAGE_TARGET_MS = 1_000;
export const HOP_P99_TARGET_MS = 30;

export function describePacing(pacing: Pacing): string {
  return pacing.kind === 'closed-loop'
    ? `closed loop: next sent ${pacing.gapMs} ms after the previous showed`
    : `open loop: one every ${pacing.intervalMs} ms from A's page`;
}

export function firstMessageRow(runs: readonly FirstMessageRun[]): FigureRow {
  const arrived = runs.map((run) => run.steps.bShown).filter((ms): ms is number => ms !== null);
  const summary = summarize(arrived);
  const lost = runs.length - arrived.length;
  const isMet = lost === 0 && arrived.length > 0 ? summary.p50 < FIRST_MESSAGE_TARGET_MS : false;
  return {
    label: 'Time to first message (navigation → B shows it)',
    summary,
    target: { stat: 'p50', belowMs: FIRST_MESSAGE_TARGET_MS },
    isMet,
    note: `${arrived.length}/${runs.length} arrived; max ${summary.max < FIRST_MESSAGE_TARGET_MS ? 'also' : 'NOT'} under 1 s`,
  };
}

export function hopRow(result: HopLatencyResult): FigureRow {
  const isMet = result.lost === 0 && result.summary.count > 0 ? result.summary.p99 < HOP_P99_TARGET_MS : false;
  return {
    label: `One hop A → B, ${result.pacing.kind} (${result.count} msgs${result.prefill > 0 ? `, ${result.prefill} already listed` : ''})`,
    summary: result.summary,
    target: { stat: 'p99', belowMs: HOP_P99_TARGET_MS },
    isMet,
    note: `${result.lost} lost; first/last 100 p50 ${ms(result.firstHundredP50Ms)}/${ms(result.lastHundredP50Ms)}`,
  };
}

export function ms(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '–';
  return `${value.toFixed(Math.abs(value) < 100 ? 1 : 0)} ms`;
}

function renderColumns(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((line) => (line[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((text, column) => (column === 0 ? text.padEnd(widths[column] ?? 0) : text.padStart(widths[column] ?? 0))).join('  ');
  return [line(header), widths.map((width) => '─'.repeat(width)).join('  '), ...body.map(line)].join('\n');
}

/** Columns of the per-run breakdown, in the order things happen. */
const STEP_COLUMNS: readonly (readonly [StepName, string])[] = [
  ['bNavigation', 'B nav'],
  ['aIntro', 'A intro'],
  ['aAllowClick', 'A allow'],
  ['aNameForm', 'A name form'],
  ['aJoinClick', 'A join'],
  ['bJoinClick', 'B join'],
  ['aComposer', 'A composer'],
  ['aSendClick', 'A send'],
  ['aShown', 'A shows'],
  ['aChannelOpen', 'A chan open'],
  ['bChannelOpen', 'B chan open'],
  ['bShown', 'B shows'],
];

/** Median of one step over the runs where it was seen. */
export function stepMedian(runs: readonly FirstMessageRun[], step: StepName): number {
  return summarize(runs.map((run) => run.steps[step]).filter((value): value is number => value !== null)).p50;
}

/** Durations (ms) between the steps of one run, named for what takes the time; null when a step is missing. */
export interface FirstMessagePhases {
  /** Navigation to A's intro screen: loading and starting the app. */
  readonly appLoad: number | null;
  /** A control shown → Playwright's click, summed over A's three clicks: the harness, not the app. */
  readonly playwrightClicks: number | null;
  /** "Allow location" → the username form: the (fake) position arriving. */
  readonly location: number | null;
  /** "Join" → the chat screen. */
  readonly joinToChat: number | null;
  /** The later of the two Join clicks → A's data channel open: relay join, offer/answer, ICE, DTLS, SCTP. */
  readonly linkAfterJoins: number | null;
  /** The later of A's Send click and B's channel opening → B shows it: sign, send (live or as history), verify, render. */
  readonly delivery: number | null;
}

function difference(later: number | null, earlier: number | null): number | null {
  return later === null || earlier === null ? null : later - earlier;
}

function latest(...times: readonly (number | null)[]): number | null {
  return times.some((time) => time === null) ? null : Math.max(...times.filter((time): time is number => time !== null));
}

export function phases(run: FirstMessageRun): FirstMessagePhases {
  const step = run.steps;
  const clicks = [difference(step.aAllowClick, step.aIntro), difference(step.aJoinClick, step.aNameForm), difference(step.aSendClick, step.aComposer)];
  return {
    appLoad: step.aIntro,
    playwrightClicks: clicks.some((delay) => delay === null) ? null : clicks.reduce<number>((sum, delay) => sum + (delay ?? 0), 0),
    location: difference(step.aNameForm, step.aAllowClick),
    joinToChat: difference(step.aComposer, step.aJoinClick),
    linkAfterJoins: difference(step.aChannelOpen, latest(step.aJoinClick, step.bJoinClick)),
    delivery: difference(step.bShown, latest(step.aSendClick, step.bChannelOpen)),
  };
}

const PHASE_LABELS: Readonly<Record<keyof FirstMessagePhases, string>> = {
  appLoad: 'app load',
  playwrightClicks: 'Playwright click delays on A',
  location: 'location',
  joinToChat: 'Join → chat',
  linkAfterJoins: 'both joined → link open',
  delivery: 'send/link → B shows',
};

/** One line: each phase's median over the runs. */
export function renderPhaseMedians(runs: readonly FirstMessageRun[]): string {
  const all = runs.map(phases);
  const parts = (Object.keys(PHASE_LABELS) as (keyof FirstMessagePhases)[]).map((name) => {
    const values = all.map((phase) => phase[name]).filter((value): value is number => value !== null);
    return `${PHASE_LABELS[name]} ${ms(summarize(values).p50)}`;
  });
  return `Phases, p50: ${parts.join(' · ')}`;
}

/** Per-run breakdown of the time to first message (ms after the earlier navigation start), with medians. */
export function renderRuns(runs: readonly FirstMessageRun[]): string {
  const header = ['run', ...STEP_COLUMNS.map(([, title]) => title)];
  const body = runs.map((run) => [String(run.run), ...STEP_COLUMNS.map(([step]) => ms(run.steps[step]))]);
  const medians = ['p50', ...STEP_COLUMNS.map(([step]) => ms(stepMedian(runs, step)))];
  return renderColumns(header, [...body, medians]);
}

export function renderFigures(rows: readonly FigureRow[]): string {
  const header = ['Figure', 'p50', 'p99', 'max', 'target', 'met', 'notes'];
  const body = rows.map((row) => [
    row.label,
    ms(row.summary.p50),
    ms(row.summary.p99),
    ms(row.summary.max),
    row.target === null ? '' : `${row.target.stat} < ${ms(row.target.belowMs)}`,
    row.isMet === null ? '' : row.isMet ? 'yes' : 'NO',
    row.note,
  ]);
  return renderColumns(header, body);
}

export function writeJson(path: string, report: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
