/**
 * The real relay process code (`createRelay`) on 127.0.0.1, reached over real
 * WebSockets (`ws`). Costs a socket per peer; the in-process hub is the cheap default.
 */

import { WebSocket } from 'ws';
import { createRelay, type Relay } from '../../relay/create-relay.ts';

export interface WsRelay {
  readonly relay: Relay;
  readonly url: string;
  readonly createSocket: (url: string) => globalThis.WebSocket;
  /** Socket errors seen (a refused or broken connection); the signaling client reconnects by itself. */
  readonly socketErrors: () => number;
  close(): Promise<void>;
}

export async function startWsRelay(expectedPeers: number): Promise<WsRelay> {
  // Every simulated peer comes from 127.0.0.1: the per-IP cap must allow them all.
  const relay = createRelay({ port: 0, host: '127.0.0.1', maxConnectionsPerIp: Math.max(256, expectedPeers * 2) });
  await relay.ready;
  let errors = 0;
  return {
    relay,
    url: `ws://127.0.0.1:${relay.address().port}/ws`,
    createSocket: (url) => {
      const socket = new WebSocket(url);
      // ws throws on an 'error' nobody listens to; the signaling client listens for 'close' only.
      socket.on('error', () => {
        errors += 1;
      });
      // ws's WebSocket has the standard members the signaling client uses (send, close, addEventListener).
      return socket as unknown as globalThis.WebSocket;
    },
    socketErrors: () => errors,
    close: () => relay.close(),
  };
}
