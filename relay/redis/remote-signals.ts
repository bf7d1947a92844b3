/**
 * Signals between relays: a signal for a peer held by another relay is published on that
 * relay's channel, and what arrives on this relay's channel (signals for its clients,
 * refusals for its senders) is checked and handed to the hub. Part of the Redis router.
 */

import type { PeerId } from '../../app/core/protocol.ts';
import { NO_SUCH_PEER_MESSAGE, NOT_NEARBY_MESSAGE, type RouterEvents } from '../presence-router.ts';
import { RouteCache, type LocalMembers, type RemoteMembers } from './member-tables.ts';
import { isRelayId, peerKey, signalChannel, type RelayId } from './redis-keys.ts';
import type { RedisLink } from './redis-link.ts';
import { encodeRefusal, encodeSignal, parseSignalChannelMessage } from './redis-messages.ts';
import type { RedisMetrics } from './redis-metrics.ts';

/** Peers whose relay this relay remembers (from lookups). */
const ROUTE_CACHE_SIZE = 50_000;
/** Signals held for one peer while its relay is looked up; a flood beyond it is refused. */
const MAX_QUEUED_PER_LOOKUP = 256;
export const UNREACHABLE_MESSAGE = 'No present peer has that id here, and the other relays cannot be reached right now.';

export class RemoteSignals {
  private readonly routes = new RouteCache(ROUTE_CACHE_SIZE);
  /** Signals waiting for their target's relay to be looked up, by target. */
  private readonly lookups = new Map<PeerId, Array<{ readonly from: PeerId; readonly body: string }>>();

  constructor(
    private readonly relay: RelayId,
    private readonly link: RedisLink,
    private readonly local: LocalMembers,
    private readonly remote: RemoteMembers,
    private readonly events: RouterEvents,
    private readonly metrics: RedisMetrics,
    private readonly onCommandError: (what: string, err: unknown) => void,
  ) {}

  /** See `PresenceRouter.routeSignal`: signals from one peer to another keep their order. */
  route(from: PeerId, to: PeerId, body: string): void {
    if (!this.link.isUp) {
      this.events.refused(from, 'unknown-peer', UNREACHABLE_MESSAGE);
      return;
    }
    const queued = this.lookups.get(to);
    if (queued !== undefined) {
      // Behind earlier signals to the same peer that wait for the lookup.
      if (queued.length < MAX_QUEUED_PER_LOOKUP) queued.push({ from, body });
      else this.events.refused(from, 'unknown-peer', NO_SUCH_PEER_MESSAGE);
      return;
    }
    const relay = this.remote.relayOf(to) ?? this.routes.get(to);
    if (relay !== undefined) {
      this.publish(relay, from, to, body);
      return;
    }
    this.lookups.set(to, [{ from, body }]);
    this.link.timed.get(peerKey(to)).then(
      (value) => this.finishLookup(to, isRelayId(value) && value !== this.relay ? value : null, NO_SUCH_PEER_MESSAGE),
      (err: unknown) => {
        this.onCommandError('lookup', err);
        this.finishLookup(to, null, UNREACHABLE_MESSAGE);
      },
    );
  }

  /** The listener of this relay's own channel. */
  readonly onMessage = (message: string): void => {
    const parsed = parseSignalChannelMessage(message);
    if (parsed === null) {
      this.metrics.invalidMessages.inc('signal');
      return;
    }
    this.metrics.messagesIn.inc(parsed.t);
    if (parsed.t === 'refused') {
      if (parsed.code === 'unknown-peer') this.routes.delete(parsed.peer);
      this.events.refused(parsed.to, parsed.code, parsed.code === 'unknown-peer' ? NO_SUCH_PEER_MESSAGE : NOT_NEARBY_MESSAGE);
      return;
    }
    const refusal = this.events.deliverSignal({ id: parsed.from, home: parsed.home, watch: new Set(parsed.watch) }, parsed.to, parsed.body);
    if (refusal === null || !this.link.isUp) return;
    this.link.commands
      .publish(signalChannel(parsed.relay), encodeRefusal({ to: parsed.from, peer: parsed.to, code: refusal }))
      .catch((err: unknown) => this.onCommandError('refusal', err));
  };

  private finishLookup(to: PeerId, relay: RelayId | null, message: string): void {
    const queued = this.lookups.get(to) ?? [];
    this.lookups.delete(to);
    if (relay !== null) this.routes.set(to, relay);
    for (const { from, body } of queued) {
      if (relay === null) this.events.refused(from, 'unknown-peer', message);
      else this.publish(relay, from, to, body);
    }
  }

  private publish(relay: RelayId, from: PeerId, to: PeerId, body: string): void {
    // The sender left while its signal waited for a lookup: as on one relay, it goes nowhere.
    const sender = this.local.get(from);
    if (sender === undefined) return;
    this.metrics.signalsRouted.inc();
    this.link.commands.publish(signalChannel(relay), encodeSignal(sender.headerPrefix, to, body)).then(
      (receivers) => {
        if (receivers > 0) return;
        // Nobody listens on that relay's channel: it is gone, and its peers with it.
        this.routes.delete(to);
        this.events.refused(from, 'unknown-peer', NO_SUCH_PEER_MESSAGE);
      },
      (err: unknown) => {
        this.onCommandError('signal', err);
        this.events.refused(from, 'unknown-peer', UNREACHABLE_MESSAGE);
      },
    );
  }
}
