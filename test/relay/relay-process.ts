/**
 * The relay in a process of its own, for tests that need what only a process has: its
 * exit code, its signals, its log on stdout and stderr, its RSS. Killed by pid by the test
 * that spawned it.
 */

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { waitFor } from './relay-harness.ts';

const MAIN = new URL('../../relay/main.ts', import.meta.url).pathname;

export interface RelayProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly stdout: string[];
  readonly stderr: string[];
  /** stdout and stderr as they came, interleaved. */
  readonly output: string[];
  readonly exited: Promise<number | null>;
}

/** Spawns `relay/main.ts` with `args`; `env` is added to this process's environment. */
export function spawnRelayProcess(args: readonly string[], env: Record<string, string> = {}): RelayProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...process.env, ...env } });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const output: string[] = [];
  const keep = (into: string[]) => (chunk: string) => {
    into.push(chunk);
    output.push(chunk);
  };
  child.stdout.setEncoding('utf8').on('data', keep(stdout));
  child.stderr.setEncoding('utf8').on('data', keep(stderr));
  const exited = once(child, 'exit').then(([code]) => (typeof code === 'number' ? code : null));
  return { child, stdout, stderr, output, exited };
}

/** The port a relay process logged that it listens on. */
export async function listeningPort(relay: RelayProcess): Promise<number> {
  let port = 0;
  await waitFor(() => {
    const match = /"msg":"relay listening".*?"port":(\d+)/.exec(relay.stdout.join(''));
    port = Number(match?.[1] ?? 0);
    return port > 0;
  }, 'the relay to log that it listens');
  return port;
}

/** The process's resident set (VmRSS) in bytes. */
export function rssBytesOf(relay: RelayProcess): number {
  const status = readFileSync(`/proc/${relay.child.pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match?.[1] === undefined) throw new Error(`no VmRSS for relay process ${relay.child.pid}`);
  return Number(match[1]) * 1024;
}
