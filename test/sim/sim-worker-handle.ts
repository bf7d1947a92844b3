/**
 * Starts one simulation worker (`sim-worker.ts`) as a worker thread or as a child process,
 * behind one interface. Threads share this process and can hand each other MessagePorts
 * (the memory transport's links cross on them); processes are for WebRTC, whose native
 * module (node-datachannel) aborts the process when a second thread loads it (measured:
 * "Cannot create a handle without a HandleScope").
 */

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker, type MessagePort } from 'node:worker_threads';

/** V8's default old space may be too small for thousands of PeerNodes. */
const WORKER_HEAP_MB = 8_192;
/** A child process that does not exit after its channel closes is killed after this. */
const PROCESS_EXIT_GRACE_MS = 2_000;

export type WorkerKind = 'thread' | 'process';

export interface SimWorkerHandle {
  readonly kind: WorkerKind;
  /** Posts a message (with MessagePorts to hand over: threads only). */
  postMessage(message: unknown, ports?: readonly MessagePort[]): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The worker stopped by itself or could not start. */
  onFailure(listener: (err: Error) => void): void;
  /** Ends the worker; resolves once it is gone. */
  stop(): Promise<void>;
}

const ENTRY = new URL('./sim-worker.ts', import.meta.url);

/**
 * A thread that compiles TypeScript as this one does: tsx's loader is registered in the
 * worker before the module is imported (Node 20 does not carry the parent's `--import`
 * hooks into workers). V8 flags such as `--expose-gc` are process-wide already and refused
 * in a worker's execArgv.
 */
function startThread(): SimWorkerHandle {
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(ENTRY.href)}); });`;
  const worker = new Worker(code, {
    eval: true,
    execArgv: process.execArgv.filter((flag) => !/^--expose[-_]gc$/.test(flag)),
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
  });
  return {
    kind: 'thread',
    postMessage: (message, ports = []) => worker.postMessage(message, [...ports]),
    onMessage: (listener) => worker.on('message', listener),
    onFailure: (listener) => worker.on('error', (err: Error) => listener(new Error(`stopped: ${err.stack ?? err.message}`))),
    stop: async () => {
      await worker.terminate();
    },
  };
}

/**
 * A child process running the same module under this process's flags (tsx's loader,
 * `--expose-gc`), with structured-clone IPC so Maps and Sets cross as they do to a thread.
 */
function startProcess(): SimWorkerHandle {
  const child: ChildProcess = fork(fileURLToPath(ENTRY), [], {
    execArgv: [...process.execArgv, `--max-old-space-size=${WORKER_HEAP_MB}`],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let isStopping = false;
  return {
    kind: 'process',
    postMessage: (message, ports = []) => {
      if (ports.length > 0) throw new TypeError('MessagePorts cannot be handed to a child process');
      if (child.connected) child.send(message as object);
    },
    onMessage: (listener) => child.on('message', listener),
    onFailure: (listener) => {
      child.on('error', (err) => listener(new Error(`could not run: ${err.message}`)));
      child.on('exit', (code, signal) => {
        if (!isStopping) listener(new Error(`exited by itself (code ${code}, signal ${signal})`));
      });
    },
    stop: async () => {
      isStopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), PROCESS_EXIT_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

export function startSimWorker(kind: WorkerKind): SimWorkerHandle {
  return kind === 'thread' ? startThread() : startProcess();
}
