/**
 * Whether the relay answers: opens the relay WebSocket, waits for a valid `welcome`, and
 * reconnects with jittered backoff when the relay goes away. Moved unchanged from the
 * placeholder page; the real session's signaling client replaces it.
 */

import { parseRelayFrame } from '../core/parse-relay-frame.ts';
import { PROTOCOL_VERSION } from '../core/protocol.ts';
import type { RelayStatus } from './session-state.ts';

/** First retry after about this long; each further failure doubles it. */
const FIRST_RETRY_MS = 1_000;
/** Retries never wait longer than this. */
const MAX_RETRY_MS = 30_000;
/** A socket that has not delivered `welcome` by then is given up and retried. */
const WELCOME_TIMEOUT_MS = 10_000;

/** Wait before retry number `failures` (1-based): exponential, capped, with jitter. */
function retryDelayMs(failures: number): number {
  const ceilingMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(failures - 1, 16));
  // Equal jitter: never less than half the step (no hot loop), and clients that lost the
  // same relay at the same moment do not all come back at once.
  return ceilingMs / 2 + (Math.random() * ceilingMs) / 2;
}

/** Keeps a connection to the relay at `url` and reports its state; returns the stop function. */
export function watchRelay(url: string, onState: (state: RelayStatus) => void): () => void {
  let socket: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let isStopped = false;

  const retryLater = (): void => {
    socket = null;
    failures += 1;
    onState('reconnecting');
    timer = setTimeout(connect, retryDelayMs(failures));
  };

  function connect(): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch (err: unknown) {
      // E.g. a ws: relay from an https: page, which the browser refuses outright.
      console.warn('cannot open the relay WebSocket', err instanceof Error ? err.message : String(err));
      retryLater();
      return;
    }
    socket = ws;
    timer = setTimeout(() => ws.close(), WELCOME_TIMEOUT_MS);
    ws.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (typeof event.data !== 'string') return;
      const frame = parseRelayFrame(event.data);
      if (frame?.type !== 'welcome') return;
      clearTimeout(timer);
      if (frame.protocol !== PROTOCOL_VERSION) {
        console.warn(`the relay speaks protocol ${frame.protocol}; this app speaks ${PROTOCOL_VERSION}`);
        ws.close();
        return;
      }
      failures = 0;
      onState('connected');
    });
    ws.addEventListener('close', () => {
      if (socket !== ws) return;
      clearTimeout(timer);
      if (isStopped) return;
      retryLater();
    });
  }

  connect();
  return () => {
    isStopped = true;
    clearTimeout(timer);
    socket?.close();
    socket = null;
  };
}
