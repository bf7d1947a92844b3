/**
 * Every chat message's path through this peer, as gossip: checks in order of cost
 * (shape, seen, time, range, signature, author limits) at every hop, storage, and
 * passing it on once to each neighbour for whom it may matter (app/core/gossip-relevance.ts).
 *
 * Bodies travel eagerly on the author's first hop and to a few neighbours per later hop;
 * the other neighbours get the id (`have`) and pull the body only if they lack it
 * (`want`), so a crowd does not receive every message from every link. A newcomer gets
 * the ids of what it may see and pulls only what it is missing.
 */

import { AuthorRateLimit, MAX_MESSAGES_PER_MINUTE } from '../core/author-rate-limit.ts';
import { MAX_FUTURE_SKEW_MS, parseChatMessage, signedPayload, type ChatMessage, type DropReason } from '../core/chat-message.ts';
import type { Flag } from '../core/flag.ts';
import { relevanceOf } from '../core/gossip-relevance.ts';
import type { ProofOfWork } from '../core/proof-of-work.ts';
import { MESSAGE_TTL_MS, MessageStore } from '../core/message-store.ts';
import { MAX_HISTORY_CHUNK, MAX_IDS_PER_FRAME, type PeerFrame } from '../core/peer-protocol.ts';
import { distanceBetween, type Position } from '../core/position.ts';
import { RecentIds, SeenIds } from '../core/seen-ids.ts';
import { AuthorNames } from '../core/username.ts';
import { WantTracker, type WantBatch } from '../core/want-tracker.ts';
import type { ChatFrame, Neighbour } from '../net/mesh.ts';

/** Most messages kept (30 minutes of a busy square fit comfortably). */
const MAX_STORED_MESSAGES = 5_000;
/** Most ids remembered as seen, including dropped ones (so a flood is not re-verified). */
const MAX_SEEN_IDS = 20_000;
/** Most authors tracked for rate limits and names. */
const MAX_AUTHORS = 5_000;
/** Neighbours a forwarder sends the body to at once; the others get the id. */
export const EAGER_FANOUT = 3;
/** Ids remembered per link as known to the neighbour (it sent or announced them, or we did). */
const MAX_KNOWN_PER_LINK = 6_000;
/** A pulled body not here by then is asked of the next neighbour that announced it. */
const WANT_TIMEOUT_MS = 3_000;
/** Ids asked of one neighbour at once: a batch a data channel buffers without refusing. */
const MAX_WANTS_IN_FLIGHT_PER_LINK = 200;

export interface Self {
  readonly key: string;
  readonly position: Position;
  readonly radiusM: number;
}

export interface ChatRouterOptions {
  readonly now: () => number;
  readonly self: () => Self | null;
  readonly neighbours: () => readonly Neighbour[];
  readonly sendTo: (linkKey: string, frame: PeerFrame) => boolean;
  readonly verify: (message: ChatMessage) => Promise<boolean>;
  /** Whether `proof` is a valid proof of work for `key` at `atMs` (a message's send time). */
  readonly acceptsProof: (key: string, proof: ProofOfWork, atMs: number) => boolean;
  readonly onDrop: (reason: DropReason) => void;
  /** A flag from a neighbour (app/session/flag-router.ts judges it). */
  readonly onFlag?: (from: Neighbour, flag: Flag) => Promise<void>;
  /** Bodies were sent to a neighbour that asked for them: their flags may follow. */
  readonly onBodiesSent?: (to: Neighbour, ids: readonly string[]) => void;
  /** A message from someone else was accepted and stored (its author was seen with a valid proof). */
  readonly onAccepted?: (message: ChatMessage) => void;
}

