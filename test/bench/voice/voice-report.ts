/** The voice bench's tables: join runs, the latency figures, and CPU by window. */

import { summarize, type Summary } from '../stats.ts';
import { ms } from '../browser/browser-report.ts';
import type { AudioRttResult } from './audio-rtt.ts';
import type { JoinRun, JoinSteps } from './join-to-audio.ts';
import type { CpuWindow } from './listener-cpu.ts';

function renderTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [line(header), widths.map((width) => '─'.repeat(width)).join('  '), ...body.map(line)].join('\n');
}

const STEP_COLUMNS: readonly (readonly [keyof JoinSteps, string])[] = [
  ['aNegotiationNeeded', 'A needs nego'],
  ['firstOffer', 'first offer'],
  ['bTrack', 'B track'],
  ['bFirstPacket', 'B 1st packet≈'],
  ['bFirstAudio', 'B first audio'],
];

/** Summary of one step over runs where it was seen. */
export function stepSummary(runs: readonly JoinRun[], step: keyof JoinSteps): Summary {
  return summarize(runs.map((run) => run.steps[step]).filter((value): value is number => value !== null));
}

/** Per-run steps of both kinds of join, ms after A's click, with medians. */
export function renderJoinRuns(runs: readonly JoinRun[]): string {
  const header = ['run', 'join', ...STEP_COLUMNS.map(([, title]) => title), 'offers', 'heard'];
  const body = runs.map((run) => [
    String(run.run),
    run.kind,
    ...STEP_COLUMNS.map(([step]) => ms(run.steps[step])),
    String(run.offers),
    run.heardHz === null ? '–' : `${run.heardHz.toFixed(0)} Hz`,
  ]);
  const medians = (['first join', 'rejoin'] as const).map((kind) => {
    const ofKind = runs.filter((run) => run.kind === kind);
    return ['p50', kind, ...STEP_COLUMNS.map(([step]) => ms(stepSummary(ofKind, step).p50)), '', ''];
  });
  return renderTable(header, [...body, ...medians]);
}

export interface FigureLine {
  readonly label: string;
  readonly summary: Summary;
  readonly note: string;
}

export function joinFigure(runs: readonly JoinRun[], kind: JoinRun['kind']): FigureLine {
  const ofKind = runs.filter((run) => run.kind === kind);
  const summary = stepSummary(ofKind, 'bFirstAudio');
  const update = summarize(ofKind.map((run) => run.analyserUpdateMs).filter((value): value is number => value !== null)).p50;
  return {
    label: `Join → first audio at B, ${kind}`,
    summary,
    note: `${summary.count}/${ofKind.length} heard; B track p50 ${ms(stepSummary(ofKind, 'bTrack').p50)}; analyser updates every ${ms(update)}`,
  };
}

export function rttFigures(rtt: AudioRttResult): FigureLine[] {
  return [
    {
      label: 'Audio RTT, remote-inbound-rtp (RTCP)',
      summary: rtt.remoteInboundRtt,
      note: `${rtt.remoteInboundRtt.count} reports in ${(rtt.windowMs / 1000).toFixed(0)} s; life mean ${ms(rtt.remoteInboundLifeMeanMs)}`,
    },
    {
      label: 'Audio RTT, candidate pair (STUN)',
      summary: rtt.candidatePairRtt,
      note: `${rtt.candidatePairRtt.count} responses; life mean ${ms(rtt.candidatePairLifeMeanMs)}`,
    },
  ];
}

export function renderFigures(lines: readonly FigureLine[]): string {
  const header = ['Figure', 'n', 'p50', 'p99', 'max', 'notes'];
  return renderTable(
    header,
    lines.map((line) => [line.label, String(line.summary.count), ms(line.summary.p50), ms(line.summary.p99), ms(line.summary.max), line.note]),
  );
}

const percent = (cores: number | undefined): string => (cores === undefined || !Number.isFinite(cores) ? '–' : `${(cores * 100).toFixed(1)} %`);

/** Process kinds shown as columns, in this order; the rest are summed as "other Chromium". */
const KIND_COLUMNS: readonly (readonly [string, string])[] = [
  ['utility:network.mojom.NetworkService', 'network svc'],
  ['utility:audio.mojom.AudioService', 'audio svc'],
  ['browser', 'browser'],
  ['gpu-process', 'GPU'],
];

/** CPU of each window in % of one core. */
export function renderCpu(windows: readonly CpuWindow[]): string {
  const header = ['window', 'listener renderer', 'its main thread', 'its JS', 'other renderer (mean)', 'all renderers', ...KIND_COLUMNS.map(([, title]) => title), 'all Chromium', 'not Chromium', 'listener SDP/s'];
  const body = windows.map((window) => [
    window.label,
    percent(window.listenerRendererCores),
    percent(window.listenerMainThreadCores),
    percent(window.listenerScriptCores),
    percent(window.otherRendererMeanCores),
    percent(window.byKindCores['renderer']),
    ...KIND_COLUMNS.map(([kind]) => percent(window.byKindCores[kind] ?? 0)),
    percent(window.chromiumTotalCores),
    percent(window.nonChromiumCores),
    window.listenerDescriptionsPerSecond.toFixed(1),
  ]);
  return renderTable(header, body);
}
