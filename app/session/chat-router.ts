/**
 * Every chat message's path through this peer: checks in order of cost (shape, seen,
 * time, range, signature, author limits), storage, and forwarding once to each
 * neighbour for whom it is relevant. History for a new neighbour goes out here too.
 */

import { AuthorRateLimit, MAX_MESSAGES_PER_MINUTE } from '../core/author-rate-limit.ts';
import { MAX_FUTURE_SKEW_MS, parseChatMessage, type ChatMessage, type DropReason } from '../core/chat-message.ts';
import { MESSAGE_TTL_MS, MessageStore } from '../core/message-store.ts';
import { MAX_HISTORY_CHUNK, type PeerFrame } from '../core/peer-protocol.ts';
import { distanceBetween, type Position } from '../core/position.ts';
import { AuthorNames } from '../core/username.ts';
import { isInMutualRange } from '../core/visibility.ts';
import type { Neighbour } from '../net/mesh.ts';

/** Most messages kept (30 minutes of a busy square fit comfortably). */
const MAX_STORED_MESSAGES = 5_000;
/** Most ids remembered as seen, including dropped ones (so a flood is not re-verified). */
const MAX_SEEN_IDS = 20_000;
/** Most messages sent to a new neighbour as history. */
const MAX_HISTORY_MESSAGES = 500;
/** Most authors tracked for rate limits and names. */
const MAX_AUTHORS = 5_000;

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
  readonly onDrop: (reason: DropReason) => void;
}

export class ChatRouter {
  readonly store: MessageStore<ChatMessage>;
  private readonly seen = new Map<string, number>();
  private readonly rateLimit = new AuthorRateLimit(MAX_AUTHORS);
  private readonly names = new Map<string, AuthorNames>();

  constructor(private readonly options: ChatRouterOptions) {
    this.store = new MessageStore<ChatMessage>({
      maxMessages: MAX_STORED_MESSAGES,
      now: options.now,
      timers: { setTimeout: (callback, delayMs) => setTimeout(callback, delayMs), clearTimeout: (handle) => clearTimeout(handle as number) },
    });
  }

  /** A chat or history frame from a neighbour. */
  async receive(from: Neighbour, frame: Extract<PeerFrame, { type: 'chat' | 'history' }>): Promise<void> {
    if (frame.type === 'chat') {
      await this.accept(frame.message, from.linkKey);
      return;
    }
    for (const item of frame.messages) {
      const message = parseChatMessage(item);
      if (typeof message === 'string') this.options.onDrop(message);
      else await this.accept(message, from.linkKey);
    }
  }

  /** Our own signed message: stored, then sent to every neighbour it concerns. */
  publish(message: ChatMessage): void {
    this.remember(message.id);
    this.nameCheck(message);
    this.rateLimit.allow(message.author, message.sentAtMs);
    this.store.add(message);
    this.forward(message, null);
  }

  /** Whether receivers' per-author limit allows us another message now (all our own are stored). */
  canPublish(author: string, sentAtMs: number): boolean {
    const lastMinute = this.store.list().filter((message) => message.author === author && sentAtMs - message.sentAtMs < 60_000);
    return lastMinute.length < MAX_MESSAGES_PER_MINUTE;
  }

  /** Sends a newly met neighbour the stored messages it may see, newest first, bounded. */
  sendHistory(neighbour: Neighbour): void {
    const relevant = this.store
      .list()
      .filter((message) => message.author !== neighbour.presence.key && this.concerns(message, neighbour))
      .slice(-MAX_HISTORY_MESSAGES);
    for (let start = 0; start < relevant.length; start += MAX_HISTORY_CHUNK) {
      this.options.sendTo(neighbour.linkKey, { type: 'history', messages: relevant.slice(start, start + MAX_HISTORY_CHUNK) });
    }
  }

  dispose(): void {
    this.store.dispose();
    this.seen.clear();
  }

  private async accept(message: ChatMessage, fromLinkKey: string): Promise<void> {
    if (this.seen.has(message.id)) return;
    // Verified before the id counts as seen: a forged copy must not shadow the real message.
    if (!(await this.options.verify(message))) return this.options.onDrop('bad-signature');
    if (this.seen.has(message.id)) return;
    this.remember(message.id);
    const self = this.options.self();
    if (self === null) return;
    const nowMs = this.options.now();
    if (message.sentAtMs > nowMs + MAX_FUTURE_SKEW_MS) return this.options.onDrop('future');
    if (nowMs - message.sentAtMs >= MESSAGE_TTL_MS) return this.options.onDrop('expired');
    if (!isInMutualRange(distanceBetween(message.position, self.position), message.radiusM, self.radiusM)) {
      return this.options.onDrop('out-of-range');
    }
    if (!this.nameCheck(message)) return this.options.onDrop('username-changes');
    if (!this.rateLimit.allow(message.author, message.sentAtMs)) return this.options.onDrop('rate-limited');
    if (this.store.add(message) !== 'added') return;
    this.forward(message, fromLinkKey);
  }

  /** True when `neighbour` is in mutual range of the message's author. */
  private concerns(message: ChatMessage, neighbour: Neighbour): boolean {
    const distance = distanceBetween(message.position, neighbour.presence.position);
    return isInMutualRange(distance, message.radiusM, neighbour.presence.radiusM);
  }

  private forward(message: ChatMessage, fromLinkKey: string | null): void {
    for (const neighbour of this.options.neighbours()) {
      if (neighbour.linkKey === fromLinkKey || neighbour.presence.key === message.author) continue;
      if (this.concerns(message, neighbour)) this.options.sendTo(neighbour.linkKey, { type: 'chat', message });
    }
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

  private remember(id: string): void {
    this.seen.set(id, this.options.now());
    if (this.seen.size > MAX_SEEN_IDS) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}
