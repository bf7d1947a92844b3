/**
 * What the kernel says about a server process: resident memory and CPU time, read from
 * /proc so the servers need no instrumentation and all three are measured alike.
 */

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second (utime/stime unit); 100 on every Linux we run on. */
const CLOCK_TICKS_PER_SECOND = readClockTicks();

function readClockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch (err: unknown) {
    process.stderr.write(`getconf CLK_TCK failed (${err instanceof Error ? err.message : String(err)}); assuming 100\n`);
    return 100;
  }
}

/** VmRSS of `pid` in bytes. */
export function readRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match?.[1] === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** User plus system CPU time of every thread of `pid`, in seconds (10 ms resolution). */
export function readCpuSeconds(pid: number): number {
  return cpuSecondsOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'), pid);
}

function cpuSecondsOfStat(stat: string, pid: number): number {
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5) (utime, stime) are at 11 and 12 once pid and comm are cut.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unreadable /proc/${pid}/stat`);
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

/** This process's CPU time in seconds (the load generator). */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** The CPU cores `pid` may run on, as taskset prints them (e.g. "0" or "0,1"). */
export function readAffinity(pid: number): string {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return /^Cpus_allowed_list:\s+(\S+)$/m.exec(status)?.[1] ?? 'unknown';
}

/**
 * CPU seconds of every other process on the machine, by pid. The bench shares the machine
 * with whatever else runs; their CPU during a window says how far to trust it.
 */
function otherProcessesCpu(exclude: ReadonlySet<number>): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || exclude.has(pid)) continue;
    try {
      seconds.set(pid, cpuSecondsOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'), pid));
    } catch (err: unknown) {
      // A process that exited between readdir and read has nothing left to count.
      if (!(err instanceof Error && 'code' in err && err.code === 'ENOENT')) throw err;
    }
  }
  return seconds;
}

/** CPU counters of a server, this load generator and everything else at one instant. */
export interface CpuSnapshot {
  readonly wallMs: number;
  readonly serverCpuSeconds: number;
  readonly loadCpuSeconds: number;
  readonly othersCpuSeconds: ReadonlyMap<number, number>;
}

/** How busy each side was between two snapshots, in cores (1 = one core fully busy). */
export interface CpuUse {
  readonly wallSeconds: number;
  readonly serverCores: number;
  readonly loadCores: number;
  /** Every other process (the parent tsx and npm included): should be near 0. */
  readonly otherCores: number;
}

export function cpuSnapshot(serverPid: number): CpuSnapshot {
  return {
    wallMs: performance.now(),
    serverCpuSeconds: readCpuSeconds(serverPid),
    loadCpuSeconds: ownCpuSeconds(),
    othersCpuSeconds: otherProcessesCpu(new Set([serverPid, process.pid])),
  };
}

export function cpuBetween(start: CpuSnapshot, end: CpuSnapshot): CpuUse {
  const wallSeconds = (end.wallMs - start.wallMs) / 1000;
  return {
    wallSeconds,
    serverCores: (end.serverCpuSeconds - start.serverCpuSeconds) / wallSeconds,
    loadCores: (end.loadCpuSeconds - start.loadCpuSeconds) / wallSeconds,
    otherCores: othersDelta(start.othersCpuSeconds, end.othersCpuSeconds) / wallSeconds,
  };
}

function othersDelta(start: ReadonlyMap<number, number>, end: ReadonlyMap<number, number>): number {
  let seconds = 0;
  // A process born during the window counts whole; one that died in it is missed.
  for (const [pid, atEnd] of end) seconds += atEnd - (start.get(pid) ?? 0);
  return seconds;
}
