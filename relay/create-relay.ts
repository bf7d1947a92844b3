/**
 * The relay server: HTTP (health, metrics, the PWA) and the WebSocket endpoint, with
 * every guard applied before a connection costs anything. The rules themselves live in
 * `RelayHub`; this file owns sockets, timers and the lifecycle.
 */

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { isPeerId, PROTOCOL_VERSION, RELAY_PATH, type PeerId } from '../app/core/protocol.ts';
import { AddressLedger, answerAndClose, requestPathname } from './http-guards.ts';
import { maskIp, silentLogger } from './logger.ts';
import { RelayMetrics } from './metrics.ts';
import type { PresenceRouter } from './presence-router.ts';
import { RelayHub } from './relay-hub.ts';
import { resolveRelayOptions, type RelayOptions } from './relay-options.ts';
import { directorySource, loadStaticTable, serveStatic, type StaticTable } from './static-files.ts';
import { WebSocketPort, type PortLimits } from './websocket-port.ts';

export interface Relay {
  /** Resolves once listening (and the static files are loaded); rejects if it cannot listen. */
  readonly ready: Promise<void>;
  /** The bound address; valid after `ready`. */
  address(): AddressInfo;
  /** Closes every client with 1001, stops listening, and clears every timer. Idempotent. */
  close(): Promise<void>;
  readonly metrics: RelayMetrics;
  readonly hub: RelayHub;
}

/** A socket (HTTP, or a refused handshake) idle this long is destroyed. */
const IDLE_SOCKET_TIMEOUT_MS = 30_000;

/** A fresh peer id: `make()`'s when it is valid and free, else 128 random bits, base64url. */
function newPeerId(isTaken: (id: PeerId) => boolean, make: (() => string) | null): PeerId {
  const made = make?.();
  if (isPeerId(made) && !isTaken(made)) return made;
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (isPeerId(id) && !isTaken(id)) return id;
  }
}

