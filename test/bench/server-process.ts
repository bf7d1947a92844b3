/**
 * One signaling server as a child process pinned to its own core: started, polled until
 * it answers HTTP, and stopped by its pid (SIGTERM, then SIGKILL). The bench never
 * signals anything it did not spawn.
 */

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readAffinity } from './proc-stats.ts';

/** The repository root: servers run from here so `node_modules` and `relay/` resolve. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Core the servers run on; the load generator pins itself to LOAD_CORE. */
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

/** Pins every thread of this process (and threads it starts later) to the load core. */
export function pinToLoadCore(): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(LOAD_CORE), String(process.pid)], { stdio: 'ignore' });
  const affinity = readAffinity(process.pid);
  if (affinity !== String(LOAD_CORE)) throw new Error(`could not pin the load generator to core ${LOAD_CORE} (got ${affinity})`);
}

const READY_TIMEOUT_MS = 15_000;
const READY_POLL_MS = 100;
const STOP_GRACE_MS = 2_000;
const STDERR_KEEP_CHARS = 8_192;

export interface LaunchSpec {
  /** For messages only. */
  readonly label: string;
  readonly nodeArgs: readonly string[];
  /** Script path relative to the repository root. */
  readonly script: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly port: number;
  /** Any HTTP answer on this path means the server listens. */
  readonly healthPath: string;
}

/** Live server processes, so an interrupted bench can stop exactly what it started. */
export class ProcessTracker {
  private readonly live = new Set<ServerProcess>();

  add(server: ServerProcess): () => void {
    this.live.add(server);
    return () => this.live.delete(server);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.live].map((server) => server.stop()));
  }
}

export class ServerProcess {
  private stderrHead = '';
  private stderrText = '';
  private exitDescription: string | null = null;
  private stopping: Promise<void> | null = null;
  private readonly exited: Promise<void>;
  private readonly untrack: () => void;

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    readonly spec: LaunchSpec,
    tracker: ProcessTracker,
  ) {
    this.untrack = tracker.add(this);
    // Errors after spawn (a failed kill) must not crash the bench; 'exit' tells the rest.
    child.on('error', (err: Error) => process.stderr.write(`${spec.label} (pid ${pid}): ${err.message}\n`));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      // Keep the head (where the inspector announces itself) and a bounded tail.
      if (this.stderrHead.length < STDERR_KEEP_CHARS) this.stderrHead = (this.stderrHead + chunk).slice(0, STDERR_KEEP_CHARS);
      this.stderrText = (this.stderrText + chunk).slice(-STDERR_KEEP_CHARS);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitDescription = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
        this.untrack();
        resolve();
      });
    });
  }

  /** Spawns `spec` on SERVER_CORE and resolves once it answers HTTP. */
  static async start(spec: LaunchSpec, tracker: ProcessTracker): Promise<ServerProcess> {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      // A NODE_OPTIONS inherited from the bench's own runner must not change how servers run.
      if (value !== undefined && key !== 'NODE_OPTIONS') env[key] = value;
    }
    // taskset execs node, so the child's pid is the server's own pid.
    const child = spawn(
      'taskset',
      ['-c', String(SERVER_CORE), process.execPath, ...spec.nodeArgs, spec.script, ...spec.args],
      { cwd: REPO_ROOT, env: { ...env, ...spec.env }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const spawned = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => {
        child.off('error', reject);
        if (child.pid === undefined) reject(new Error(`${spec.label}: spawned without a pid`));
        else resolve(child.pid);
      });
      child.once('error', reject);
    });
    const server = new ServerProcess(child, spawned, spec, tracker);
    try {
      await server.waitUntilListening();
      const affinity = readAffinity(server.pid);
      if (affinity !== String(SERVER_CORE)) throw new Error(`${spec.label} runs on cores ${affinity}, not ${SERVER_CORE}`);
    } catch (err: unknown) {
      await server.stop();
      throw err;
    }
    return server;
  }

  get port(): number {
    return this.spec.port;
  }

  /** The last lines the server wrote to stderr, for error messages. */
  stderrTail(): string {
    return this.stderrText.trim().split('\n').slice(-8).join('\n');
  }

  /** Throws when the server has died (a crash mid-test would otherwise read as a slow server). */
  assertAlive(): void {
    if (this.exitDescription !== null) {
      throw new Error(`${this.spec.label} exited (${this.exitDescription}): ${this.stderrTail()}`);
    }
  }

  /** The inspector's WebSocket URL, for servers started with `--inspect=127.0.0.1:0`. */
  async inspectorUrl(timeoutMs: number): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const match = /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(this.stderrHead);
      if (match?.[1] !== undefined) return match[1];
      this.assertAlive();
      await sleep(50);
    }
    throw new Error(`${this.spec.label} announced no inspector within ${timeoutMs} ms`);
  }

  /** SIGTERM, then SIGKILL after a grace period. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.exitDescription !== null) return;
      this.child.kill('SIGTERM');
      if (await settlesWithin(this.exited, STOP_GRACE_MS)) return;
      this.child.kill('SIGKILL');
      if (!(await settlesWithin(this.exited, STOP_GRACE_MS))) {
        process.stderr.write(`warning: ${this.spec.label} (pid ${this.pid}) did not exit after SIGKILL\n`);
      }
    })();
    return this.stopping;
  }

  private async waitUntilListening(): Promise<void> {
    const deadline = performance.now() + READY_TIMEOUT_MS;
    while (performance.now() < deadline) {
      this.assertAlive();
      if (await answersHttp(this.spec.port, this.spec.healthPath)) return;
      await sleep(READY_POLL_MS);
    }
    throw new Error(`${this.spec.label} did not listen within ${READY_TIMEOUT_MS} ms: ${this.stderrTail()}`);
  }
}

function answersHttp(port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path, timeout: 500 }, (response) => {
      response.resume();
      resolve(true);
    });
    request.on('timeout', () => request.destroy());
    // Refused while the server starts: that is what we poll for.
    request.on('error', () => resolve(false));
  });
}

/** A port free on 127.0.0.1 right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = address !== null && typeof address === 'object' ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const result = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return result;
}
