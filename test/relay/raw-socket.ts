/**
 * Raw TCP to the relay, below `ws` and the HTTP client: for malformed requests and
 * WebSocket framing errors no well-behaved client can send. Every wait is bounded.
 */

import { connect, type Socket } from 'node:net';
import { WAIT_LIMIT_MS } from './relay-harness.ts';

/** A valid WebSocket handshake's headers after the request line. */
export const UPGRADE_HEADERS =
  'Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

export interface RawExchange {
  /** Everything the relay wrote before closing, as latin1 text (bytes preserved). */
  readonly text: string;
  readonly bytes: Buffer;
}

export class RawSocket {
  private readonly chunks: Buffer[] = [];
  readonly closed: Promise<void>;
  private isClosed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.chunks.push(chunk));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        resolve();
      }),
    );
  }

  static async open(port: number): Promise<RawSocket> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawSocket(socket);
  }

  get hasClosed(): boolean {
    return this.isClosed;
  }

  get received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Waits until the relay closes the socket (fails after WAIT_LIMIT_MS, or `limitMs`). */
  async untilClosed(limitMs = WAIT_LIMIT_MS): Promise<RawExchange> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the relay kept the socket open; it sent ${JSON.stringify(this.received.toString('latin1').slice(0, 120))}`)), limitMs);
    });
    try {
      await Promise.race([this.closed, limit]);
    } finally {
      clearTimeout(timer);
      this.socket.destroy();
    }
    const bytes = this.received;
    return { bytes, text: bytes.toString('latin1') };
  }

  /** Waits until `predicate` holds for what was received so far (fails after WAIT_LIMIT_MS). */
  async until(predicate: (received: Buffer) => boolean, what: string): Promise<Buffer> {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    while (!predicate(this.received)) {
      if (this.isClosed || Date.now() > deadline) throw new Error(`never received ${what}; got ${JSON.stringify(this.received.toString('latin1').slice(0, 120))}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return this.received;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** The HTTP status of a response, or 0. */
export function statusOf(text: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3}) /.exec(text)?.[1] ?? 0);
}

/** A masked client → server WebSocket frame (RFC 6455 5.2); every field may be made wrong. */
export function clientFrame(
  payload: Buffer,
  options: { opcode?: number; fin?: boolean; rsv?: number; isMasked?: boolean; mask?: Buffer } = {},
): Buffer {
  const { opcode = 1, fin = true, rsv = 0, isMasked = true } = options;
  const mask = options.mask ?? Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const head = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)];
  const maskBit = isMasked ? 0x80 : 0;
  let length: Buffer;
  if (payload.length < 126) length = Buffer.from([maskBit | payload.length]);
  else if (payload.length < 65_536) {
    length = Buffer.alloc(3);
    length[0] = maskBit | 126;
    length.writeUInt16BE(payload.length, 1);
  } else {
    length = Buffer.alloc(9);
    length[0] = maskBit | 127;
    length.writeBigUInt64BE(BigInt(payload.length), 1);
  }
  const body = Buffer.from(payload);
  if (isMasked) for (let index = 0; index < body.length; index += 1) body[index] = (body[index] ?? 0) ^ (mask[index % 4] ?? 0);
  return Buffer.concat([Buffer.from(head), length, isMasked ? mask : Buffer.alloc(0), body]);
}

/**
 * The close code of the first close frame the relay sent after its 101 response, or null.
 * Server frames are unmasked; the 101 response ends with an empty line.
 */
export function closeCodeOf(bytes: Buffer): number | null {
  const headerEnd = bytes.indexOf('\r\n\r\n');
  let at = headerEnd < 0 ? 0 : headerEnd + 4;
  while (at + 2 <= bytes.length) {
    const opcode = (bytes[at] ?? 0) & 0x0f;
    let length = (bytes[at + 1] ?? 0) & 0x7f;
    let start = at + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(start);
      start += 2;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(start));
      start += 8;
    }
    if (opcode === 8) return length >= 2 ? bytes.readUInt16BE(start) : 1005;
    at = start + length;
  }
  return null;
}

/** Opens a raw WebSocket (handshake done, 101 seen) for sending hand-made frames. */
export async function openRawWebSocket(port: number): Promise<RawSocket> {
  const raw = await RawSocket.open(port);
  raw.write(`GET /ws HTTP/1.1\r\n${UPGRADE_HEADERS}`);
  await raw.until((received) => received.includes('\r\n\r\n'), 'the 101 response');
  if (statusOf(raw.received.toString('latin1')) !== 101) throw new Error(`handshake refused: ${raw.received.toString('latin1').slice(0, 60)}`);
  return raw;
}