export class ChatRouter {
  readonly store: MessageStore<ChatMessage>;
  private readonly seen: SeenIds;
  private readonly rateLimit = new AuthorRateLimit(MAX_AUTHORS);
  private readonly names = new Map<string, AuthorNames>();
  /** linkKey → ids that neighbour holds or has been offered. */
  private readonly knownBy = new Map<string, RecentIds>();
  private readonly wants: WantTracker;
  private wantTimer: ReturnType<typeof setTimeout> | undefined;
  /** Ids to announce per link, sent together at the end of the current task. */
  private readonly announceQueue = new Map<string, string[]>();
  private isAnnounceScheduled = false;
  /** Verifications running, by signature and signed payload (see verifyOnce). */
  private readonly verifying = new Map<string, Promise<boolean>>();
  private isDisposed = false;

  constructor(private readonly options: ChatRouterOptions) {
    this.store = new MessageStore<ChatMessage>({
      maxMessages: MAX_STORED_MESSAGES,
      now: options.now,
      timers: { setTimeout: (callback, delayMs) => setTimeout(callback, delayMs), clearTimeout: (handle) => clearTimeout(handle as number) },
    });
    // A message cannot be valid anywhere after its lifetime plus the clock skew we allow.
    this.seen = new SeenIds({ forgetAfterMs: MESSAGE_TTL_MS + MAX_FUTURE_SKEW_MS, maxIds: MAX_SEEN_IDS, now: options.now });
    this.wants = new WantTracker({
      timeoutMs: WANT_TIMEOUT_MS,
      maxInFlightPerLink: MAX_WANTS_IN_FLIGHT_PER_LINK,
      maxPending: MAX_STORED_MESSAGES,
      now: options.now,
    });
  }

  /** A chat frame from a neighbour. */
  async receive(from: Neighbour, frame: ChatFrame): Promise<void> {
    switch (frame.type) {
      case 'chat':
        this.known(from.linkKey).add(frame.message.id);
        await this.accept(frame.message, from.linkKey);
        return;
      case 'history':
        for (const item of frame.messages) {
          const message = parseChatMessage(item);
          if (typeof message === 'string') {
            this.options.onDrop(message);
            continue;
          }
          this.known(from.linkKey).add(message.id);
          await this.accept(message, from.linkKey);
        }
        return;
      case 'have':
        this.receiveHave(from, frame.ids);
        return;
      case 'want':
        this.receiveWant(from, frame.ids);
        return;
      case 'flag':
        await this.options.onFlag?.(from, frame.flag);
        return;
      default:
        frame satisfies never;
    }
  }

  /** Our own signed message: stored, then sent (bodies, first hop) to every neighbour it concerns. */
  publish(message: ChatMessage): void {
    this.seen.add(message.id);
    this.nameCheck(message);
    this.rateLimit.allow(message.author, message.sentAtMs);
    this.store.add(message);
    this.forward(message, null, Number.POSITIVE_INFINITY);
  }

  /** Whether receivers' per-author limit allows us another message now (all our own are stored). */
  canPublish(author: string, sentAtMs: number): boolean {
    const lastMinute = this.store.list().filter((message) => message.author === author && sentAtMs - message.sentAtMs < 60_000);
    return lastMinute.length < MAX_MESSAGES_PER_MINUTE;
  }

  /**
   * Offers a newly met neighbour the ids of the stored messages it may see (a summary of
   * what we hold); it pulls the ones it lacks. Bounded by the store. Its own messages are
   * offered too: a neighbour back from a reload keeps its messages in memory only, and
   * gets them back from us.
   */
  sendHistory(neighbour: Neighbour): void {
    const known = this.known(neighbour.linkKey);
    const nowMs = this.options.now();
    const ids = this.store
      .list()
      .filter(
        (message) =>
          !known.has(message.id) &&
          nowMs - message.sentAtMs < MESSAGE_TTL_MS &&
          relevanceOf(message, neighbour.presence) === 'recipient',
      )
      .map((message) => message.id);
    for (let start = 0; start < ids.length; start += MAX_IDS_PER_FRAME) {
      const chunk = ids.slice(start, start + MAX_IDS_PER_FRAME);
      for (const id of chunk) known.add(id);
      this.options.sendTo(neighbour.linkKey, { type: 'have', ids: chunk });
    }
  }

