/**
 * One worker of a simulation spread over several (`mesh-sim-workers.ts`): runs its share
 * of the peers (index mod workers) with its own link registry, path tracer and delivery
 * tracker; reaches the relay in the main thread over its channel to the main thread, and
 * plays its peers' part of the plan on the clock the main thread starts, handing back its
 * measurements when asked.
 *
 * With the memory transport it is a worker thread: its in-memory links reach the other
 * workers' peers over one MessagePort per worker. With WebRTC it is a child process (the
 * native module cannot live in two threads of one process): links between workers are real
 * WebRTC on 127.0.0.1, and the main process passes on which messages were sent. Started by
 * `sim-worker-handle.ts` with tsx registered.
 */

import { parentPort, type MessagePort } from 'node:worker_threads';
import type { DropReason } from '../../app/core/chat-message.ts';
import type { LinkFactory } from '../../app/net/peer-link.ts';
import { DeliveryTracker } from './delivery-tracker.ts';
import { FrameTally } from './frame-tally.ts';
import type { SentMessage } from './ground-truth.ts';
import { LinkRegistry } from './link-registry.ts';
import { LoopDelayMonitor } from './loop-delay.ts';
import { LoopLag } from './loop-lag.ts';
import { MemoryNetwork } from './memory-network.ts';
import { linkCapOf } from './node-options.ts';
import { PathTracer } from './path-tracer.ts';
import { PortBatcher, type BatchTarget } from './port-batcher.ts';
import { createRandom } from './prng.ts';
import { planScenario } from './scenario.ts';
import { SimPeer } from './sim-peer.ts';
import { SlowMotion } from './slow-motion.ts';
import { WarningTally } from './warning-tally.ts';
import { tallyTotals, workerOfPeer } from './worker-merge.ts';
import type { BetweenWorkers, FromWorker, ToWorker, WorkerPart } from './worker-protocol.ts';

const STATUS_EVERY_MS = 5_000;

/** The relay socket a peer's signaling client holds: the main thread's hub connection, over the parent port. */
class RelaySocketProxy extends EventTarget {
  private isClosed = false;
  constructor(
    readonly socketId: number,
    private readonly post: (message: FromWorker) => void,
  ) {
    super();
  }
  send(text: string): void {
    if (!this.isClosed) this.post({ kind: 'relay-send', socketId: this.socketId, text });
  }
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.post({ kind: 'relay-close', socketId: this.socketId });
  }
  arrive(text: string): void {
    if (!this.isClosed) this.dispatchEvent(new MessageEvent('message', { data: text }));
  }
  closed(): void {
    this.isClosed = true;
    this.dispatchEvent(new Event('close'));
  }
}

