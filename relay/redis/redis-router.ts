/**
 * Presence and signals shared between relays through Redis (`--redis-url`).
 *
 * - Presence: each relay follows only the precision-5 cells its clients watch: it
 *   subscribes to their presence channels and loads their snapshots; it publishes its own
 *   clients' joins, moves and leaves on their cells' channels and keeps them in its
 *   snapshot slices. Peers of other relays go into the hub's CellIndex, so every frame
 *   and rule is the same as on one relay.
 * - Signals: a signal for a peer held elsewhere is published on that relay's channel,
 *   found through presence or the peer directory (one lookup per peer, then cached); the
 *   relay holding the peer applies the rules and answers refusals on the sender's relay's
 *   channel (`remote-signals.ts`).
 * - Liveness: every relay refreshes its keys each heartbeat (a third of the presence
 *   TTL) and checks that the relays whose peers it shows are still alive; the peers of a
 *   relay that stopped refreshing vanish within TTL + one heartbeat.
 * - Redis down: local service goes on; after a TTL without Redis the other relays' peers
 *   are dropped; when Redis returns this relay rewrites its part, asks the others to
 *   reload it, and reloads every cell it follows.
 */

import { randomBytes } from 'node:crypto';
import type { PeerId } from '../../app/core/protocol.ts';
import type { Logger } from '../logger.ts';
import type { PresenceRouter, RouterEvents, RouterHealth } from '../presence-router.ts';
import { LocalMembers, RemoteMembers, watchedCellsOf, type LocalMember } from './member-tables.ts';
import { CellSubscriptions } from './cell-subscriptions.ts';
import {
  cellOf,
  cellOfPresenceChannel,
  isRelayId,
  peerKey,
  presenceChannel,
  relayAliveKey,
  signalChannel,
  type RelayId,
} from './redis-keys.ts';
import { RedisLink } from './redis-link.ts';
import { RedisMetrics } from './redis-metrics.ts';
import { RemoteSignals } from './remote-signals.ts';
import {
  encodePresenceEvent,
  parsePresenceEvent,
  signalHeaderPrefix,
  type PresenceEntry,
  type PresenceEvent,
} from './redis-messages.ts';
import { deleteEntry, readCellSnapshot, refreshSlices, rewriteSlices, writeEntry, type RedisBatch } from './redis-snapshot.ts';

export interface RedisRouterOptions {
  /** `redis://` or `rediss://` URL. */
  readonly url: string;
  /** How long a relay's presence outlives its last heartbeat; heartbeats come every third of it. */
  readonly presenceTtlMs: number;
  readonly logger: Logger;
}

/** The directory (peer → relay) expires far later than presence: a stale entry only costs a refusal. */
const DIRECTORY_TTL_MS = 60_000;
/** A snapshot load that has not finished by then is given up (the join is answered anyway). */
const LOAD_TIMEOUT_MS = 2_000;

function newRelayId(): RelayId {
  for (;;) {
    const id = randomBytes(9).toString('base64url');
    if (isRelayId(id)) return id;
  }
}

export class RedisRouter implements PresenceRouter {
  readonly relay: RelayId = newRelayId();
  readonly metrics: RedisMetrics;
  private readonly link: RedisLink;
  private readonly local = new LocalMembers();
  private readonly remote = new RemoteMembers();
  private readonly cells = new CellSubscriptions();
  private readonly signals: RemoteSignals;
  /** Cells whose slice in Redis may be out of date (written while down, or a write failed). */
  private readonly dirtyCells = new Set<string>();
  private readonly loadTimers = new Set<NodeJS.Timeout>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly heartbeatMs: number;
  private beats = 0;
  private downSinceMs: number | null = performance.now();
  private isClosed = false;

