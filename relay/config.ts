/**
 * Command-line flags and environment variables → relay options. Every flag has an
 * environment twin in UPPER_SNAKE_CASE (`--max-connections` ↔ `MAX_CONNECTIONS`); a flag
 * wins over its variable. A bad value is a `ConfigError` naming the flag.
 */

import { parseArgs } from 'node:util';
import { parseIceServer } from '../app/core/parse-relay-frame.ts';
import { isJsonObject, parseJson } from '../app/core/json.ts';
import type { IceServer } from '../app/core/protocol.ts';
import { LOG_LEVELS, type LogLevel } from './logger.ts';
import { DEFAULT_RELAY_OPTIONS, INTEGER_OPTION_RANGES, isRedisUrl, type IntegerOption, type RelayOptions } from './relay-options.ts';
import { DEFAULT_TURN_TTL_SECONDS, isTurnUrl, TURN_TTL_RANGE_SECONDS, type TurnOptions } from './turn-credentials.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** What the command line asks for: relay options, plus what only `main` acts on. */
export interface RelayConfig {
  readonly options: Partial<RelayOptions>;
  readonly logLevel: LogLevel;
  readonly showHelp: boolean;
  readonly showVersion: boolean;
  /** `--no-app`: serve no app at all, not even the one built into the single binary. */
  readonly isAppDisabled: boolean;
}

interface FlagSpec {
  readonly flag: string;
  readonly kind: 'integer' | 'string' | 'boolean';
  readonly help: string;
  /** For whole numbers: the option whose range (INTEGER_OPTION_RANGES) applies. */
  readonly option?: IntegerOption;
  /** For whole numbers that are not a relay option of their own: their range. */
  readonly range?: readonly [number, number];
}

const FLAGS: readonly FlagSpec[] = [
  { flag: 'port', kind: 'integer', option: 'port', help: `TCP port, 0 for any free one (default ${DEFAULT_RELAY_OPTIONS.port})` },
  { flag: 'host', kind: 'string', help: `interface to listen on (default ${DEFAULT_RELAY_OPTIONS.host}; 0.0.0.0 for all)` },
  { flag: 'allowed-origins', kind: 'string', help: 'comma-separated browser origins allowed to connect, or * (default: the relay\'s own origin)' },
  { flag: 'max-connections', kind: 'integer', option: 'maxConnections', help: `most WebSocket connections (default ${DEFAULT_RELAY_OPTIONS.maxConnections})` },
  { flag: 'max-connections-per-ip', kind: 'integer', option: 'maxConnectionsPerIp', help: `most connections from one address (default ${DEFAULT_RELAY_OPTIONS.maxConnectionsPerIp})` },
  { flag: 'max-payload-bytes', kind: 'integer', option: 'maxPayloadBytes', help: `largest frame accepted (default ${DEFAULT_RELAY_OPTIONS.maxPayloadBytes})` },
  { flag: 'rate-limit-burst', kind: 'integer', option: 'rateLimitBurst', help: `frames a client may send in a burst (default ${DEFAULT_RELAY_OPTIONS.rateLimitBurst})` },
  { flag: 'rate-limit-per-second', kind: 'integer', option: 'rateLimitPerSecond', help: `sustained frames per second per client (default ${DEFAULT_RELAY_OPTIONS.rateLimitPerSecond})` },
  { flag: 'max-bad-frames-per-minute', kind: 'integer', option: 'maxBadFramesPerMinute', help: `refused frames tolerated per minute before closing (default ${DEFAULT_RELAY_OPTIONS.maxBadFramesPerMinute})` },
  { flag: 'max-buffered-bytes', kind: 'integer', option: 'maxBufferedBytes', help: `bytes buffered for a slow client before cutting it (default ${DEFAULT_RELAY_OPTIONS.maxBufferedBytes})` },
  { flag: 'presence-burst', kind: 'integer', option: 'presenceBurst', help: `joins and leaves a client may send at once; more are held, the latest kept (default ${DEFAULT_RELAY_OPTIONS.presenceBurst})` },
  { flag: 'presence-per-minute', kind: 'integer', option: 'presencePerMinute', help: `sustained joins and leaves per minute per client (default ${DEFAULT_RELAY_OPTIONS.presencePerMinute})` },
  { flag: 'max-queued-bytes', kind: 'integer', option: 'maxQueuedBytes', help: `bytes of broadcasts waiting for all sockets before presence changes are held (default ${DEFAULT_RELAY_OPTIONS.maxQueuedBytes})` },
  { flag: 'handshake-timeout-ms', kind: 'integer', option: 'handshakeTimeoutMs', help: `time a connection has to send its request headers or handshake (default ${DEFAULT_RELAY_OPTIONS.handshakeTimeoutMs})` },
  { flag: 'heartbeat-ms', kind: 'integer', option: 'heartbeatMs', help: `ping interval; dead sockets drop after two (default ${DEFAULT_RELAY_OPTIONS.heartbeatMs})` },
  { flag: 'ice-servers', kind: 'string', help: 'JSON list of ICE servers handed to clients, e.g. [{"urls":"stun:stun.example.org"}] (default [])' },
  { flag: 'turn-url', kind: 'string', help: 'comma-separated turn: or turns: URLs of a coturn using use-auth-secret; needs --turn-secret' },
  { flag: 'turn-secret', kind: 'string', help: 'the secret shared with coturn (static-auth-secret); prefer the variable, flags show in ps' },
  { flag: 'turn-ttl', kind: 'integer', range: TURN_TTL_RANGE_SECONDS, help: `seconds a TURN credential lasts; renewed after half (default ${DEFAULT_TURN_TTL_SECONDS})` },
  { flag: 'static-dir', kind: 'string', help: 'directory of the built PWA to serve at / (default: the binary\'s own copy, else no app)' },
  { flag: 'no-app', kind: 'boolean', help: 'serve only the relay, no app (when the PWA is hosted elsewhere, e.g. on a CDN)' },
  { flag: 'trust-proxy', kind: 'boolean', help: 'take client addresses from X-Forwarded-For (behind nginx or Caddy)' },
  { flag: 'redis-url', kind: 'string', help: 'redis:// URL shared by several relays: presence and signals cross relays (default: none, presence in memory)' },
  { flag: 'redis-presence-ttl-ms', kind: 'integer', option: 'redisPresenceTtlMs', help: `with Redis: a dead relay's peers vanish elsewhere within 4/3 of this (default ${DEFAULT_RELAY_OPTIONS.redisPresenceTtlMs})` },
  { flag: 'log-level', kind: 'string', help: `${LOG_LEVELS.join(' | ')} (default info)` },
];

