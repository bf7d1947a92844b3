/**
 * Flags through this peer: checked (shape at the edge; then the message it names, time,
 * proof of work, signature, the flagger's rate), tallied, and passed once to each
 * neighbour for whom the flagged message matters, exactly as far as the message itself
 * goes. A newcomer pulling a message also gets the flags held on it.
 */

import { AuthorRateLimit } from '../core/author-rate-limit.ts';
import { MAX_FUTURE_SKEW_MS, type ChatMessage, type DropReason } from '../core/chat-message.ts';
import { flagPayload, MAX_FLAGS_PER_MINUTE, type Flag } from '../core/flag.ts';
import { FlagTally } from '../core/flag-tally.ts';
import { relevanceOf } from '../core/gossip-relevance.ts';
import { MESSAGE_TTL_MS } from '../core/message-store.ts';
import type { PeerFrame } from '../core/peer-protocol.ts';
import type { ProofOfWork } from '../core/proof-of-work.ts';
import { RecentIds, SeenIds } from '../core/seen-ids.ts';
import type { Neighbour } from '../net/mesh.ts';

/** Most flag ids remembered as judged. */
const MAX_SEEN_FLAGS = 20_000;
/** Most flaggers tracked for the rate limit. */
const MAX_FLAGGERS = 5_000;
/** Flag ids remembered per link as known to that neighbour. */
const MAX_KNOWN_PER_LINK = 4_000;
/** Most flags kept in all (their bodies, to pass on to newcomers). */
const MAX_FLAGS = 10_000;

export interface FlagRouterOptions {
  readonly now: () => number;
  readonly neighbours: () => readonly Neighbour[];
  readonly sendTo: (linkKey: string, frame: PeerFrame) => boolean;
  /** The stored message a flag names, if we hold it. */
  readonly messageOf: (id: string) => ChatMessage | undefined;
  readonly acceptsProof: (key: string, proof: ProofOfWork, atMs: number) => boolean;
  readonly verifyText: (key: string, payload: string, signature: string) => Promise<boolean>;
  /** A flagger with a valid proof was seen (for identity ages). */
  readonly onIdentitySeen: (key: string, proof: ProofOfWork) => void;
  readonly onDrop: (reason: DropReason) => void;
  /** The tally changed. */
  readonly onChange: () => void;
}

export class FlagRouter {
  readonly tally = new FlagTally();
  private readonly seen: SeenIds;
  private readonly rateLimit = new AuthorRateLimit(MAX_FLAGGERS, MAX_FLAGS_PER_MINUTE);
  /** Flags kept, by message id (to pass on with the message). */
  private readonly held = new Map<string, Flag[]>();
  private heldCount = 0;
  private readonly knownBy = new Map<string, RecentIds>();
  private isDisposed = false;

  constructor(private readonly options: FlagRouterOptions) {
    this.seen = new SeenIds({ forgetAfterMs: MESSAGE_TTL_MS + MAX_FUTURE_SKEW_MS, maxIds: MAX_SEEN_FLAGS, now: options.now });
  }

  /** A flag from a neighbour. */
  async receive(from: Neighbour, flag: Flag): Promise<void> {
    this.known(from.linkKey).add(flag.id);
    if (this.seen.has(flag.id)) return;
    const message = this.options.messageOf(flag.messageId);
    if (message === undefined) return this.options.onDrop('flag-unknown-message');
    const nowMs = this.options.now();
    if (flag.sentAtMs > nowMs + MAX_FUTURE_SKEW_MS || nowMs - message.sentAtMs >= MESSAGE_TTL_MS) return this.options.onDrop('flag-expired');
    if (!this.options.acceptsProof(flag.flagger, flag.pow, flag.sentAtMs)) return this.options.onDrop('flag-no-proof');
    if (!(await this.options.verifyText(flag.flagger, flagPayload(flag), flag.signature))) return this.options.onDrop('flag-forged');
    if (this.isDisposed || this.seen.has(flag.id)) return;
    this.seen.add(flag.id);
    this.options.onIdentitySeen(flag.flagger, flag.pow);
    if (!this.rateLimit.allow(flag.flagger, flag.sentAtMs)) return this.options.onDrop('flag-rate-limited');
    this.take(flag, message, from.linkKey);
  }

  /** Our own signed flag on a message we hold. */
  publish(flag: Flag): void {
    const message = this.options.messageOf(flag.messageId);
    if (message === undefined) return;
    this.seen.add(flag.id);
    this.rateLimit.allow(flag.flagger, flag.sentAtMs);
    this.take(flag, message, null);
  }

  /** The flags we hold on messages a neighbour has just been sent (after the bodies). */
  sendFlagsFor(neighbour: Neighbour, messageIds: readonly string[]): void {
    const known = this.known(neighbour.linkKey);
    for (const id of messageIds) {
      for (const flag of this.held.get(id) ?? []) {
        if (known.has(flag.id) || flag.flagger === neighbour.presence.key) continue;
        known.add(flag.id);
        this.options.sendTo(neighbour.linkKey, { type: 'flag', flag });
      }
    }
  }

  forgetNeighbour(linkKey: string): void {
    this.knownBy.delete(linkKey);
  }

  dispose(): void {
    this.isDisposed = true;
    this.seen.clear();
    this.held.clear();
    this.knownBy.clear();
    this.tally.clear();
  }

  private take(flag: Flag, message: ChatMessage, fromLinkKey: string | null): void {
    this.forgetGone();
    const outcome = this.tally.add(message.id, message.author, flag.flagger, flag.reason);
    // A repeat or a self-flag still travels (others judge for themselves) but is not kept.
    if (outcome === 'added' && this.heldCount < MAX_FLAGS) {
      const list = this.held.get(message.id) ?? [];
      list.push(flag);
      this.held.set(message.id, list);
      this.heldCount += 1;
    }
    this.forward(flag, message, fromLinkKey);
    this.options.onChange();
  }

  /** To each neighbour the flagged message concerns, that has not had this flag. */
  private forward(flag: Flag, message: ChatMessage, fromLinkKey: string | null): void {
    for (const neighbour of this.options.neighbours()) {
      if (neighbour.linkKey === fromLinkKey || neighbour.presence.key === flag.flagger) continue;
      if (relevanceOf(message, neighbour.presence) === 'none') continue;
      const known = this.known(neighbour.linkKey);
      if (known.has(flag.id)) continue;
      known.add(flag.id);
      this.options.sendTo(neighbour.linkKey, { type: 'flag', flag });
    }
  }

  /** Flags expire with their message: those of messages no longer held are dropped. */
  private forgetGone(): void {
    for (const [messageId, flags] of this.held) {
      if (this.options.messageOf(messageId) !== undefined) continue;
      this.held.delete(messageId);
      this.heldCount -= flags.length;
      this.tally.forget(messageId);
    }
  }

  private known(linkKey: string): RecentIds {
    let known = this.knownBy.get(linkKey);
    if (known === undefined) {
      known = new RecentIds(MAX_KNOWN_PER_LINK);
      this.knownBy.set(linkKey, known);
    }
    return known;
  }
}