  constructor(
    private readonly events: RouterEvents,
    private readonly options: RedisRouterOptions,
  ) {
    this.heartbeatMs = Math.max(1, Math.floor(options.presenceTtlMs / 3));
    this.metrics = new RedisMetrics(() => ({
      isUp: this.link.isUp,
      followedCells: this.cells.size,
      remotePeers: this.remote.size,
      failedConnects: this.link.failedConnects,
    }));
    this.link = new RedisLink(options.url, options.logger, { onUp: () => this.recover(), onDown: () => this.lose() });
    this.signals = new RemoteSignals(this.relay, this.link, this.local, this.remote, events, this.metrics, (what, err) =>
      this.commandFailed(what, err),
    );
    this.heartbeat = setInterval(() => this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
    options.logger.info('redis scale-out', { relay: this.relay, presenceTtlMs: options.presenceTtlMs });
    this.link.start();
  }

  // ---- PresenceRouter ----------------------------------------------------------

  announce(id: PeerId, home: string, watch: readonly string[]): void {
    const entry: PresenceEntry = { home, watch };
    const member: LocalMember = {
      home,
      watch,
      cell: cellOf(home),
      watchedCells: watchedCellsOf(watch),
      headerPrefix: signalHeaderPrefix(this.relay, id, entry),
    };
    const previous = this.local.set(id, member);
    // Follow the new cells before dropping the old, so an unchanged cell is never reloaded.
    for (const cell of this.cells.add(member.watchedCells)) this.follow(cell);
    for (const cell of this.cells.remove(previous?.watchedCells ?? [])) this.unfollow(cell);

    const cellsTouched = previous === undefined || previous.cell === member.cell ? [member.cell] : [previous.cell, member.cell];
    if (!this.link.isUp) {
      for (const cell of cellsTouched) this.dirtyCells.add(cell);
      return;
    }
    const batch = this.link.commands.multi();
    if (previous !== undefined && previous.cell !== member.cell) {
      deleteEntry(batch, this.relay, id, previous.cell, this.local.inCell(previous.cell).length === 0);
    }
    writeEntry(batch, this.relay, id, member, this.options.presenceTtlMs);
    if (previous === undefined) batch.set(peerKey(id), this.relay, { expiration: { type: 'PX', value: DIRECTORY_TTL_MS } });
    // Watchers of the old cell learn of the move too: they show it, or see the peer leave.
    const event = encodePresenceEvent({ t: 'present', relay: this.relay, id, home, watch });
    for (const cell of cellsTouched) batch.publish(presenceChannel(cell), event);
    this.send(batch, cellsTouched);
  }

  withdraw(id: PeerId): void {
    const previous = this.local.delete(id);
    if (previous === undefined) return;
    for (const cell of this.cells.remove(previous.watchedCells)) this.unfollow(cell);
    if (!this.link.isUp) {
      this.dirtyCells.add(previous.cell);
      return;
    }
    const batch = this.link.commands.multi();
    deleteEntry(batch, this.relay, id, previous.cell, this.local.inCell(previous.cell).length === 0);
    batch.del(peerKey(id));
    batch.publish(presenceChannel(previous.cell), encodePresenceEvent({ t: 'absent', relay: this.relay, id }));
    this.send(batch, [previous.cell]);
  }

  whenSynced(watch: readonly string[]): Promise<void> | null {
    return this.cells.whenLoaded(watchedCellsOf(watch));
  }

  routeSignal(from: PeerId, to: PeerId, body: string): void {
    this.signals.route(from, to, body);
  }

  health(): RouterHealth {
    return { redis: this.link.isUp ? 'up' : 'down' };
  }

  metricsText(): string {
    return this.metrics.render();
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    clearInterval(this.heartbeat);
    for (const timer of this.loadTimers) clearTimeout(timer);
    this.loadTimers.clear();
    this.cells.releaseAll();
    if (this.link.isUp) {
      // Clients were closed first, so their entries are gone; saying we are gone spares the others a TTL.
      this.link.commands.del(relayAliveKey(this.relay)).catch((err: unknown) => this.commandFailed('close', err));
    }
    await this.link.close();
  }

  // ---- following cells ---------------------------------------------------------

  /** Starts following `cell`: subscribe, then load its snapshot (when Redis is up; else on recovery). */
  private follow(cell: string): void {
    if (this.link.isUp && !this.isClosed) this.load(cell);
  }

  private unfollow(cell: string): void {
    // Even while down: node-redis would otherwise resubscribe the channel when it reconnects.
    this.link.subscriber.unsubscribe(presenceChannel(cell), this.onPresence).catch((err: unknown) => this.commandFailed('unsubscribe', err));
    // Nobody here watches the cell any more: its peers concern no local client.
    for (const id of this.remote.inCell(cell)) this.drop(id, 'unfollowed');
  }

  private load(cell: string): void {
    const token = this.cells.beginLoad(cell);
    const timer = setTimeout(() => {
      this.loadTimers.delete(timer);
      this.cells.failLoad(cell, token);
    }, LOAD_TIMEOUT_MS);
    timer.unref();
    this.loadTimers.add(timer);
    const done = (): void => {
      clearTimeout(timer);
      this.loadTimers.delete(timer);
    };
    // Subscribe first, then read: an event published in between is buffered, not lost.
    this.link.subscriber
      .subscribe(presenceChannel(cell), this.onPresence)
      .then(() => readCellSnapshot(this.link.timed, cell, this.relay, () => this.metrics.invalidMessages.inc('snapshot')))
      .then(
        (snapshot) => {
          done();
          const buffered = this.cells.finishLoad(cell, token);
          if (buffered === 'stale') return;
          if (buffered === 'reload') {
            this.load(cell);
            return;
          }
          const listed = new Set<PeerId>();
          for (const { id, relay, entry } of snapshot) {
            listed.add(id);
            this.applyPresent(relay, id, entry);
          }
          for (const id of this.remote.inCell(cell)) if (!listed.has(id)) this.drop(id, 'snapshot');
          for (const event of buffered) this.applyEvent(cell, event);
        },
        (err: unknown) => {
          done();
          this.commandFailed('load', err);
          this.cells.failLoad(cell, token);
        },
      );
  }

  // ---- messages from other relays ----------------------------------------------

  /** One listener for every presence channel (node-redis keeps one entry per channel). */
  private readonly onPresence = (message: string, channel: string): void => {
    const cell = cellOfPresenceChannel(channel);
    // Late messages of a channel given up: nobody here needs them.
    if (cell === null || !this.cells.isFollowed(cell)) return;
    const event = parsePresenceEvent(message);
    if (event === null) {
      this.metrics.invalidMessages.inc('presence');
      return;
    }
    if (event.relay === this.relay) return;
    this.metrics.messagesIn.inc(event.t);
    if (this.cells.buffer(cell, event)) return;
    this.applyEvent(cell, event);
  };

  private applyEvent(cell: string, event: PresenceEvent): void {
    switch (event.t) {
      case 'present':
        // Legitimate only about a peer living in this cell, or one moving out of it.
        if (cellOf(event.home) !== cell && this.remote.cellOf(event.id) !== cell) return;
        this.applyPresent(event.relay, event.id, event);
        return;
      case 'absent':
        if (this.remote.relayOf(event.id) === event.relay) this.drop(event.id, 'left');
        return;
      case 'sync':
        // That relay rewrote its part of the cell after an outage: read the cell again.
        if (this.link.isUp) this.load(cell);
        return;
      default:
        event satisfies never;
    }
  }

  private applyPresent(relay: RelayId, id: PeerId, entry: PresenceEntry): void {
    if (relay === this.relay || this.events.isLocal(id)) return;
    const cell = cellOf(entry.home);
    if (!this.cells.isFollowed(cell)) {
      // Moved to a cell nobody here watches: its old watchers see it leave.
      this.drop(id, 'moved-away');
      return;
    }
    this.remote.set(id, relay, cell);
    this.events.remotePresent(id, entry.home, entry.watch);
  }

  private drop(id: PeerId, reason: string): void {
    if (!this.remote.delete(id)) return;
    this.metrics.evictions.inc(reason);
    this.events.remoteAbsent(id);
  }

  // ---- heartbeat, outages, recovery --------------------------------------------

  private beat(): void {
    if (!this.link.isUp) {
      const downForMs = this.downSinceMs === null ? 0 : performance.now() - this.downSinceMs;
      // Others drop this relay's peers after a TTL without it; it does the same for theirs.
      if (downForMs >= this.options.presenceTtlMs) for (const id of this.remote.ids()) this.drop(id, 'redis-down');
      return;
    }
    this.beats += 1;
    this.link.commands.set(relayAliveKey(this.relay), '1', { GET: true, expiration: { type: 'PX', value: this.options.presenceTtlMs } }).then(
      (previous) => {
        // Our key had expired (Redis paused, or this process stalled past the TTL): the
        // others have dropped our peers and our slices may be gone. Write everything again.
        if (previous === null && this.link.isUp) this.rewriteOwnState();
      },
      (err: unknown) => this.commandFailed('heartbeat', err),
    );
    const batch = this.link.commands.multi();
    refreshSlices(batch, this.relay, this.local.cells(), this.options.presenceTtlMs);
    if (this.beats % Math.max(1, Math.floor(DIRECTORY_TTL_MS / 3 / this.heartbeatMs)) === 0) this.writeDirectory(batch);
    this.send(batch, []);
    this.checkRelaysAlive();
    // A load that failed or timed out while Redis stayed up is tried again.
    for (const cell of this.cells.unsynced()) this.load(cell);
  }

  /** Drops the peers of relays whose liveness key expired (they stopped refreshing it). */
  private checkRelaysAlive(): void {
    const relays = this.remote.relays();
    if (relays.length === 0) return;
    this.link.timed.mGet(relays.map(relayAliveKey)).then(
      (alive) => {
        for (const [index, relay] of relays.entries()) {
          if (alive[index] !== null) continue;
          for (const id of this.remote.ofRelay(relay)) this.drop(id, 'relay-gone');
        }
      },
      (err: unknown) => this.commandFailed('liveness', err),
    );
  }

  private writeDirectory(batch: RedisBatch): void {
    for (const id of this.local.ids()) batch.set(peerKey(id), this.relay, { expiration: { type: 'PX', value: DIRECTORY_TTL_MS } });
  }

  private lose(): void {
    this.metrics.outages.inc();
    this.downSinceMs = performance.now();
    this.cells.markAllUnsynced();
  }

  /** Redis is reachable (first time or again): rewrite our part, tell the others, reload theirs. */
  private recover(): void {
    if (this.isClosed) return;
    this.downSinceMs = null;
    this.rewriteOwnState();
    this.link.subscriber.subscribe(signalChannel(this.relay), this.signals.onMessage).catch((err: unknown) => this.commandFailed('subscribe', err));
    for (const cell of this.cells.followed()) this.load(cell);
  }

  /** Writes this relay's liveness key, slices and directory entries afresh, and asks the others to reload those cells. */
  private rewriteOwnState(): void {
    const cells = new Set([...this.local.cells(), ...this.dirtyCells]);
    this.dirtyCells.clear();
    const batch = this.link.commands.multi();
    batch.set(relayAliveKey(this.relay), '1', { expiration: { type: 'PX', value: this.options.presenceTtlMs } });
    rewriteSlices(batch, this.relay, cells, this.local, this.options.presenceTtlMs);
    this.writeDirectory(batch);
    const sync = encodePresenceEvent({ t: 'sync', relay: this.relay });
    for (const cell of cells) batch.publish(presenceChannel(cell), sync);
    this.send(batch, [...cells]);
  }

  /** Sends a batch; when it fails, `cells` are rewritten at the next recovery. */
  private send(batch: RedisBatch, cells: readonly string[]): void {
    batch.execAsPipeline().catch((err: unknown) => {
      for (const cell of cells) this.dirtyCells.add(cell);
      this.commandFailed('write', err);
    });
  }

  private commandFailed(what: string, err: unknown): void {
    if (this.isClosed) return;
    this.metrics.commandErrors.inc();
    this.link.logError(what, err);
  }
}

/** The router for `--redis-url`, loaded on demand so the default relay never loads a Redis client. */
export function createRedisRouter(events: RouterEvents, options: RedisRouterOptions): RedisRouter {
  return new RedisRouter(events, options);
}