export function createRelay(overrides: Partial<RelayOptions> = {}): Relay {
  const options = resolveRelayOptions(overrides, silentLogger);
  const { logger } = options;
  const startedAtMs = Date.now();
  const connections = new Set<WebSocketPort>();
  const connectionsPerIp = new Map<string, number>();
  /** Every TCP socket, in any state: what `close()` must end whatever happens. */
  const sockets = new Set<Socket>();
  /** Open sockets per peer address (not kept behind a trusted proxy: all come from it). */
  const socketsPerAddress = new AddressLedger();
  /** Sockets opened beyond their address's cap: their request is answered 429. */
  const overCap = new WeakSet<Duplex>();
  let staticTable: StaticTable | null = null;

  const metrics = new RelayMetrics(() => ({
    neartalk_connections: { help: 'Open WebSocket connections.', value: connections.size },
    neartalk_present_peers: { help: 'Clients of this relay present in a cell.', value: hub.cells.memberCount - hub.cells.remoteMemberCount },
    neartalk_cells: { help: 'Home cells with at least one peer.', value: hub.cells.homeCellCount },
    neartalk_watched_prefixes: { help: 'Prefixes watched by at least one peer.', value: hub.cells.watchedPrefixCount },
  }));
  const hub = new RelayHub(options, metrics);
  /** Set before listening when Redis is configured; null: presence stays in this process. */
  let router: PresenceRouter | null = null;
  const portLimits: PortLimits = {
    maxBufferedBytes: options.maxBufferedBytes,
    onSlowReader: (port) => {
      metrics.slowReadersCut.inc();
      logger.info('slow reader cut', { network: maskIp(port.ip), bufferedBytes: port.ws.bufferedAmount });
    },
  };

  const server = createServer(
    {
      // Node cuts a connection whose headers (a handshake's included) are not complete
      // in time with 408, checking every connection at this interval.
      headersTimeout: options.handshakeTimeoutMs,
      requestTimeout: options.handshakeTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(options.handshakeTimeoutMs / 4))),
    },
    (request, response) => handleHttp(request, response),
  );
  // A response a client stops reading (a large app file) must not hold the socket for
  // ever; WebSockets clear it on upgrade and live by the heartbeat instead.
  server.setTimeout(IDLE_SOCKET_TIMEOUT_MS);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    const address = socket.remoteAddress ?? 'unknown';
    const isCounted = !options.trustProxy;
    if (isCounted && socketsPerAddress.add(address) > options.maxConnectionsPerIp) overCap.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      if (isCounted) socketsPerAddress.remove(address);
    });
  });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });

  function refuseHttp(response: ServerResponse, status: number, message: string): void {
    response.shouldKeepAlive = false;
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
    response.end(`${message}\n`);
  }

  function handleHttp(request: IncomingMessage, response: ServerResponse): void {
    const pathname = requestPathname(request.url);
    if (pathname === null) return refuseHttp(response, 400, 'Malformed request target.');
    if (overCap.has(request.socket)) {
      metrics.connectionsRejected.inc('Too Many Requests');
      return refuseHttp(response, 429, 'Too many connections from your address.');
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Method not allowed.\n');
      return;
    }
    if (pathname === '/health') {
      // Without Redis the relay still serves its own clients: `degraded`, yet 200 so a load
      // balancer keeps it (every relay shares the outage).
      const shared = router?.health() ?? null;
      response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      response.end(
        JSON.stringify({
          status: shared?.redis === 'down' ? 'degraded' : 'ok',
          protocol: PROTOCOL_VERSION,
          connections: connections.size,
          peers: hub.cells.memberCount - hub.cells.remoteMemberCount,
          cells: hub.cells.homeCellCount,
          uptimeSeconds: Math.round((Date.now() - startedAtMs) / 1000),
          ...(shared === null ? {} : { redis: shared.redis, remotePeers: hub.cells.remoteMemberCount }),
        }),
      );
      return;
    }
    if (pathname === '/metrics') {
      response.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
      response.end(metrics.render() + (router?.metricsText() ?? ''));
      return;
    }
    if (staticTable !== null && serveStatic(staticTable, request, response, pathname)) return;
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(staticTable === null ? 'This relay serves no app. WebSocket endpoint: /ws\n' : 'Not found.\n');
  }

  function clientIp(request: IncomingMessage): string {
    if (options.trustProxy) {
      const forwarded = request.headers['x-forwarded-for'];
      const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').pop()?.trim();
      if (last) return last;
    }
    return request.socket.remoteAddress ?? 'unknown';
  }

  function isOriginAllowed(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    if (origin === undefined || options.allowedOrigins === '*') return true;
    if (options.allowedOrigins.length > 0) return options.allowedOrigins.includes(origin);
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      // An Origin header that is not a URL matches nothing.
      return false;
    }
  }

  function rejectHandshake(socket: Duplex, status: number, reason: string, message: string): void {
    metrics.connectionsRejected.inc(reason);
    answerAndClose(socket, status, reason, message);
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err: Error) => logger.debug('handshake socket error', { error: err.message }));
    const pathname = requestPathname(request.url);
    const ip = clientIp(request);
    if (pathname === null) return rejectHandshake(socket, 400, 'Bad Request', 'Malformed request target.');
    // RFC 6455 4.1: the opening handshake is an HTTP/1.1 (or later) GET.
    if (request.httpVersionMajor < 1 || (request.httpVersionMajor === 1 && request.httpVersionMinor < 1)) {
      return rejectHandshake(socket, 400, 'Bad Request', 'A WebSocket handshake needs HTTP/1.1.');
    }
    if (overCap.has(socket)) {
      logger.info('per-ip cap reached', { network: maskIp(ip) });
      return rejectHandshake(socket, 429, 'Too Many Requests', 'Too many connections from your address.');
    }
    if (pathname !== RELAY_PATH) return rejectHandshake(socket, 404, 'Not Found', `The relay listens at ${RELAY_PATH}.`);
    if (!isOriginAllowed(request)) {
      logger.info('origin refused', { origin: String(request.headers.origin).slice(0, 200) });
      return rejectHandshake(socket, 403, 'Forbidden', 'This origin may not use this relay.');
    }
    if (connections.size >= options.maxConnections) {
      return rejectHandshake(socket, 503, 'Service Unavailable', 'The relay is full; try again later.');
    }
    const fromIp = connectionsPerIp.get(ip) ?? 0;
    if (fromIp >= options.maxConnectionsPerIp) {
      logger.info('per-ip cap reached', { network: maskIp(ip) });
      return rejectHandshake(socket, 429, 'Too Many Requests', 'Too many connections from your address.');
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, socket, ip));
  });

  function accept(ws: WebSocket, socket: Duplex, ip: string): void {
    connectionsPerIp.set(ip, (connectionsPerIp.get(ip) ?? 0) + 1);
    const port = new WebSocketPort(ws, socket, ip, portLimits);
    const client = hub.connect(
      newPeerId((candidate) => hub.hasClient(candidate), options.newPeerId),
      port,
    );
    connections.add(port);
    logger.debug('client connected', { network: maskIp(ip), connections: connections.size });

    ws.on('message', (data, isBinary) => {
      if (isBinary) hub.receiveBinary(client);
      else hub.receive(client, data.toString());
    });
    ws.on('pong', () => {
      port.isAlive = true;
    });
    ws.on('error', (err: Error) => logger.debug('client socket error', { error: err.message }));
    ws.on('close', (code: number) => {
      metrics.connectionsClosed.inc(String(code));
      connections.delete(port);
      const remaining = (connectionsPerIp.get(ip) ?? 1) - 1;
      if (remaining <= 0) connectionsPerIp.delete(ip);
      else connectionsPerIp.set(ip, remaining);
      hub.disconnect(client);
    });
  }

  // One timer for all sockets: a socket that missed the last ping is dead.
  const heartbeat = setInterval(() => {
    for (const connection of connections) {
      if (!connection.isAlive) {
        metrics.heartbeatTimeouts.inc();
        connection.ws.terminate();
        continue;
      }
      connection.isAlive = false;
      connection.ws.ping();
    }
  }, options.heartbeatMs);
  heartbeat.unref();

  // One timer for every client's TURN credentials (none without TURN): see IceServerIssuer.
  const renewalIntervalMs = hub.iceRenewalIntervalMs;
  const iceRenewal = renewalIntervalMs === null ? undefined : setInterval(() => hub.renewIceServers(), renewalIntervalMs);
  iceRenewal?.unref();

  let closing: Promise<void> | null = null;
  const ready = (async () => {
    const source = options.staticSource ?? (options.staticDir === null ? null : directorySource(options.staticDir));
    if (source !== null) staticTable = await loadStaticTable(source);
    if (options.redisUrl !== null) {
      // Loaded only here: a relay without Redis never pays for a Redis client.
      const { createRedisRouter } = await import('./redis/redis-router.ts');
      if (closing !== null) return;
      router = createRedisRouter(hub, { url: options.redisUrl, presenceTtlMs: options.redisPresenceTtlMs, logger });
      hub.useRouter(router);
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err: Error) => logger.error('server error', { error: err.message }));
  })();
  // Callers await `ready`; this keeps an unobserved failure from becoming an unhandled rejection.
  ready.catch(() => undefined);

  function close(): Promise<void> {
    closing ??= (async () => {
      clearInterval(heartbeat);
      clearInterval(iceRenewal);
      hub.dispose();
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      const allClosed = [...connections].map(
        ({ ws }) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.close(1001, 'relay shutting down');
          }),
      );
      let graceTimer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        graceTimer = setTimeout(resolve, options.shutdownGraceMs);
      });
      await Promise.race([Promise.all(allClosed), grace]);
      clearTimeout(graceTimer);
      for (const { ws } of connections) ws.terminate();
      server.closeAllConnections();
      // Sockets the HTTP server no longer tracks (handshakes being refused) end too.
      for (const socket of sockets) socket.destroy();
      await serverClosed;
      wss.close();
      // After the clients: their departures still reach the other relays.
      await router?.close();
    })();
    return closing;
  }

  return {
    ready,
    address: () => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('the relay is not listening yet');
      return address;
    },
    close,
    metrics,
    hub,
  };
}