function collectGarbage(): void {
  const gc: unknown = Reflect.get(globalThis, 'gc');
  if (typeof gc === 'function') gc();
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

type Init = Extract<ToWorker, { kind: 'init' }>;

interface WebRtcTransport {
  readonly createLink: LinkFactory;
  /** Stops libdatachannel, once every link is closed. */
  readonly shutDown: () => Promise<void>;
}

class WorkerShare {
  private readonly peers = new Map<number, SimPeer>();
  private readonly sockets = new Map<number, RelaySocketProxy>();
  private readonly whereIs = new Map<string, number>();
  /** In-memory links (memory transport); null over WebRTC. */
  private readonly network: MemoryNetwork | null;
  private readonly createLink: LinkFactory;
  private readonly registry: LinkRegistry;
  private readonly tracer: PathTracer;
  private readonly tracker: DeliveryTracker;
  private readonly loopLag: LoopLag;
  private readonly loopDelay: LoopDelayMonitor;
  private readonly slowMotion: SlowMotion | null;
  private readonly drops = new Map<DropReason, number>();
  private readonly sentIds = new Set<string>();
  private readonly unsubscribes: (() => void)[] = [];
  private readonly warnings = new WarningTally();
  private readonly rejections: string[] = [];
  private readonly timers = new Set<ReturnType<typeof setInterval>>();
  /** To each other worker (null for this one), a turn's messages in one post. */
  private readonly toWorkers: (PortBatcher<BetweenWorkers> | null)[];
  private startEpochMs = Number.NaN;
  private nextSocketId = 1;
  private storedCopies = 0;
  private unsent = 0;
  private linkCap = 0;
  private baselineHeapBytes = 0;
  private baselineRssBytes = 0;
  private peakRssBytes = 0;
  private cpuAtStart: NodeJS.CpuUsage | null = null;
  private isStopped = false;
  readonly clock = (): number => performance.timeOrigin + performance.now() - this.startEpochMs;

  constructor(
    private readonly init: Init,
    private readonly post: (message: FromWorker) => void,
    /** Links over node-datachannel (WebRTC transport); null for in-memory links. */
    private readonly webRtc: WebRtcTransport | null,
  ) {
    const { worker, config } = init;
    // Before anything reads a clock or sets a timer: the main thread slowed its own from the same anchor.
    this.slowMotion = SlowMotion.start(config.slowMotion ?? 1, init.timeAnchorEpochMs);
    this.loopDelay = new LoopDelayMonitor(this.slowMotion?.toSimulatedMs.bind(this.slowMotion));
    this.tracer = new PathTracer(this.clock);
    this.registry = new LinkRegistry(new FrameTally(), this.tracer);
    // A worker process hears of others' messages through the main process, maybe after them.
    this.tracker = new DeliveryTracker(this.clock, config.windowMs, config.transport === 'webrtc');
    this.loopLag = new LoopLag(this.clock);
    if (webRtc === null) {
      const network = new MemoryNetwork({
        profile: config.profile,
        random: createRandom(config.seed).fork(`network-worker-${worker}`),
        bridge: {
          self: worker,
          workerOf: (relayId) => this.whereIs.get(relayId),
          post: (to, message) => this.toWorker(to, { kind: 'link', message }),
        },
      });
      this.network = network;
      this.createLink = network.createLink;
    } else {
      this.network = null;
      this.createLink = webRtc.createLink;
    }
    this.toWorkers = init.ports.map((port) => (port === null ? null : new PortBatcher<BetweenWorkers>(port)));
    init.ports.forEach((port, from) =>
      port?.on('message', (batch: readonly BetweenWorkers[]) => {
        for (const message of batch) this.fromWorker(from, message);
      }),
    );
    this.warnings.start();
    process.on('unhandledRejection', (reason: unknown) => {
      this.rejections.push(reason instanceof Error ? (reason.stack ?? reason.message) : String(reason));
    });
    collectGarbage();
    const baseline = process.memoryUsage();
    this.baselineHeapBytes = baseline.heapUsed;
    this.baselineRssBytes = baseline.rss;
  }

  handle(message: ToWorker): void {
    switch (message.kind) {
      case 'init':
        return;
      case 'start':
        this.startEpochMs = message.startEpochMs;
        void this.play().catch((err: unknown) => this.post({ kind: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
        return;
      case 'where':
        this.whereIs.set(message.relayId, message.worker);
        this.registry.learnOwner(message.relayId, message.index);
        return;
      case 'sent':
        // Over WebRTC the workers have no channels of their own: the main process passes on what the others sent.
        this.noteSent(message.message);
        return;
      case 'relay-text':
        this.sockets.get(message.socketId)?.arrive(message.text);
        return;
      case 'relay-closed': {
        const socket = this.sockets.get(message.socketId);
        this.sockets.delete(message.socketId);
        socket?.closed();
        return;
      }
      case 'collect':
        this.post({ kind: 'part', part: this.collect() });
        return;
      case 'dispose':
        void this.dispose().then(() => this.post({ kind: 'disposed' }));
        return;
      default:
        message satisfies never;
    }
  }

  private toWorker(to: number, message: BetweenWorkers): void {
    this.toWorkers[to]?.post(message);
  }

  private fromWorker(from: number, message: BetweenWorkers): void {
    if (message.kind === 'link') this.network?.receive(from, message.message);
    else this.noteSent(message.message);
  }

  private noteSent(message: SentMessage): void {
    this.sentIds.add(message.id);
    this.tracker.sent(message);
  }

  private createSocket(index: number): WebSocket {
    const socket = new RelaySocketProxy(this.nextSocketId++, this.post);
    this.sockets.set(socket.socketId, socket);
    this.post({ kind: 'relay-open', socketId: socket.socketId, index });
    // The proxy has every member of WebSocket the signaling client uses; the type says more.
    return socket as unknown as WebSocket;
  }

  private addPeer(index: number, username: string, radiusM: number): SimPeer {
    const peer = new SimPeer({
      index,
      username,
      radiusM,
      policy: this.init.config.policy,
      clock: this.clock,
      wiring: {
        relayUrl: 'ws://in-process.invalid/ws',
        createSocket: () => this.createSocket(index),
        createLink: this.registry.factoryFor(index, this.createLink),
      },
      onDrop: (reason) => this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1),
    });
    this.peers.set(index, peer);
    this.linkCap = Math.max(this.linkCap, linkCapOf(peer.node));
    this.unsubscribes.push(this.tracker.watch(index, peer.node.router.store));
    return peer;
  }

  private countStored(peer: SimPeer): void {
    const key = peer.node.key;
    for (const message of peer.node.router.store.list()) if (this.sentIds.has(message.id) && message.author !== key) this.storedCopies += 1;
  }

  private leave(peer: SimPeer): void {
    if (peer.leftAtMs !== null) return;
    this.countStored(peer);
    this.registry.markLeaving(peer.index);
    peer.leave();
  }

  /** This worker's peers' part of the plan, at the planned times. */
  private async play(): Promise<void> {
    const { config, worker, workers } = this.init;
    const plan = planScenario(config.scenario, createRandom(config.seed).fork('scenario'));
    this.loopDelay.enable();
    this.loopLag.start();
    this.cpuAtStart = process.cpuUsage();
    const status = setInterval(() => {
      this.peakRssBytes = Math.max(this.peakRssBytes, process.memoryUsage.rss());
      this.post({ kind: 'status', status: this.status() });
    }, STATUS_EVERY_MS);
    this.timers.add(status);
    const steps: { atMs: number; run: () => void }[] = [];
    for (const peerPlan of plan.peers) {
      if (workerOfPeer(peerPlan.index, workers) !== worker) continue;
      steps.push({
        atMs: peerPlan.joinAtMs,
        run: () => {
          this.registry.markArrived(peerPlan.index);
          void this.addPeer(peerPlan.index, peerPlan.username, peerPlan.radiusM).moveTo(peerPlan.position);
        },
      });
      for (const move of peerPlan.moves) steps.push({ atMs: move.atMs, run: () => void this.peers.get(peerPlan.index)?.moveTo(move.position) });
      const leaveAtMs = peerPlan.leaveAtMs;
      if (leaveAtMs !== null) steps.push({ atMs: leaveAtMs, run: () => { const peer = this.peers.get(peerPlan.index); if (peer !== undefined) this.leave(peer); } });
    }
    for (const messagePlan of plan.messages) {
      if (workerOfPeer(messagePlan.authorIndex, workers) !== worker) continue;
      steps.push({ atMs: messagePlan.atMs, run: () => this.say(messagePlan.authorIndex, messagePlan.text) });
    }
    steps.sort((a, b) => a.atMs - b.atMs);
    for (const step of steps) {
      await sleep(step.atMs - this.clock());
      if (this.isStopped) return;
      step.run();
    }
    this.post({ kind: 'steps-done' });
  }

  private say(authorIndex: number, text: string): void {
    const author = this.peers.get(authorIndex);
    if (author === undefined) {
      this.unsent += 1;
      return;
    }
    void author.say(text).then((sent) => {
      if (sent === null) {
        this.unsent += 1;
        return;
      }
      const { message } = sent;
      const record: SentMessage = { id: message.id, authorIndex, sentAtMs: sent.sentAtMs, position: message.position, radiusM: message.radiusM };
      // The other workers hear of it before any frame carrying it (same ordered channel, frames take ≥ the latency).
      this.init.ports.forEach((_, to) => this.toWorker(to, { kind: 'sent', message: record }));
      this.noteSent(record);
      this.post({ kind: 'sent', message: record });
    });
  }

  private status(): { present: number; links: number; maxLinks: number; frames: number } {
    const present = [...this.peers.values()].filter((peer) => peer.isPresent);
    return {
      present: present.length,
      links: present.reduce((total, peer) => total + this.registry.openCount(peer.index), 0),
      maxLinks: this.registry.maxOpenEver,
      frames: this.registry.tally.frames,
    };
  }

  private collect(): WorkerPart {
    const present = [...this.peers.values()].filter((peer) => peer.leftAtMs === null);
    const openAtEnd = present.map((peer) => this.registry.openCount(peer.index));
    for (const peer of present) this.countStored(peer);
    const heldAtEnd = new Map(present.map((peer) => [peer.index, new Set(peer.node.router.store.list().map((message) => message.id).filter((id) => this.sentIds.has(id)))]));
    collectGarbage();
    const cpu = process.cpuUsage(this.cpuAtStart ?? undefined);
    this.peakRssBytes = Math.max(this.peakRssBytes, process.memoryUsage.rss());
    return {
      worker: this.init.worker,
      timelines: [...this.peers.values()].map((peer) => ({ index: peer.index, states: [...peer.states], leftAtMs: peer.leftAtMs })),
      firstStored: this.tracker.firstStored,
      storedCopies: this.storedCopies,
      heldAtEnd,
      tally: tallyTotals(this.registry.tally),
      tracer: { hops: this.tracer.hops, firstWant: this.tracer.firstWant, linkOpenedMs: this.tracer.linkOpenedMs },
      loopSamples: this.loopLag.samples(),
      maxOpenEver: this.registry.maxOpenEver,
      openAtEnd,
      linkCap: this.linkCap,
      links: this.registry.counts,
      drops: this.drops,
      unsent: this.unsent,
      baselineHeapBytes: this.baselineHeapBytes,
      endHeapBytes: process.memoryUsage().heapUsed,
      baselineRssBytes: this.baselineRssBytes,
      endRssBytes: process.memoryUsage.rss(),
      eventLoopDelayMs: this.loopDelay.figures(),
      warnings: this.warnings.summary(),
      rejections: this.rejections,
      storedBeforeNote: this.tracker.storedBeforeNote,
      collectedAtMs: this.clock(),
      cpuMs: (cpu.user + cpu.system) / 1000,
      peakRssBytes: this.peakRssBytes,
    };
  }

  private async dispose(): Promise<void> {
    this.isStopped = true;
    for (const timer of this.timers) clearInterval(timer);
    this.loopLag.stop();
    this.loopDelay.disable();
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    for (const peer of this.peers.values()) peer.leave();
    this.network?.dispose();
    this.warnings.stop();
    for (const batcher of this.toWorkers) batcher?.close();
    for (const port of this.init.ports) port?.close();
    await this.webRtc?.shutDown();
    this.slowMotion?.stop();
  }
}

function isToWorker(value: unknown): value is ToWorker {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'kind') === 'string';
}

/** How this worker talks to the main thread: its parent port (a thread), or IPC (a child process). */
function channelToMain(): { readonly target: BatchTarget<FromWorker>; readonly listen: (listener: (message: unknown) => void) => void } | null {
  if (parentPort !== null) {
    const port: MessagePort = parentPort;
    return { target: port, listen: (listener) => port.on('message', listener) };
  }
  if (process.send !== undefined) {
    // The main process disconnects once it has what it needs (or is gone): nothing is left to do.
    process.once('disconnect', () => process.exit(0));
    return {
      target: { postMessage: (batch) => void process.send?.(batch) },
      listen: (listener) => process.on('message', listener),
    };
  }
  return null;
}

/** The WebRTC transport, loaded only in a worker that needs it (the native module starts threads). */
async function webRtcTransportFor(config: Init['config']): Promise<WebRtcTransport | null> {
  if (config.transport !== 'webrtc') return null;
  const { createWebRtcLink, shutDownWebRtc } = await import('./webrtc-transport.ts');
  return { createLink: createWebRtcLink, shutDown: shutDownWebRtc };
}

const main = channelToMain();
if (main !== null) {
  const toMain = new PortBatcher<FromWorker>(main.target);
  let share: WorkerShare | null = null;
  const fail = (err: unknown): void => toMain.post({ kind: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  const handle = (message: ToWorker): void => {
    try {
      if (message.kind === 'init') {
        void webRtcTransportFor(message.config)
          .then((webRtc) => {
            share = new WorkerShare(message, (out) => toMain.post(out), webRtc);
            toMain.post({ kind: 'ready' });
          })
          .catch(fail);
        return;
      }
      share?.handle(message);
    } catch (err: unknown) {
      fail(err);
    }
  };
  // The first message (init, with the ports) comes alone; the rest in batches.
  main.listen((message: unknown) => {
    if (Array.isArray(message)) {
      for (const item of message) if (isToWorker(item)) handle(item);
    } else if (isToWorker(message)) {
      handle(message);
    }
  });
}
