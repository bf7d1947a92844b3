/**
 * The load generator's WebSocket client, tuned so the generator costs as little CPU as it
 * can and the servers, not the generator, are what the bench measures.
 */

import type { Socket } from 'node:net';
import { WebSocket, type RawData } from 'ws';

/** One text frame handler per client; tests swap it as they go. */
export type TextHandler = (text: string) => void;

/** Frames kept while no handler is installed; idle clients must not grow without bound. */
const INBOX_LIMIT = 64;

export class BenchClient {
  private handler: TextHandler | null = null;
  /**
   * Frames that arrived while nothing listened. A server may send its greeting in the same
   * TCP read as the handshake answer, before the opener's continuation could listen.
   */
  private inbox: string[] = [];
  private closeCode: number | null = null;
  private isCorked = false;
  private markClosed: () => void = () => undefined;
  /** Resolves when the socket has closed, whoever closed it. */
  readonly closed = new Promise<void>((resolve) => {
    this.markClosed = resolve;
  });
  private readonly uncork = (): void => {
    this.isCorked = false;
    this.socket.uncork();
  };

  private constructor(
    private readonly ws: WebSocket,
    private readonly socket: Socket,
  ) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = rawText(data);
      if (this.handler !== null) this.handler(text);
      else if (this.inbox.length < INBOX_LIMIT) this.inbox.push(text);
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.markClosed();
    });
    // A reset socket surfaces as 'close' right after; the test sees it through isOpen.
    ws.on('error', () => undefined);
  }

  /** Installs the handler for every later frame; frames waiting in the inbox are dropped. */
  set onText(handler: TextHandler) {
    this.inbox = [];
    this.handler = handler;
  }

  /** Opens a WebSocket to `url`; rejects on refusal or after `timeoutMs`. */
  static open(url: string, timeoutMs: number): Promise<BenchClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, {
        perMessageDeflate: false,
        handshakeTimeout: timeoutMs,
        // Replies are our own servers' JSON; validating UTF-8 again only costs generator CPU.
        skipUTF8Validation: true,
        // An all-zero mask lets ws skip masking: it protects browsers behind caching proxies,
        // which loopback has none of. The servers still unmask every frame as usual.
        generateMask: (mask: Buffer) => {
          mask.fill(0);
        },
      });
      const onError = (err: Error): void => {
        ws.terminate();
        reject(err);
      };
      ws.once('error', onError);
      ws.once('unexpected-response', (_request, response) => {
        ws.off('error', onError);
        ws.terminate();
        reject(new Error(`handshake refused: HTTP ${String(response.statusCode)}`));
      });
      let socket: Socket | null = null;
      ws.once('upgrade', (response) => {
        socket = response.socket;
      });
      ws.once('open', () => {
        ws.off('error', onError);
        if (socket === null) {
          ws.terminate();
          reject(new Error('opened without an upgrade response'));
        } else {
          resolve(new BenchClient(ws, socket));
        }
      });
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Sends one frame. Frames sent in the same tick leave in one write: a client sending as
   * fast as it can would batch too, and a generator paying one syscall per frame would
   * run out of CPU before the server does.
   */
  send(text: string): void {
    if (!this.isCorked) {
      this.isCorked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    this.ws.send(text);
  }

  /**
   * Resolves with the first frame `pick` accepts, looking at the inbox first; frames it
   * passes over go where they would have gone (the installed handler or the inbox).
   */
  nextFrame<T>(pick: (text: string) => T | null, timeoutMs: number, what: string): Promise<T> {
    for (const [index, text] of this.inbox.entries()) {
      const picked = pick(text);
      if (picked === null) continue;
      this.inbox.splice(index, 1);
      return Promise.resolve(picked);
    }
    const previous = this.handler;
    const passOn = (text: string): void => {
      if (previous !== null) previous(text);
      else if (this.inbox.length < INBOX_LIMIT) this.inbox.push(text);
    };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.handler = previous;
        reject(new Error(`no ${what} within ${timeoutMs} ms (socket ${this.isOpen ? 'open' : `closed ${String(this.closeCode)}`})`));
      }, timeoutMs);
      this.handler = (text) => {
        const picked = pick(text);
        if (picked === null) return passOn(text);
        clearTimeout(timer);
        this.handler = previous;
        resolve(picked);
      };
    });
  }

  /** Drops the connection at once. Idempotent. */
  close(): void {
    this.handler = null;
    this.inbox = [];
    this.ws.terminate();
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Every client a test opened, so one `closeAll()` in a `finally` releases them. */
export class ClientPool {
  private readonly clients = new Set<BenchClient>();

  /** Clients still connected (a server that drops idle clients shows here). */
  openCount(): number {
    let open = 0;
    for (const client of this.clients) if (client.isOpen) open += 1;
    return open;
  }

  add(client: BenchClient): BenchClient {
    this.clients.add(client);
    return client;
  }

  closeAll(): void {
    for (const client of this.clients) client.close();
    this.clients.clear();
  }
}

/**
 * Runs `task(index)` for indexes `from`..`to - 1`, at most `concurrency` at a time, and
 * fails on the first error or once `deadlineMs` has passed (no connect loop runs unbounded).
 */
export async function runBounded<T>(
  from: number,
  to: number,
  concurrency: number,
  deadlineMs: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  const stopAt = performance.now() + deadlineMs;
  let next = from;
  let failure: unknown = null;
  const worker = async (): Promise<void> => {
    while (next < to && failure === null) {
      if (performance.now() > stopAt) {
        failure = new Error(`only ${next - from} of ${to - from} tasks started within ${deadlineMs} ms`);
        return;
      }
      const index = next++;
      try {
        results[index - from] = await task(index);
      } catch (err: unknown) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, to - from) }, worker));
  if (failure !== null) throw failure instanceof Error ? failure : new Error(String(failure));
  return results;
}
