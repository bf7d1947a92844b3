/**
 * One simulated person: a real PeerNode plus what the simulation must remember about it
 * (its shared position and radius over time, when it left). Actions run one after
 * another, in the order they were asked for, as a person's would.
 */

import type { ChatMessage, DropReason } from '../../app/core/chat-message.ts';
import { quantizePosition, type Position } from '../../app/core/position.ts';
import { PeerNode, type PeerNodeEvents } from '../../app/session/peer-node.ts';
import type { PeerState, PeerTimeline } from './ground-truth.ts';
import { nodeOptions, type NodeWiring, type SimPolicy } from './node-options.ts';

export interface SimPeerOptions {
  readonly index: number;
  readonly username: string;
  readonly radiusM: number;
  readonly wiring: NodeWiring;
  readonly policy: SimPolicy | null;
  /** The simulation's clock (timelines and latencies), not the peer's. */
  readonly clock: () => number;
  readonly onDrop?: (reason: DropReason) => void;
}

export class SimPeer implements PeerTimeline {
  readonly index: number;
  readonly username: string;
  readonly radiusM: number;
  readonly node: PeerNode;
  readonly states: PeerState[] = [];
  leftAtMs: number | null = null;
  private readonly clock: () => number;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: SimPeerOptions) {
    this.index = options.index;
    this.username = options.username;
    this.radiusM = options.radiusM;
    this.clock = options.clock;
    const onDrop = options.onDrop ?? (() => undefined);
    const events: PeerNodeEvents = {
      onChange: () => undefined,
      onRelayState: () => undefined,
      onNeighbourUpdated: () => undefined,
      onNeighbourGone: () => undefined,
      onRemoteAudio: () => undefined,
      onDrop,
    };
    this.node = new PeerNode(nodeOptions(options.wiring, options.policy, events));
  }

  get isPresent(): boolean {
    return this.states.length > 0 && this.leftAtMs === null;
  }

  /** The shared position now (null before arriving). */
  get position(): Position | null {
    return this.states.at(-1)?.position ?? null;
  }

  /** Says where we are (first arrival or a move), as the app does after its move throttle. */
  moveTo(raw: Position): Promise<void> {
    return this.enqueue(async () => {
      if (this.leftAtMs !== null) return;
      const position = quantizePosition(raw);
      await this.node.describeSelf({ username: this.username, position, radiusM: this.radiusM, inVoice: false });
      this.states.push({ atMs: this.clock(), position, radiusM: this.radiusM });
    });
  }

  /**
   * Writes a message as the app would (refused when receivers' rate limit would drop it).
   * Resolves with the message and the simulation time it was sent, or null if refused.
   */
  say(text: string): Promise<{ readonly message: ChatMessage; readonly sentAtMs: number } | null> {
    return this.enqueue(async () => {
      const key = this.node.key;
      const position = this.position;
      const nowMs = Date.now();
      if (this.leftAtMs !== null || key === null || position === null || !this.node.router.canPublish(key, nowMs)) return null;
      const sentAtMs = this.clock();
      const message = await this.node.publish({ username: this.username, text, sentAtMs: nowMs, position, radiusM: this.radiusM });
      return { message, sentAtMs };
    });
  }

  /** Leaves: the relay connection and every link close. Idempotent. */
  leave(): void {
    if (this.leftAtMs !== null) return;
    this.leftAtMs = this.clock();
    this.node.dispose();
  }

  private enqueue<T>(action: () => Promise<T>): Promise<T> {
    const result = this.queue.then(action);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