  /** A neighbour's link is gone: what we were pulling from it is pulled from others. */
  forgetNeighbour(linkKey: string): void {
    this.knownBy.delete(linkKey);
    this.announceQueue.delete(linkKey);
    this.sendWants(this.wants.linkGone(linkKey));
  }

  dispose(): void {
    this.isDisposed = true;
    clearTimeout(this.wantTimer);
    this.wantTimer = undefined;
    this.store.dispose();
    this.seen.clear();
    this.wants.clear();
    this.knownBy.clear();
    this.announceQueue.clear();
  }

  private receiveHave(from: Neighbour, ids: readonly string[]): void {
    const known = this.known(from.linkKey);
    const missing: string[] = [];
    for (const id of ids) {
      known.add(id);
      if (!this.seen.has(id)) missing.push(id);
    }
    if (missing.length > 0) this.sendWants(this.wants.announced(from.linkKey, missing));
  }

  /** Sends the asked bodies we hold that concern the asker and are still alive. */
  private receiveWant(from: Neighbour, ids: readonly string[]): void {
    const known = this.known(from.linkKey);
    const nowMs = this.options.now();
    const bodies: ChatMessage[] = [];
    for (const id of ids) {
      const message = this.store.get(id);
      if (message === undefined || nowMs - message.sentAtMs >= MESSAGE_TTL_MS) continue;
      if (relevanceOf(message, from.presence) === 'none') continue;
      known.add(id);
      bodies.push(message);
    }
    for (let start = 0; start < bodies.length; start += MAX_HISTORY_CHUNK) {
      this.options.sendTo(from.linkKey, { type: 'history', messages: bodies.slice(start, start + MAX_HISTORY_CHUNK) });
    }
    if (bodies.length > 0) this.options.onBodiesSent?.(from, bodies.map((message) => message.id));
  }

  private async accept(message: ChatMessage, fromLinkKey: string): Promise<void> {
    if (this.seen.has(message.id)) return;
    // One hash, before the signature; like a forged copy, it must not shadow a good copy's id.
    if (!this.options.acceptsProof(message.author, message.pow, message.sentAtMs)) return this.options.onDrop('no-proof');
    // Verified before the id counts as seen: a forged copy must not shadow the real message.
    if (!(await this.verifyOnce(message))) return this.options.onDrop('bad-signature');
    if (this.seen.has(message.id) || this.isDisposed) return;
    this.seen.add(message.id);
    this.sendWants(this.wants.arrived(message.id));
    const self = this.options.self();
    if (self === null) return;
    const nowMs = this.options.now();
    if (message.sentAtMs > nowMs + MAX_FUTURE_SKEW_MS) return this.options.onDrop('future');
    if (nowMs - message.sentAtMs >= MESSAGE_TTL_MS) return this.options.onDrop('expired');
    // Kept by recipients (who show it) and by bridges (who only carry it on).
    if (relevanceOf(message, self) === 'none') return this.options.onDrop('out-of-range');
    if (!this.nameCheck(message)) return this.options.onDrop('username-changes');
    if (!this.rateLimit.allow(message.author, message.sentAtMs)) return this.options.onDrop('rate-limited');
    if (this.store.add(message) !== 'added') return;
    this.options.onAccepted?.(message);
    this.forward(message, fromLinkKey, EAGER_FANOUT);
  }

  /**
   * Verifies a message, sharing the work with identical copies that arrive (from other
   * neighbours) while it runs. Only byte-identical copies share: a forged copy under the
   * same id has a payload or signature of its own, and is verified on its own.
   */
  private verifyOnce(message: ChatMessage): Promise<boolean> {
    const copyKey = `${message.signature}\n${signedPayload(message)}`;
    const running = this.verifying.get(copyKey);
    if (running !== undefined) return running;
    const verification = this.options.verify(message).finally(() => this.verifying.delete(copyKey));
    this.verifying.set(copyKey, verification);
    return verification;
  }

