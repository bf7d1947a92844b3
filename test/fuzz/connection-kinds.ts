/**
 * Connection-level attacks, each on a fresh connection with the outcome the relay must
 * produce: an HTTP status for malformed requests, a WebSocket close code for framing
 * errors and abuse. Sent through raw sockets where no well-behaved client could send them.
 */

import { WebSocket } from 'ws';
import { clientFrame, closeCodeOf, openRawWebSocket, RawSocket, statusOf, UPGRADE_HEADERS } from '../relay/raw-socket.ts';
import { TestClient } from '../relay/relay-harness.ts';

export type ConnectionOutcome = { readonly kind: 'http'; readonly status: number } | { readonly kind: 'close'; readonly code: number };

export interface ConnectionKind {
  readonly name: string;
  readonly expect: ConnectionOutcome;
  /** Runs the attack against a relay on `port` and reports what the relay did. */
  readonly run: (port: number, random: () => number) => Promise<ConnectionOutcome>;
}

/** Longest one attack may take before it counts as a failure (a close that never came). */
const KIND_LIMIT_MS = 10_000;

const http = (status: number): ConnectionOutcome => ({ kind: 'http', status });
const close = (code: number): ConnectionOutcome => ({ kind: 'close', code });

/** Sends `request` on a raw socket and reads the status the relay answered before closing. */
async function httpAttack(port: number, request: string | Buffer): Promise<ConnectionOutcome> {
  const raw = await RawSocket.open(port);
  raw.write(request);
  return http(statusOf((await raw.untilClosed()).text));
}

/** Opens a WebSocket by hand, sends `frames`, and reads the close code the relay sent. */
async function framingAttack(port: number, frames: readonly Buffer[]): Promise<ConnectionOutcome> {
  const raw = await openRawWebSocket(port);
  for (const frame of frames) raw.write(frame);
  return close(closeCodeOf((await raw.untilClosed()).bytes) ?? 0);
}

const text = (value: string): Buffer => Buffer.from(value, 'utf8');
const noise = (random: () => number, length: number): Buffer => Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));

export const CONNECTION_KINDS: readonly ConnectionKind[] = [
  { name: 'a malformed request target on /ws', expect: http(400), run: (port, random) => httpAttack(port, `GET ${['http://[/ws', '//[/ws', 'http://h:99999/ws', 'http://[::1/ws'][Math.floor(random() * 4)]} HTTP/1.1\r\n${UPGRADE_HEADERS}`) },
  { name: 'a malformed request target over HTTP', expect: http(400), run: (port) => httpAttack(port, 'GET http://[/health HTTP/1.1\r\nHost: x\r\n\r\n') },
  { name: 'an HTTP/1.0 upgrade', expect: http(400), run: (port) => httpAttack(port, `GET /ws HTTP/1.0\r\n${UPGRADE_HEADERS}`) },
  { name: 'a garbage request line', expect: http(400), run: (port, random) => httpAttack(port, Buffer.concat([noise(random, 40).map((byte) => (byte === 10 || byte === 13 ? 32 : byte)), text('\r\n\r\n')])) },
  { name: 'an upgrade on another path', expect: http(404), run: (port) => httpAttack(port, `GET /wss HTTP/1.1\r\n${UPGRADE_HEADERS}`) },
  { name: 'an upgrade from a foreign origin', expect: http(403), run: (port) => httpAttack(port, `GET /ws HTTP/1.1\r\nOrigin: https://evil.example\r\n${UPGRADE_HEADERS}`) },
  { name: 'an upgrade without a key', expect: http(400), run: (port) => httpAttack(port, 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n') },
  { name: 'headers over the size limit', expect: http(431), run: (port) => httpAttack(port, `GET /ws HTTP/1.1\r\nX-Pad: ${'a'.repeat(20_000)}\r\n${UPGRADE_HEADERS}`) },
  { name: 'a connection that sends nothing', expect: http(408), run: (port) => httpAttack(port, '') },
  { name: 'a handshake that never ends (slowloris)', expect: http(408), run: (port) => httpAttack(port, 'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n') },
  { name: 'invalid UTF-8 in a text frame', expect: close(1007), run: (port) => framingAttack(port, [clientFrame(Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0x7d]))]) },
  { name: 'an unmasked client frame', expect: close(1002), run: (port) => framingAttack(port, [clientFrame(text('{"type":"leave"}'), { isMasked: false })]) },
  { name: 'reserved bits set', expect: close(1002), run: (port, random) => framingAttack(port, [clientFrame(text('{}'), { rsv: 1 + Math.floor(random() * 7) })]) },
  { name: 'an unknown opcode', expect: close(1002), run: (port, random) => framingAttack(port, [clientFrame(text('{}'), { opcode: [3, 4, 5, 6, 7, 11, 12, 13, 14, 15][Math.floor(random() * 10)] ?? 3 })]) },
  { name: 'a fragmented control frame', expect: close(1002), run: (port) => framingAttack(port, [clientFrame(text('ping'), { opcode: 9, fin: false })]) },
  { name: 'a control frame over 125 bytes', expect: close(1002), run: (port) => framingAttack(port, [clientFrame(Buffer.alloc(126, 1), { opcode: 9 })]) },
  { name: 'a continuation with nothing to continue', expect: close(1002), run: (port) => framingAttack(port, [clientFrame(text('{}'), { opcode: 0 })]) },
  { name: 'a new message inside a fragmented one', expect: close(1002), run: (port) => framingAttack(port, [clientFrame(text('{"ty'), { fin: false }), clientFrame(text('pe'), { opcode: 1 })]) },
  {
    name: 'a frame over 16 KiB',
    expect: close(1009),
    run: async (port) => {
      const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
      client.sendRaw('x'.repeat(16 * 1024 + 1));
      return close((await client.closed).code);
    },
  },
  {
    name: 'refused frames past the strike limit',
    expect: close(4400),
    run: async (port, random) => {
      const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
      for (let index = 0; index < 40 && client.ws.readyState === WebSocket.OPEN; index += 1) client.sendRaw(noise(random, 8).toString('hex'));
      return close((await client.closed).code);
    },
  },
  {
    name: 'a flood past the rate limit',
    expect: close(4429),
    run: async (port) => {
      const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
      for (let index = 0; index < 1_500 && client.ws.readyState === WebSocket.OPEN; index += 1) client.sendRaw('{"type":"leave"}');
      return close((await client.closed).code);
    },
  },
];

/**
 * Runs `rounds` of every connection kind against a relay with `handshakeTimeoutMs` well
 * under WAIT_LIMIT_MS and a rate limit refilled slowly (1 frame/s); returns one line per
 * outcome that was not the expected one.
 */
export async function runConnectionKinds(port: number, random: () => number, rounds: number): Promise<string[]> {
  const failures: string[] = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const kind of CONNECTION_KINDS) {
      let got: ConnectionOutcome | string;
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no outcome within ${KIND_LIMIT_MS} ms`), KIND_LIMIT_MS);
      });
      try {
        got = await Promise.race([kind.run(port, random), limit]);
      } catch (err: unknown) {
        got = err instanceof Error ? err.message : String(err);
      } finally {
        clearTimeout(timer);
      }
      if (typeof got === 'string' || got.kind !== kind.expect.kind || JSON.stringify(got) !== JSON.stringify(kind.expect)) {
        failures.push(`${kind.name}: expected ${JSON.stringify(kind.expect)}, got ${typeof got === 'string' ? got : JSON.stringify(got)}`);
      }
    }
  }
  return failures;
}
