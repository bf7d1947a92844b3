/**
 * Real `ws` clients against a real relay on 127.0.0.1 port 0. Clients queue every frame
 * they receive and tests wait for conditions (a frame, a close), never for time.
 */

import { WebSocket, type ClientOptions } from 'ws';
import { parseRelayFrame } from '../../app/core/parse-relay-frame.ts';
import type { PeerId, RelayFrame } from '../../app/core/protocol.ts';
import { createRelay, type Relay } from '../../relay/create-relay.ts';
import type { RelayOptions } from '../../relay/relay-options.ts';

/** Upper bound on any single wait; a condition that holds is met in milliseconds. */
export const WAIT_LIMIT_MS = 5_000;

export interface RunningRelay {
  readonly relay: Relay;
  /** ws://127.0.0.1:PORT/ws */
  readonly url: string;
  /** http://127.0.0.1:PORT */
  readonly httpUrl: string;
}

/** Starts a relay on a free loopback port. */
export async function startRelay(options: Partial<RelayOptions> = {}): Promise<RunningRelay> {
  const relay = createRelay({ port: 0, host: '127.0.0.1', ...options });
  await relay.ready;
  const { port } = relay.address();
  return { relay, url: `ws://127.0.0.1:${port}/ws`, httpUrl: `http://127.0.0.1:${port}` };
}

/** Connects clients to `running()` and closes them all at the end (`closeAll`). */
export function clientPool(running: () => RunningRelay): { connect: () => Promise<TestClient>; closeAll: () => Promise<void> } {
  const clients: TestClient[] = [];
  return {
    connect: async () => {
      const client = await TestClient.connect(running().url);
      clients.push(client);
      return client;
    },
    closeAll: async () => {
      await Promise.all(clients.splice(0).map((client) => client.close()));
    },
  };
}

export interface RelayHealth {
  readonly status: string;
  readonly redis?: string;
  readonly peers: number;
  readonly remotePeers?: number;
}

/** GET /health, checked field by field. */
export async function readHealth(httpUrl: string): Promise<RelayHealth> {
  const body: unknown = await (await fetch(`${httpUrl}/health`)).json();
  if (typeof body !== 'object' || body === null) throw new Error('health is not an object');
  const status = Reflect.get(body, 'status');
  const redis = Reflect.get(body, 'redis');
  const peers = Reflect.get(body, 'peers');
  const remotePeers = Reflect.get(body, 'remotePeers');
  if (typeof status !== 'string' || typeof peers !== 'number') throw new Error(`unexpected health: ${JSON.stringify(body)}`);
  return {
    status,
    peers,
    ...(typeof redis === 'string' ? { redis } : {}),
    ...(typeof remotePeers === 'number' ? { remotePeers } : {}),
  };
}

/** Polls `condition` until it holds; fails after WAIT_LIMIT_MS with `description`. */
export async function waitFor(condition: () => boolean, description: string): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

type Waiter = { readonly match: (frame: RelayFrame) => boolean; readonly resolve: (frame: RelayFrame) => void };

export class TestClient {
  /** Every frame received, in order (unparseable frames fail the test at once). */
  readonly received: RelayFrame[] = [];
  /** Resolves with the close code and reason when the socket closes. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters = new Set<Waiter>();
  private cursor = 0;
  private closeInfo: { code: number; reason: string } | null = null;

  private constructor(
    readonly ws: WebSocket,
    readonly id: PeerId,
  ) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
      });
    });
    ws.on('message', (data) => this.push(data.toString()));
  }

  get isClosed(): boolean {
    return this.closeInfo !== null;
  }

  /** Opens a connection and waits for its `welcome`. */
  static async connect(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    const early: string[] = [];
    ws.on('message', (data) => early.push(data.toString()));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('error', () => undefined);
    await waitFor(() => early.length > 0 || ws.readyState !== WebSocket.OPEN, 'welcome');
    const welcome = parseRelayFrame(early[0] ?? '');
    if (welcome?.type !== 'welcome') throw new Error(`expected welcome, got ${early[0] ?? 'a closed socket'}`);
    ws.removeAllListeners('message');
    const client = new TestClient(ws, welcome.id);
    client.received.push(welcome);
    client.cursor = 1;
    for (const text of early.slice(1)) client.push(text);
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.ws.send(data, { binary: options.binary ?? false });
  }

  join(home: string, watch: readonly string[]): void {
    this.send({ type: 'join', home, watch });
  }

  signal(to: PeerId, data: unknown): void {
    this.send({ type: 'signal', to, data });
  }

  /**
   * The next not-yet-consumed frame matching `match` (frames before it are consumed
   * too). Waits until it arrives; fails after WAIT_LIMIT_MS or if the socket closes.
   */
  async next<T extends RelayFrame['type']>(
    type: T,
    match: (frame: Extract<RelayFrame, { type: T }>) => boolean = () => true,
  ): Promise<Extract<RelayFrame, { type: T }>> {
    const isWanted = (frame: RelayFrame): frame is Extract<RelayFrame, { type: T }> =>
      frame.type === type && match(frame as Extract<RelayFrame, { type: T }>);
    for (; this.cursor < this.received.length; this.cursor += 1) {
      const frame = this.received[this.cursor];
      if (frame !== undefined && isWanted(frame)) {
        this.cursor += 1;
        return frame;
      }
    }
    this.cursor = this.received.length;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out waiting for a "${type}" frame; received: ${this.describe()}`));
      }, WAIT_LIMIT_MS);
      const waiter: Waiter = {
        match: isWanted,
        resolve: (frame) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(frame as Extract<RelayFrame, { type: T }>);
        },
      };
      this.waiters.add(waiter);
      void this.closed.then(() => {
        if (!this.waiters.has(waiter)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        reject(new Error(`socket closed (${this.closeInfo?.code}) while waiting for "${type}"; received: ${this.describe()}`));
      });
    });
  }

  /** Frames received so far of one type. */
  all<T extends RelayFrame['type']>(type: T): Extract<RelayFrame, { type: T }>[] {
    return this.received.filter((frame): frame is Extract<RelayFrame, { type: T }> => frame.type === type);
  }

  /**
   * A barrier: joins (or re-joins) and waits for the `peers` answer. Every frame the relay
   * sent this client before processing the join has then been received.
   */
  async sync(home: string, watch: readonly string[]): Promise<void> {
    this.join(home, watch);
    await this.next('peers');
  }

  close(): Promise<unknown> {
    if (!this.isClosed) this.ws.close();
    return this.closed;
  }

  private push(text: string): void {
    const frame = parseRelayFrame(text);
    if (frame === null) throw new Error(`relay sent a frame the client parser refuses: ${text.slice(0, 200)}`);
    this.received.push(frame);
    for (const waiter of this.waiters) {
      if (waiter.match(frame)) {
        this.cursor = this.received.length;
        waiter.resolve(frame);
        return;
      }
    }
  }

  private describe(): string {
    return JSON.stringify(this.received.map((frame) => frame.type));
  }
}

/** Opens an HTTP WebSocket handshake and reports the status the relay answered with. */
export async function handshakeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.destroy();
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (err: Error) => {
      if (!err.message.includes('Unexpected server response')) reject(err);
    });
  });
}