  /**
   * Passes a message on to each neighbour it concerns that does not have it: the body to
   * up to `eagerCount` of them (recipients first, farthest from the author first, so it
   * spreads outward), the id to the rest.
   */
  private forward(message: ChatMessage, fromLinkKey: string | null, eagerCount: number): void {
    if (this.options.now() - message.sentAtMs >= MESSAGE_TTL_MS) return;
    const targets = this.options
      .neighbours()
      .filter((neighbour) => neighbour.linkKey !== fromLinkKey && neighbour.presence.key !== message.author)
      .filter((neighbour) => !this.known(neighbour.linkKey).has(message.id))
      .map((neighbour) => ({
        neighbour,
        relevance: relevanceOf(message, neighbour.presence),
        fromAuthorM: distanceBetween(message.position, neighbour.presence.position),
      }))
      .filter(({ relevance }) => relevance !== 'none');
    targets.sort((a, b) => Number(b.relevance === 'recipient') - Number(a.relevance === 'recipient') || b.fromAuthorM - a.fromAuthorM);
    targets.forEach(({ neighbour }, index) => {
      this.known(neighbour.linkKey).add(message.id);
      if (index < eagerCount) this.options.sendTo(neighbour.linkKey, { type: 'chat', message });
      else this.announce(neighbour.linkKey, message.id);
    });
  }

  /** Queues an id for a neighbour; all queued ids leave together once this task is done. */
  private announce(linkKey: string, id: string): void {
    const queue = this.announceQueue.get(linkKey) ?? [];
    queue.push(id);
    this.announceQueue.set(linkKey, queue);
    if (this.isAnnounceScheduled) return;
    this.isAnnounceScheduled = true;
    queueMicrotask(() => {
      this.isAnnounceScheduled = false;
      for (const [target, ids] of this.announceQueue) {
        for (let start = 0; start < ids.length; start += MAX_IDS_PER_FRAME) {
          this.options.sendTo(target, { type: 'have', ids: ids.slice(start, start + MAX_IDS_PER_FRAME) });
        }
      }
      this.announceQueue.clear();
    });
  }

  private sendWants(batch: WantBatch): void {
    for (const [linkKey, ids] of batch) {
      for (let start = 0; start < ids.length; start += MAX_IDS_PER_FRAME) {
        this.options.sendTo(linkKey, { type: 'want', ids: ids.slice(start, start + MAX_IDS_PER_FRAME) });
      }
    }
    this.scheduleWantCheck();
  }

  /** One timer, for the earliest pull that may be overdue. */
  private scheduleWantCheck(): void {
    clearTimeout(this.wantTimer);
    this.wantTimer = undefined;
    const deadlineMs = this.wants.nextDeadlineMs();
    if (deadlineMs === null || this.isDisposed) return;
    this.wantTimer = setTimeout(() => {
      this.wantTimer = undefined;
      this.sendWants(this.wants.expire());
    }, Math.max(0, deadlineMs - this.options.now()) + 1);
  }

  private known(linkKey: string): RecentIds {
    let known = this.knownBy.get(linkKey);
    if (known === undefined) {
      known = new RecentIds(MAX_KNOWN_PER_LINK);
      this.knownBy.set(linkKey, known);
    }
    return known;
  }

  /**
   * Whether `username` is one `author` may use: at most 1 + 3 distinct names per session
   * key, shared between messages and presence claims.
   */
  acceptsUsername(author: string, username: string): boolean {
    let names = this.names.get(author);
    if (names === undefined) {
      if (this.names.size >= MAX_AUTHORS) {
        const oldest = this.names.keys().next().value;
        if (oldest !== undefined) this.names.delete(oldest);
      }
      names = new AuthorNames();
      this.names.set(author, names);
    }
    return names.accept(username);
  }

  private nameCheck(message: ChatMessage): boolean {
    return this.acceptsUsername(message.author, message.username);
  }
}
