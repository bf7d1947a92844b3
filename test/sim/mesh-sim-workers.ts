/**
 * `runMeshSim` with the peers spread over workers (`--workers N`, N ≥ 2): the relay hub
 * stays in this thread, each worker (`sim-worker.ts`) runs every N-th peer with its own
 * event loop. Relay connections cross to this thread over each worker's channel (the hub
 * socket's pipes still model their latency). With the memory transport the workers are
 * threads, and links between peers of different workers cross over a MessageChannel per
 * pair of workers after the sending end's pipe has applied the link profile. With WebRTC
 * they are child processes (see `sim-worker-handle.ts`), linked by real WebRTC on
 * 127.0.0.1, and this process passes on which messages were sent. Every worker plays its
 * peers' part of the same plan on one shared clock; at the end their measurements are
 * merged into one `SimResult`. In-process relay only.
 */

import { loadavg } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { PeerId } from '../../app/core/protocol.ts';
import { FrameTally } from './frame-tally.ts';
import type { SentMessage } from './ground-truth.ts';
import { InProcessRelay } from './in-process-relay.ts';
import { LoopDelayMonitor } from './loop-delay.ts';
import { LoopLag } from './loop-lag.ts';
import type { SimConfig, SimResult } from './mesh-sim.ts';
import { createRandom } from './prng.ts';
import { PortBatcher } from './port-batcher.ts';
import { startSimWorker } from './sim-worker-handle.ts';
import { planScenario } from './scenario.ts';
import { SlowMotion } from './slow-motion.ts';
import { addCounts, addLinkCounts, addTallies, mergeTracers, workerOfPeer, worstLoopDelay, type LoopDelay } from './worker-merge.ts';
import type { FromWorker, ToWorker, WorkerPart, WorkerStatus } from './worker-protocol.ts';

const SETTLE_MS = 500;
/** Workers start their clocks this long after the start is posted, so all begin together. */
const START_MARGIN_MS = 100;
const PROGRESS_EVERY_MS = 5_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function collectGarbage(): boolean {
  const gc: unknown = Reflect.get(globalThis, 'gc');
  if (typeof gc !== 'function') return false;
  gc();
  return true;
}

function isFromWorker(value: unknown): value is FromWorker {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'kind') === 'string';
}

/** One thread's event-loop figures, for the report. */
export interface ThreadLoopDelay extends LoopDelay {
  readonly thread: string;
}

export async function runMeshSimOverWorkers(config: SimConfig, workerCount: number): Promise<SimResult> {
  if (config.relay !== 'hub') throw new TypeError('workers need the in-process relay');
  if (!Number.isInteger(workerCount) || workerCount < 2) throw new TypeError('workerCount must be a whole number ≥ 2');
  const timeAnchorEpochMs = Date.now();
  const slowMotion = SlowMotion.start(config.slowMotion ?? 1, timeAnchorEpochMs);
  try {
    return await simulateOverWorkers(config, workerCount, slowMotion, timeAnchorEpochMs);
  } finally {
    slowMotion?.stop();
  }
}

