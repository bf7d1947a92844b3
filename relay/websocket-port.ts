/**
 * One client's WebSocket as the hub sees it (a `ClientPort`). A class rather than a pair
 * of closures: thousands of idle connections share its methods. Frames sent to one client
 * during one turn of the event loop leave in a single write: the socket is corked until
 * the loop's check phase (`setImmediate`), after every readable socket of that turn has
 * been handled. Under load, system calls were most of the relay's CPU.
 */

import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { ClientPort } from './relay-hub.ts';

export interface PortLimits {
  /** Bytes the relay buffers for a client that does not read before cutting it. */
  readonly maxBufferedBytes: number;
  /** Told when a client is cut for not reading. */
  readonly onSlowReader: (port: WebSocketPort) => void;
}

function uncork(port: WebSocketPort): void {
  port.isCorked = false;
  port.socket.uncork();
}

export class WebSocketPort implements ClientPort {
  /** Set by every pong; the heartbeat drops a port that stayed silent for a whole interval. */
  isAlive = true;
  isCorked = false;

  constructor(
    readonly ws: WebSocket,
    readonly socket: Duplex,
    readonly ip: string,
    private readonly limits: PortLimits,
  ) {}

  send(text: string): void {
    const { ws } = this;
    if (ws.readyState !== WebSocket.OPEN) return;
    // `text.length` counts UTF-16 units; a frame is at most 3 bytes per unit in UTF-8.
    if (ws.bufferedAmount + text.length * 3 > this.limits.maxBufferedBytes) {
      // A client that does not read would make the relay buffer without bound: cut it.
      this.limits.onSlowReader(this);
      ws.terminate();
      return;
    }
    if (!this.isCorked) {
      this.isCorked = true;
      this.socket.cork();
      setImmediate(uncork, this);
    }
    ws.send(text);
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }
}
