/**
 * A minimal Chrome DevTools Protocol client for a server's V8 inspector: it forces a full
 * garbage collection and reads heap usage, so memory is compared after the same settle in
 * every server without changing their code, and it profiles a chosen time window.
 */

import { WebSocket } from 'ws';
import { isJsonObject, parseJson, type JsonObject } from '../../app/core/json.ts';

const REQUEST_TIMEOUT_MS = 15_000;

export interface HeapUsage {
  /** Live bytes in the V8 heap. */
  readonly usedBytes: number;
  /** Bytes the V8 heap has reserved. */
  readonly totalBytes: number;
}

interface Pending {
  readonly resolve: (result: JsonObject) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class InspectorClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => this.receive(data.toString()));
    ws.on('close', () => this.failAll(new Error('inspector connection closed')));
  }

  static connect(url: string): Promise<InspectorClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: REQUEST_TIMEOUT_MS });
      ws.once('open', () => {
        ws.off('error', reject);
        ws.on('error', (err: Error) => process.stderr.write(`inspector socket error: ${err.message}\n`));
        resolve(new InspectorClient(ws));
      });
      ws.once('error', reject);
    });
  }

  /** A full, synchronous-in-the-server garbage collection. */
  async collectGarbage(): Promise<void> {
    await this.call('HeapProfiler.collectGarbage');
  }

  async heapUsage(): Promise<HeapUsage> {
    const result = await this.call('Runtime.getHeapUsage');
    const usedBytes = result['usedSize'];
    const totalBytes = result['totalSize'];
    if (typeof usedBytes !== 'number' || typeof totalBytes !== 'number') {
      throw new Error('Runtime.getHeapUsage answered without usedSize/totalSize');
    }
    return { usedBytes, totalBytes };
  }

  /** Starts the V8 sampling profiler (every `intervalUs` microseconds). */
  async startProfiling(intervalUs: number): Promise<void> {
    await this.call('Profiler.enable');
    await this.call('Profiler.setSamplingInterval', { interval: intervalUs });
    await this.call('Profiler.start');
  }

  /** Stops the profiler; the profile in `.cpuprofile` form (Chrome DevTools opens it). */
  async stopProfiling(): Promise<JsonObject> {
    const result = await this.call('Profiler.stop');
    const profile = result['profile'];
    if (!isJsonObject(profile)) throw new Error('Profiler.stop answered without a profile');
    return profile;
  }

  close(): void {
    this.failAll(new Error('inspector client closed'));
    this.ws.terminate();
  }

  private call(method: string, params: JsonObject = {}): Promise<JsonObject> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`inspector ${method} timed out`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  private receive(text: string): void {
    const message = parseJson(text);
    if (!isJsonObject(message)) return;
    const id = message['id'];
    // Events (no id) are not subscribed to; anything else unknown is ignored.
    if (typeof id !== 'number') return;
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    const result = message['result'];
    const error = message['error'];
    if (isJsonObject(result)) pending.resolve(result);
    else pending.reject(new Error(`inspector error: ${JSON.stringify(error ?? message).slice(0, 200)}`));
  }

  private failAll(err: Error): void {
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(err);
    }
    this.pending.clear();
  }
}