async function simulateOverWorkers(config: SimConfig, workerCount: number, slowMotion: SlowMotion | null, timeAnchorEpochMs: number): Promise<SimResult> {
  const random = createRandom(config.seed);
  const plan = planScenario(config.scenario, random.fork('scenario'));
  const relay = new InProcessRelay(random.fork('network').fork('relay'), config.relayLatency);
  const kind = config.transport === 'webrtc' ? 'process' : 'thread';
  const workers = Array.from({ length: workerCount }, () => startSimWorker(kind));
  const sockets = new Map<WebSocket, { readonly worker: number; readonly socketId: number; readonly index: number }>();
  const socketsById = workers.map(() => new Map<number, WebSocket>());
  const messages: SentMessage[] = [];
  const statuses: (WorkerStatus | null)[] = workers.map(() => null);
  const waiters = new Map<string, { count: number; resolve: () => void; reject: (err: Error) => void }>();
  const parts: WorkerPart[] = [];
  let failure: Error | null = null;
  let clockSkewMs = 0;
  /** Set when the workers are told to start; the run's clock counts from it. */
  let startEpochMs = Number.NaN;
  const clock = (): number => performance.timeOrigin + performance.now() - startEpochMs;
  const loopDelay = new LoopDelayMonitor(slowMotion?.toSimulatedMs.bind(slowMotion));
  // A turn's messages to a worker go in one post (relay frames for thousands of peers).
  const batchers = workers.map((worker) => new PortBatcher<ToWorker>({ postMessage: (batch) => worker.postMessage(batch) }));
  const send = (worker: number, message: ToWorker): void => batchers[worker]?.post(message);

  /** Resolves when every worker has said `kind` (or rejects when one fails). */
  const everyWorker = (kind: string): Promise<void> =>
    new Promise((resolve, reject) => {
      if (failure !== null) reject(failure);
      else waiters.set(kind, { count: 0, resolve, reject });
    });
  const fail = (err: Error): void => {
    failure ??= err;
    for (const waiter of waiters.values()) waiter.reject(err);
    waiters.clear();
  };
  const arrived = (kind: string): void => {
    const waiter = waiters.get(kind);
    if (waiter === undefined) return;
    waiter.count += 1;
    if (waiter.count === workerCount) {
      waiters.delete(kind);
      waiter.resolve();
    }
  };

  relay.onConnected = (socket: WebSocket, id: PeerId) => {
    const owner = sockets.get(socket);
    if (owner === undefined) return;
    for (let worker = 0; worker < workerCount; worker += 1) send(worker, { kind: 'where', relayId: id, worker: owner.worker, index: owner.index });
  };

  const onMessage = (worker: number, message: FromWorker): void => {
    switch (message.kind) {
      case 'relay-open': {
        const socket = relay.createSocket();
        sockets.set(socket, { worker, socketId: message.socketId, index: message.index });
        socketsById[worker]?.set(message.socketId, socket);
        socket.addEventListener('message', (event) => {
          if (typeof event.data === 'string') send(worker, { kind: 'relay-text', socketId: message.socketId, text: event.data });
        });
        socket.addEventListener('close', () => {
          sockets.delete(socket);
          socketsById[worker]?.delete(message.socketId);
          send(worker, { kind: 'relay-closed', socketId: message.socketId });
        });
        return;
      }
      case 'relay-send':
        socketsById[worker]?.get(message.socketId)?.send(message.text);
        return;
      case 'relay-close':
        socketsById[worker]?.get(message.socketId)?.close();
        return;
      case 'sent':
        messages.push(message.message);
        // Threads tell each other over their own channels; processes hear it from here.
        if (kind === 'process') for (let other = 0; other < workerCount; other += 1) if (other !== worker) send(other, message);
        return;
      case 'status':
        statuses[worker] = message.status;
        return;
      case 'part':
        parts.push(message.part);
        clockSkewMs = Math.max(clockSkewMs, Math.abs(clock() - message.part.collectedAtMs));
        arrived('part');
        return;
      case 'failed':
        fail(new Error(`worker ${worker}: ${message.error}`));
        return;
      case 'ready':
      case 'steps-done':
      case 'disposed':
        arrived(message.kind);
        return;
      default:
        message satisfies never;
    }
  };
  workers.forEach((worker, index) => {
    worker.onMessage((batch: unknown) => {
      if (!Array.isArray(batch)) return;
      for (const message of batch) if (isFromWorker(message)) onMessage(index, message);
    });
    worker.onFailure((err) => fail(new Error(`worker ${index} ${err.message}`)));
  });

  try {
    // A channel per pair of workers: each gets its end of every pair it is in.
    const ports: (MessagePort | null)[][] = workers.map(() => workers.map(() => null));
    for (let a = 0; a < workerCount && kind === 'thread'; a += 1) {
      for (let b = a + 1; b < workerCount; b += 1) {
        const channel = new MessageChannel();
        (ports[a] ?? [])[b] = channel.port1;
        (ports[b] ?? [])[a] = channel.port2;
      }
    }
    const { onProgress, ...workerConfig } = config;
    const ready = everyWorker('ready');
    ports.forEach((own, worker) => {
      const init: ToWorker = { kind: 'init', worker, workers: workerCount, config: workerConfig, ports: own, timeAnchorEpochMs };
      workers[worker]?.postMessage(init, own.filter((port): port is MessagePort => port !== null));
    });
    await ready;
    const isGcExposed = collectGarbage();
    const baseline = process.memoryUsage();
    const loadAtStart = loadavg()[0] ?? 0;
    const cpuAtStart = process.cpuUsage();
    startEpochMs = performance.timeOrigin + performance.now() + START_MARGIN_MS;
    const mainLag = new LoopLag(clock);
    loopDelay.enable();
    mainLag.start();
    let peakRssBytes = baseline.rss;
    const progress = (): string => progressLine(clock(), statuses, messages.length);
    const sampler = setInterval(() => {
      peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
    }, 1_000);
    const reporter = setInterval(() => onProgress?.(progress()), PROGRESS_EVERY_MS);
    try {
      const stepsDone = everyWorker('steps-done');
      for (let worker = 0; worker < workerCount; worker += 1) send(worker, { kind: 'start', startEpochMs });
      await stepsDone;
      const lastDeadlineMs = Math.max(plan.config.durationMs, ...messages.map((message) => message.sentAtMs)) + config.windowMs;
      await sleep(lastDeadlineMs + SETTLE_MS - clock());
      onProgress?.(progress());
      const endAtMs = clock();
      const collected = everyWorker('part');
      for (let worker = 0; worker < workerCount; worker += 1) send(worker, { kind: 'collect' });
      await collected;
      peakRssBytes = Math.max(peakRssBytes, process.memoryUsage.rss());
      collectGarbage();
      const end = process.memoryUsage();
      const cpu = process.cpuUsage(cpuAtStart);
      const mainLoop: ThreadLoopDelay = { thread: 'main (relay)', ...loopDelay.figures() };
      parts.sort((a, b) => a.worker - b.worker);
      const threads: ThreadLoopDelay[] = [mainLoop, ...parts.map((part) => ({ thread: `worker ${part.worker}`, ...part.eventLoopDelayMs }))];
      const lags = parts.map((part) => {
        const lag = new LoopLag(clock);
        part.loopSamples.atMs.forEach((atMs, index) => lag.record(atMs, part.loopSamples.lagMs[index] ?? 0));
        return lag;
      });
      // Threads share this process's RSS and CPU time; child processes add their own.
      const childrenSum = (of: (part: WorkerPart) => number): number => (kind === 'process' ? parts.reduce((sum, part) => sum + of(part), 0) : 0);
      const heapOf = (which: 'end' | 'baseline'): number =>
        parts.reduce((sum, part) => sum + (which === 'end' ? part.endHeapBytes : part.baselineHeapBytes), which === 'end' ? end.heapUsed : baseline.heapUsed);
      messages.sort((a, b) => a.sentAtMs - b.sentAtMs);
      return {
        config,
        plan,
        timelines: parts.flatMap((part) => part.timelines).sort((a, b) => a.index - b.index),
        messages,
        firstStored: mergeFirstStored(parts),
        storedCopies: parts.reduce((sum, part) => sum + part.storedCopies, 0),
        heldAtEnd: new Map(parts.flatMap((part) => [...part.heldAtEnd])),
        tally: addTallies(new FrameTally(), parts.map((part) => part.tally)),
        tracer: mergeTracers(parts.map((part) => part.tracer)),
        // A hop's queueing is its receiver's: the worker that runs it (links do not pass the main thread).
        loopLag: { blockedWithin: (fromMs, toMs, receiver) => lags[workerOfPeer(receiver, workerCount)]?.blockedWithin(fromMs, toMs) ?? 0 },
        maxOpenEver: Math.max(0, ...parts.map((part) => part.maxOpenEver)),
        openAtEnd: parts.flatMap((part) => part.openAtEnd),
        linkCap: Math.max(0, ...parts.map((part) => part.linkCap)),
        links: addLinkCounts(parts.map((part) => part.links)),
        endAtMs,
        relayFrames: relayFramesOf(relay),
        drops: addCounts(parts.map((part) => part.drops)),
        unsent: parts.reduce((sum, part) => sum + part.unsent, 0),
        memory: {
          baselineRssBytes: baseline.rss + childrenSum((part) => part.baselineRssBytes),
          baselineHeapBytes: heapOf('baseline'),
          endRssBytes: end.rss + childrenSum((part) => part.endRssBytes),
          endHeapBytes: heapOf('end'),
          // Each process's own peak, added: an upper bound on the peak of their sum.
          peakRssBytes: peakRssBytes + childrenSum((part) => part.peakRssBytes),
          endPeers: parts.reduce((sum, part) => sum + part.openAtEnd.length, 0),
          isGcExposed,
        },
        eventLoopDelayMs: worstLoopDelay(threads),
        threads,
        workerClockSkewMs: clockSkewMs,
        workerNotes: parts.flatMap((part) => [
          ...(part.storedBeforeNote === 0
            ? []
            : [`worker ${part.worker}: ${part.storedBeforeNote} copies arrived before the note that their message was sent (timed from their arrival all the same)`]),
          ...part.warnings.map((line) => `worker ${part.worker}: ${line}`),
          ...(part.rejections.length === 0 ? [] : [`worker ${part.worker}: ${part.rejections.length} unhandled rejections, the first: ${part.rejections[0]}`]),
        ]),
        cpuMs: (cpu.user + cpu.system) / 1000 + childrenSum((part) => part.cpuMs),
        loadAverage: [loadAtStart, loadavg()[0] ?? 0],
        wallMs: clock(),
      };
    } finally {
      clearInterval(sampler);
      clearInterval(reporter);
      mainLag.stop();
    }
  } finally {
    loopDelay.disable();
    if (failure === null) {
      const disposed = everyWorker('disposed');
      for (let worker = 0; worker < workerCount; worker += 1) send(worker, { kind: 'dispose' });
      await disposed.catch(() => undefined);
    }
    relay.dispose();
    for (const batcher of batchers) batcher.close();
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

function mergeFirstStored(parts: readonly WorkerPart[]): Map<string, Map<number, number>> {
  const merged = new Map<string, Map<number, number>>();
  for (const part of parts) {
    for (const [id, arrivals] of part.firstStored) {
      const into = merged.get(id) ?? new Map<number, number>();
      for (const [index, atMs] of arrivals) into.set(index, atMs);
      merged.set(id, into);
    }
  }
  return merged;
}

function relayFramesOf(relay: InProcessRelay): { readonly in: number; readonly out: number } {
  const sum = (text: string, name: string): number =>
    text
      .split('\n')
      .filter((line) => line.startsWith(name))
      .reduce((total, line) => total + Number(line.split(' ').at(-1)), 0);
  const rendered = relay.metrics.render();
  return { in: sum(rendered, 'neartalk_frames_in_total'), out: sum(rendered, 'neartalk_frames_out_total') };
}

function progressLine(atMs: number, statuses: readonly (WorkerStatus | null)[], sent: number): string {
  const known = statuses.filter((status): status is WorkerStatus => status !== null);
  const present = known.reduce((sum, status) => sum + status.present, 0);
  const links = known.reduce((sum, status) => sum + status.links, 0);
  const rssMiB = process.memoryUsage.rss() / 2 ** 20;
  return (
    `t=${(atMs / 1000).toFixed(0)}s present=${present} links/peer=${(links / Math.max(1, present)).toFixed(1)} ` +
    `maxLinks=${Math.max(0, ...known.map((status) => status.maxLinks))} sent=${sent} ` +
    `frames=${known.reduce((sum, status) => sum + status.frames, 0)} rss=${rssMiB.toFixed(0)}MiB (${statuses.length} workers)`
  );
}
