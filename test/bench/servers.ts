/**
 * How each compared server is launched for each test: the same machine, core, Node and
 * `ws` version for all three; only the limits a test would otherwise trip over are raised,
 * and every such change is listed in `SERVER_NOTES` so the report states it.
 */

import type { ServerKind } from './bench-config.ts';
import { freePort, ServerProcess, type LaunchSpec, type ProcessTracker } from './server-process.ts';

/** Which test a server is started for: limits differ between a flood and a realistic load. */
export type ServerPurpose = 'idle' | 'throughput' | 'latency' | 'presence';

/** Idle tests hold 10k sockets from one address; every cap must sit above that. */
const CONNECTION_CAP = 20_000;
/** A rate limit no flood in the throughput test reaches: it measures raw forwarding. */
const UNLIMITED_RATE = 1_000_000;

/**
 * y-webrtc's server calls `server.listen(port)`, which binds every interface; it has no host
 * option. This preload pins a bare-port listen to 127.0.0.1 so the bench never opens a
 * port beyond loopback. It runs once at startup and costs nothing per connection.
 */
const LOOPBACK_PRELOAD =
  'data:text/javascript,' +
  encodeURIComponent(
    "import net from 'node:net';" +
      'const listen = net.Server.prototype.listen;' +
      'net.Server.prototype.listen = function (port, ...rest) {' +
      "  const isBarePort = typeof port === 'number' || (typeof port === 'string' && /^\\d+$/.test(port));" +
      "  return isBarePort && rest.length === 0 ? listen.call(this, Number(port), '127.0.0.1') : listen.call(this, port, ...rest);" +
      '};',
  );

/** What was changed from each server's defaults, per test, for the report. */
export const SERVER_NOTES: Readonly<Record<ServerKind, string>> = {
  neartalk:
    `node --import tsx relay/main.ts; --max-connections and --max-connections-per-ip ${CONNECTION_CAP}; ` +
    `throughput test only: --rate-limit-burst and --rate-limit-per-second ${UNLIMITED_RATE} (raw forwarding); ` +
    'latency, presence and crowd tests keep the default rate limits',
  'y-webrtc':
    'node node_modules/y-webrtc/bin/server.js (PORT env), with a preload that binds its bare-port listen() to 127.0.0.1',
  peerjs:
    `node node_modules/peer/dist/bin/peerjs.js --host 127.0.0.1 --concurrent_limit ${CONNECTION_CAP} ` +
    '--alive_timeout 600000 (bench clients send no HEARTBEAT; the default 60 s would drop idle ones mid-test)',
};

export interface StartOptions {
  /** Open the V8 inspector on a random loopback port (to force GC and read the heap). */
  readonly isInspectable: boolean;
  /** More command-line flags for the server (the scale-out bench passes --redis-url). */
  readonly extraArgs?: readonly string[];
}

/** Starts `kind` on a free port, pinned to the server core, ready for `purpose`. */
export async function startServer(
  kind: ServerKind,
  purpose: ServerPurpose,
  tracker: ProcessTracker,
  options: StartOptions,
): Promise<ServerProcess> {
  const port = await freePort();
  const inspect = options.isInspectable ? ['--inspect=127.0.0.1:0'] : [];
  const spec = launchSpec(kind, purpose, port, inspect);
  return ServerProcess.start({ ...spec, args: [...spec.args, ...(options.extraArgs ?? [])] }, tracker);
}

function launchSpec(kind: ServerKind, purpose: ServerPurpose, port: number, inspect: readonly string[]): LaunchSpec {
  switch (kind) {
    case 'neartalk': {
      const caps = ['--max-connections', String(CONNECTION_CAP), '--max-connections-per-ip', String(CONNECTION_CAP)];
      const rates =
        purpose === 'throughput'
          ? ['--rate-limit-burst', String(UNLIMITED_RATE), '--rate-limit-per-second', String(UNLIMITED_RATE)]
          : [];
      return {
        label: 'NearTalk relay',
        nodeArgs: [...inspect, '--import', 'tsx'],
        script: 'relay/main.ts',
        args: ['--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn', ...caps, ...rates],
        env: {},
        port,
        healthPath: '/health',
      };
    }
    case 'y-webrtc':
      return {
        label: 'y-webrtc server',
        nodeArgs: [...inspect, '--import', LOOPBACK_PRELOAD],
        script: 'node_modules/y-webrtc/bin/server.js',
        args: [],
        env: { PORT: String(port) },
        port,
        healthPath: '/',
      };
    case 'peerjs':
      return {
        label: 'PeerJS server',
        nodeArgs: [...inspect],
        script: 'node_modules/peer/dist/bin/peerjs.js',
        args: [
          '--port', String(port),
          '--host', '127.0.0.1',
          '--concurrent_limit', String(CONNECTION_CAP),
          '--alive_timeout', '600000',
        ],
        env: {},
        port,
        healthPath: '/',
      };
    default:
      return kind satisfies never;
  }
}