const envName = (flag: string): string => flag.toUpperCase().replaceAll('-', '_');
const camelName = (flag: string): string => flag.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());

/** The `--help` text. */
export function helpText(): string {
  const rows = FLAGS.map(({ flag, kind, help }) => {
    const left = `  --${flag}${kind === 'boolean' ? '' : ` <${kind === 'integer' ? 'n' : 'value'}>`}`;
    return `${left.padEnd(34)} ${help} [${envName(flag)}]`;
  });
  return [
    'Usage: neartalk-relay [flags]',
    '',
    'The NearTalk relay: geohash-cell presence and WebRTC signal forwarding, and the PWA',
    '(built into the binary, or from --static-dir). Every flag can also be set by the',
    'environment variable shown.',
    '',
    ...rows,
    `${'  --help'.padEnd(34)} show this text`,
    `${'  --version'.padEnd(34)} print the version`,
    '',
  ].join('\n');
}

/** Reads flags (`argv` without node and script) and `env`; throws ConfigError on any bad value. */
export function parseRelayConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): RelayConfig {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(FLAGS.map(({ flag, kind }) => [flag, { type: kind === 'boolean' ? 'boolean' : 'string' } as const])),
        help: { type: 'boolean' },
        version: { type: 'boolean' },
      },
    });
  } catch (err: unknown) {
    throw new ConfigError(err instanceof Error ? err.message : String(err));
  }
  const options: Record<string, unknown> = {};
  let logLevel: LogLevel = 'info';
  for (const spec of FLAGS) {
    const fromFlag = parsed.values[spec.flag];
    const raw = Array.isArray(fromFlag) ? fromFlag.at(-1) : (fromFlag ?? env[envName(spec.flag)]);
    if (raw === undefined) continue;
    const source = fromFlag === undefined ? `${envName(spec.flag)}` : `--${spec.flag}`;
    const value = readValue(spec, raw, source);
    if (spec.flag === 'log-level') logLevel = readLogLevel(String(value), source);
    else options[camelName(spec.flag)] = value;
  }
  const turn = takeTurn(options);
  if (turn !== null) options['turn'] = turn;
  const isAppDisabled = options['noApp'] === true;
  delete options['noApp'];
  if (isAppDisabled && options['staticDir'] !== undefined) {
    throw new ConfigError('--no-app (NO_APP) and --static-dir (STATIC_DIR) contradict each other: choose one');
  }
  return {
    options: options as Partial<RelayOptions>,
    logLevel,
    showHelp: parsed.values['help'] === true,
    showVersion: parsed.values['version'] === true,
    isAppDisabled,
  };
}

