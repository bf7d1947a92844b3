/**
 * The relay's two connections to Redis (node-redis): one for commands and one for
 * pub/sub, which a subscribed connection cannot mix. It owns their lifecycle: connecting
 * in the background (the relay starts and serves its own clients whether or not Redis
 * answers), reconnecting with capped, jittered backoff for as long as the relay runs,
 * saying whether Redis is up, and logging trouble without flooding the log.
 *
 * Commands never wait for a connection: while Redis is down they fail at once
 * (`disableOfflineQueue`); reads go through `timed`, which gives up after a time limit;
 * and the queue of unanswered commands is bounded, so a Redis that hangs cannot make the
 * relay pile up work. Nothing in the relay ever waits on Redis to go on.
 */

import { createClient } from '@redis/client';
import type { Logger } from '../logger.ts';

export type RedisClient = ReturnType<typeof createClient>;

/** Longest wait for a TCP connection to Redis. */
const CONNECT_TIMEOUT_MS = 2_000;
/** Longest wait for a read's reply (`timed`). Not on the signal path: a timer per signal costs too much. */
export const COMMAND_TIMEOUT_MS = 2_000;
/** Commands sent and not yet answered, at most; beyond it commands fail at once. */
const MAX_PENDING_COMMANDS = 100_000;
/** Reconnect backoff: doubling from this… */
const RECONNECT_MIN_MS = 100;
/** …up to this, plus up to 25 % jitter so relays do not reconnect in lockstep. */
const RECONNECT_MAX_MS = 2_000;
/** At most one error line per this interval; the others are counted into the next one. */
const ERROR_LOG_INTERVAL_MS = 30_000;
/** How long `close()` lets pending commands finish before dropping the connections. */
const CLOSE_GRACE_MS = 1_000;

export interface RedisLinkEvents {
  /** Both connections are ready (at first, and after every outage). */
  onUp(): void;
  /** A connection was lost; everything waits for `onUp`. */
  onDown(): void;
}

/** The URL as it may be logged: no user name or password. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    // Config validated it; a URL that no longer parses still must not leak into logs.
    return 'redis://(unparseable)';
  }
}

function reconnectDelayMs(retries: number): number {
  const base = Math.min(RECONNECT_MIN_MS * 2 ** Math.min(retries, 10), RECONNECT_MAX_MS);
  return Math.round(base * (1 + Math.random() * 0.25));
}

export class RedisLink {
  /** Writes and publishes (fire and forget, failures counted). */
  readonly commands: RedisClient;
  /** The same connection, for reads whose answer someone waits for: each gives up after COMMAND_TIMEOUT_MS. */
  readonly timed: RedisClient;
  readonly subscriber: RedisClient;
  private isUpNow = false;
  private isClosed = false;
  private lastErrorLogMs = Number.NEGATIVE_INFINITY;
  private suppressedErrors = 0;
  /** Connection attempts that failed since start (for metrics). */
  failedConnects = 0;
  private readonly where: string;

  constructor(
    url: string,
    private readonly logger: Logger,
    private readonly events: RedisLinkEvents,
  ) {
    this.where = describeRedisUrl(url);
    this.commands = createClient({
      url,
      disableOfflineQueue: true,
      commandsQueueMaxLength: MAX_PENDING_COMMANDS,
      // node-redis times every command out after 5 s by default, with a timer per command;
      // 0 turns that off for writes and publishes (the bounded queue limits them instead).
      commandOptions: { timeout: 0 },
      socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: reconnectDelayMs },
    });
    this.timed = this.commands.withCommandOptions({ timeout: COMMAND_TIMEOUT_MS });
    this.subscriber = this.commands.duplicate();
    for (const [client, role] of [[this.commands, 'commands'], [this.subscriber, 'pub/sub']] as const) {
      // Without an error listener node-redis would throw the error and end the process.
      client.on('error', (err: unknown) => {
        if (!client.isReady) this.failedConnects += 1;
        this.logError(role, err);
        this.update();
      });
      client.on('ready', () => this.update());
      client.on('end', () => this.update());
      client.on('reconnecting', () => this.update());
    }
  }

  /** True while both connections are ready. */
  get isUp(): boolean {
    return this.isUpNow;
  }

  /** Starts connecting in the background; returns at once. */
  start(): void {
    for (const client of [this.commands, this.subscriber]) {
      // connect() settles only once connected (it retries meanwhile) or when closed.
      client.connect().catch((err: unknown) => {
        if (!this.isClosed) this.logError('connect', err);
      });
    }
  }

  /** Lets pending commands finish (briefly), then drops both connections. Idempotent. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.isUpNow = false;
    const clients = [this.commands, this.subscriber];
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_GRACE_MS);
    });
    const closed = Promise.allSettled(clients.map((client) => (client.isReady ? client.close() : Promise.resolve())));
    await Promise.race([closed, grace]);
    clearTimeout(timer);
    for (const client of clients) if (client.isOpen) client.destroy();
  }

  /** Logs a failed command or connection, at most once per interval. */
  logError(what: string, err: unknown): void {
    const now = performance.now();
    if (now - this.lastErrorLogMs < ERROR_LOG_INTERVAL_MS) {
      this.suppressedErrors += 1;
      return;
    }
    this.lastErrorLogMs = now;
    this.logger.warn('redis error', {
      redis: this.where,
      what,
      error: err instanceof Error ? err.message : String(err),
      similarErrorsSuppressed: this.suppressedErrors,
    });
    this.suppressedErrors = 0;
  }

  private update(): void {
    if (this.isClosed) return;
    const isUp = this.commands.isReady && this.subscriber.isReady;
    if (isUp === this.isUpNow) return;
    this.isUpNow = isUp;
    if (isUp) {
      this.logger.info('redis up', { redis: this.where });
      // A fresh outage gets its first error logged at once.
      this.lastErrorLogMs = Number.NEGATIVE_INFINITY;
      this.events.onUp();
    } else {
      this.logger.warn('redis down: serving local clients only until it returns', { redis: this.where });
      this.events.onDown();
    }
  }
}
