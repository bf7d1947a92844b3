/**
 * The real relay process code (`createRelay`) on 127.0.0.1, reached over real
 * WebSockets (`ws`). Costs a socket per peer; the in-process hub is the cheap default.
 * It can be stopped and started again on the same port (a relay restart), and it notes
 * when each socket opened and sent its first join (when a peer was back in its cells).
 */

import { WebSocket } from 'ws';
import { createRelay, type Relay } from '../../relay/create-relay.ts';

/** One socket a peer opened: when it opened, and when it first joined its cells (performance.now() ms). */
export interface SocketTrace {
  readonly peerUrl: string;
  openedAtMs: number | null;
  joinedAtMs: number | null;
}

export interface WsRelay {
  /** The relay now running (another one after `restart`). */
  readonly relay: Relay;
  readonly url: string;
  readonly createSocket: (url: string) => globalThis.WebSocket;
  /** Socket errors seen (a refused or broken connection); the signaling client reconnects by itself. */
  readonly socketErrors: () => number;
  /** Every socket made so far, in the order made. */
  readonly sockets: readonly SocketTrace[];
  /** Closes the relay (every client sees it go); `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startWsRelay(expectedPeers: number): Promise<WsRelay> {
  // Every simulated peer comes from 127.0.0.1: the per-IP cap must allow them all.
  const make = (port: number): Relay => createRelay({ port, host: '127.0.0.1', maxConnectionsPerIp: Math.max(256, expectedPeers * 2) });
  let relay = make(0);
  await relay.ready;
  const port = relay.address().port;
  let errors = 0;
  const sockets: SocketTrace[] = [];
  return {
    get relay() {
      return relay;
    },
    url: `ws://127.0.0.1:${port}/ws`,
    createSocket: (url) => {
      const socket = new WebSocket(url);
      const trace: SocketTrace = { peerUrl: url, openedAtMs: null, joinedAtMs: null };
      sockets.push(trace);
      // ws throws on an 'error' nobody listens to; the signaling client listens for 'close' only.
      socket.on('error', () => {
        errors += 1;
      });
      socket.on('open', () => {
        trace.openedAtMs = performance.now();
      });
      const send = socket.send.bind(socket);
      socket.send = ((data: string) => {
        if (trace.joinedAtMs === null && typeof data === 'string' && data.startsWith('{"type":"join"')) trace.joinedAtMs = performance.now();
        send(data);
      }) as typeof socket.send;
      // ws's WebSocket has the standard members the signaling client uses (send, close, addEventListener).
      return socket as unknown as globalThis.WebSocket;
    },
    socketErrors: () => errors,
    sockets,
    stop: () => relay.close(),
    start: async () => {
      relay = make(port);
      await relay.ready;
    },
    close: () => relay.close(),
  };
}