/** Moves the three TURN values out of `options` into one TurnOptions; null when none is set. */
function takeTurn(options: Record<string, unknown>): TurnOptions | null {
  const { turnUrl: urls, turnSecret: secret, turnTtl: ttlSeconds } = options;
  delete options['turnUrl'];
  delete options['turnSecret'];
  delete options['turnTtl'];
  if (urls === undefined && secret === undefined) {
    if (ttlSeconds !== undefined) throw new ConfigError('--turn-ttl (TURN_TTL) applies only with --turn-url and --turn-secret');
    return null;
  }
  if (urls === undefined) throw new ConfigError('--turn-secret (TURN_SECRET) needs --turn-url (TURN_URL): where the TURN server is');
  if (secret === undefined) {
    throw new ConfigError('--turn-url (TURN_URL) needs --turn-secret (TURN_SECRET), the secret shared with coturn; for a TURN server with fixed credentials use --ice-servers');
  }
  if (!Array.isArray(urls) || typeof secret !== 'string') throw new Error('readValue returns a URL list and a string for TURN');
  return { urls, secret, ttlSeconds: typeof ttlSeconds === 'number' ? ttlSeconds : DEFAULT_TURN_TTL_SECONDS };
}

function readValue(spec: FlagSpec, raw: string | boolean, source: string): unknown {
  if (spec.kind === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (['1', 'true', 'yes'].includes(raw)) return true;
    if (['0', 'false', 'no', ''].includes(raw)) return false;
    throw new ConfigError(`${source} must be true or false, got "${raw}"`);
  }
  if (typeof raw !== 'string') throw new ConfigError(`${source} needs a value`);
  switch (spec.flag) {
    case 'allowed-origins':
      return readOrigins(raw, source);
    case 'ice-servers':
      return readIceServers(raw, source);
    case 'turn-url':
      return readTurnUrls(raw, source);
    case 'turn-secret':
      if (raw === '') throw new ConfigError(`${source} must not be empty`);
      return raw;
    case 'redis-url':
      // An empty REDIS_URL (a template's placeholder) means none, like an absent one.
      if (raw.trim() === '') return null;
      if (!isRedisUrl(raw.trim())) throw new ConfigError(`${source} must be a URL like redis://127.0.0.1:6379 (redis: or rediss:)`);
      return raw.trim();
    case 'static-dir':
    case 'host':
      if (raw.trim() === '') throw new ConfigError(`${source} must not be empty`);
      return raw;
    default:
      break;
  }
  if (spec.kind === 'string') return raw;
  const number = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  const [min, max] = spec.range ?? (spec.option === undefined ? [0, Number.MAX_SAFE_INTEGER] : INTEGER_OPTION_RANGES[spec.option]);
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new ConfigError(`${source} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return number;
}

function readOrigins(raw: string, source: string): '*' | string[] {
  if (raw.trim() === '*') return '*';
  const origins = raw.split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(`${source}: "${origin}" is not an origin like https://neartalk.example (scheme and host, no path)`);
    }
  }
  return origins;
}

function readIceServers(raw: string, source: string): IceServer[] {
  const value = parseJson(raw);
  if (!Array.isArray(value)) throw new ConfigError(`${source} must be a JSON list of ICE servers`);
  return value.map((item, index) => {
    const server = isJsonObject(item) ? parseIceServer(item) : null;
    if (server === null) {
      throw new ConfigError(`${source}: entry ${index} needs "urls" (stun:, stuns:, turn: or turns: URLs) and string username/credential`);
    }
    return server;
  });
}

function readTurnUrls(raw: string, source: string): string[] {
  const urls = raw.split(',').map((url) => url.trim()).filter((url) => url !== '');
  if (urls.length === 0) throw new ConfigError(`${source} must name at least one turn: or turns: URL`);
  for (const url of urls) {
    if (!isTurnUrl(url)) {
      throw new ConfigError(`${source}: "${url}" is not a TURN URL like turn:turn.example:3478 (STUN servers go in --ice-servers)`);
    }
  }
  return urls;
}

function readLogLevel(raw: string, source: string): LogLevel {
  const level = LOG_LEVELS.find((candidate) => candidate === raw);
  if (level === undefined) throw new ConfigError(`${source} must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return level;
}
