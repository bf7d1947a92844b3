/**
 * Checks every request passes before the relay looks at it: a request target that does
 * not parse, and the per-address count of open sockets (pending handshakes, HTTP requests
 * and WebSockets alike). Nothing here throws on client input.
 */

import type { Duplex } from 'node:stream';

/**
 * The path of a request target (`/ws`, `/health?x`, or an absolute `http://host/ws`),
 * normalized as `URL` does; null when it is not a target a URL can be made of
 * (`http://[/ws`, `//[/ws`, a port out of range): such a request is answered 400.
 */
export function requestPathname(target: string | undefined): string | null {
  if (target === undefined || target === '') return null;
  try {
    return new URL(target, 'http://relay.invalid').pathname;
  } catch {
    // `new URL` throws a TypeError for every malformed target; the caller answers 400.
    return null;
  }
}

/** Open sockets per address, so that one address cannot hold more than its share. */
export class AddressLedger {
  private readonly counts = new Map<string, number>();

  /** Sockets open from `address`. */
  count(address: string): number {
    return this.counts.get(address) ?? 0;
  }

  /** Counts one more socket from `address`; returns the new count. */
  add(address: string): number {
    const count = this.count(address) + 1;
    this.counts.set(address, count);
    return count;
  }

  /** Forgets one socket from `address`; the entry goes when its count reaches zero. */
  remove(address: string): void {
    const count = this.count(address) - 1;
    if (count <= 0) this.counts.delete(address);
    else this.counts.set(address, count);
  }

  /** Addresses with at least one socket. */
  get size(): number {
    return this.counts.size;
  }
}

/**
 * Answers a request on a raw socket with `status` and closes it (a handshake refusal, or
 * any request the HTTP layer is not given). Destroyed once written, as `ws` does:
 * the HTTP server allows half-open sockets, and a client that never closes its side
 * must not keep one.
 */
export function answerAndClose(socket: Duplex, status: number, reason: string, message: string): void {
  const body = `${message}\n`;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
