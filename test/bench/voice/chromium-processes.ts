/**
 * Chromium's processes as the kernel sees them: every descendant of this Node process
 * whose command line has Chromium's `--type=` (none for the browser process), with its
 * CPU time from /proc. Playwright does not say which renderer process runs which page, so
 * `identifyRenderer` finds out: it keeps a page's main thread busy for a moment and picks
 * the renderer whose CPU time grew by about that much.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { readdirSync, readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { readCpuSeconds } from '../proc-stats.ts';

/** `browser`, `renderer`, `gpu-process`, `zygote`, or `utility:<service>` (e.g. `utility:audio.mojom.AudioService`). */
export type ProcessKind = string;

export interface ChromiumProcess {
  readonly pid: number;
  readonly kind: ProcessKind;
}

/** CPU seconds by pid at one instant, plus the wall clock. */
export interface CpuSample {
  readonly wallMs: number;
  readonly cpuSeconds: ReadonlyMap<number, number>;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err: unknown) {
    // A process that exited between readdir and read has nothing left to read.
    if (err instanceof Error && 'code' in err && (err.code === 'ENOENT' || err.code === 'ESRCH')) return null;
    throw err;
  }
}

function parentOf(pid: number): number | null {
  const stat = readOrNull(`/proc/${pid}/stat`);
  if (stat === null) return null;
  const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  return Number.isInteger(parent) ? parent : null;
}

function kindOf(pid: number): ProcessKind | null {
  const cmdline = readOrNull(`/proc/${pid}/cmdline`);
  if (cmdline === null) return null;
  // Chromium rewrites its child processes' titles into one space-separated string.
  const args = cmdline.split(/[\0 ]/);
  if (!/chrom/i.test(args[0] ?? '')) return null;
  const type = args.find((arg) => arg.startsWith('--type='))?.slice('--type='.length);
  if (type === undefined) return 'browser';
  const service = args.find((arg) => arg.startsWith('--utility-sub-type='))?.slice('--utility-sub-type='.length);
  return type === 'utility' && service !== undefined ? `utility:${service}` : type;
}

function allPids(): number[] {
  return readdirSync('/proc').map(Number).filter((pid) => Number.isInteger(pid) && pid > 0);
}

/** Chromium processes started (directly or not) by `rootPid`, this process by default. */
export function chromiumProcesses(rootPid: number = process.pid): ChromiumProcess[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const parent = parentOf(pid);
    if (parent === null) continue;
    children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const found: ChromiumProcess[] = [];
  const pending = [...(children.get(rootPid) ?? [])];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    pending.push(...(children.get(pid) ?? []));
    const kind = kindOf(pid);
    if (kind !== null) found.push({ pid, kind });
  }
  return found;
}

function cpuOrNull(pid: number): number | null {
  try {
    return readCpuSeconds(pid);
  } catch (err: unknown) {
    if (err instanceof Error && 'code' in err && (err.code === 'ENOENT' || err.code === 'ESRCH')) return null;
    throw err;
  }
}

/** CPU seconds of every process on the machine now (Chromium's and everyone else's). */
export function sampleCpu(): CpuSample {
  const cpuSeconds = new Map<number, number>();
  for (const pid of allPids()) {
    const seconds = cpuOrNull(pid);
    if (seconds !== null) cpuSeconds.set(pid, seconds);
  }
  return { wallMs: performance.now(), cpuSeconds };
}

/** CPU seconds `pid` used between two samples (a process born in between counts whole). */
export function cpuDelta(start: CpuSample, end: CpuSample, pid: number): number {
  const atEnd = end.cpuSeconds.get(pid);
  return atEnd === undefined ? 0 : atEnd - (start.cpuSeconds.get(pid) ?? 0);
}

/** How long the page's main thread is kept busy to find its renderer. */
const BUSY_MS = 400;

/**
 * The pid of the renderer process that runs `page`: the renderer whose CPU time grew by
 * most of `BUSY_MS` while the page spun, provided no other grew by more than a quarter of
 * that. Throws when the answer is not clear (another load on the machine, say).
 */
export async function identifyRenderer(page: Page): Promise<number> {
  const renderers = chromiumProcesses().filter((process) => process.kind === 'renderer');
  let last: { pid: number; seconds: number }[] = [];
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const before = new Map(renderers.map((renderer) => [renderer.pid, cpuOrNull(renderer.pid) ?? 0]));
    await page.evaluate((busyMs) => {
      const end = performance.now() + busyMs;
      while (performance.now() < end) {
        // Spin: the CPU time this burns tells which process runs the page.
      }
    }, BUSY_MS);
    const grown = renderers
      .map((renderer) => ({ pid: renderer.pid, seconds: (cpuOrNull(renderer.pid) ?? 0) - (before.get(renderer.pid) ?? 0) }))
      .sort((left, right) => right.seconds - left.seconds);
    const [top, next] = grown;
    if (top !== undefined && top.seconds >= (0.75 * BUSY_MS) / 1000 && (next?.seconds ?? 0) < (0.25 * BUSY_MS) / 1000) return top.pid;
    last = grown;
    await sleep(200);
  }
  throw new Error(`could not tell which renderer process runs the page: CPU s while it spun ${JSON.stringify(last)}`);
}
