/**
 * Small simulated meshes for tests: peers at given places over the in-memory transport
 * and the in-process relay, with fast links, and the waits and graph checks the tests
 * share. Every harness is disposed by the test that made it.
 */

import type { ChatMessage, DropReason } from '../../app/core/chat-message.ts';
import type { Position } from '../../app/core/position.ts';
import type { PresenceLimits } from '../../relay/cell-index.ts';
import type { LinkProfile } from './link-profile.ts';
import type { SimPolicy } from './node-options.ts';
import { offsetPosition, DEFAULT_AREA } from './placement.ts';
import { createRandom } from './prng.ts';
import { SimNetwork, type NewPeer } from './sim-network.ts';
import type { ProofMaker } from '../../app/identity/proof-maker.ts';
import type { SimPeer } from './sim-peer.ts';
import { waitFor } from './wait-for.ts';

/** Fast, lossless links: tests check behaviour, not timing. */
export const TEST_LINK_PROFILE: LinkProfile = {
  connectDelayMs: 10,
  connectJitterMs: 20,
  latencyMs: 2,
  jitterMs: 2,
  lossRate: 0,
  rtoMs: 200,
  failRate: 0,
};

export interface PeerSpec {
  readonly position: Position;
  readonly radiusM: number;
  /** The peer's own clock (e.g. skewed); the real one when absent. */
  readonly now?: () => number;
  /** How the peer makes its proof of work (a hostile peer's cheats); the simulation's way when absent. */
  readonly proofMaker?: ProofMaker;
}

/** `metres` north of the scenario centre. */
export const northOfCentre = (metres: number): Position => offsetPosition(DEFAULT_AREA.centre, metres, 0);

function newPeer(index: number, spec: PeerSpec): NewPeer {
  return {
    index,
    username: `Peer ${index}`,
    radiusM: spec.radiusM,
    ...(spec.now === undefined ? {} : { now: spec.now }),
    ...(spec.proofMaker === undefined ? {} : { proofMaker: spec.proofMaker }),
  };
}

export class Harness {
  private constructor(
    readonly network: SimNetwork,
    private readonly present: SimPeer[],
  ) {}

  /** Every peer, in index order (those added later last). */
  get peers(): readonly SimPeer[] {
    return this.present;
  }

  static async start(options: {
    readonly peers: readonly PeerSpec[];
    readonly policy: SimPolicy;
    readonly seed?: number;
    readonly presenceLimits?: PresenceLimits;
  }): Promise<Harness> {
    const network = await SimNetwork.start({
      transport: 'memory',
      relay: 'hub',
      random: createRandom(options.seed ?? 1),
      profile: TEST_LINK_PROFILE,
      relayLatency: { latencyMs: 1, jitterMs: 1 },
      policy: options.policy,
      expectedPeers: options.peers.length,
      isTrackingLinks: true,
      ...(options.presenceLimits === undefined ? {} : { presenceLimits: options.presenceLimits }),
    });
    const peers = options.peers.map((spec, index) => network.addPeer(newPeer(index, spec)));
    const harness = new Harness(network, peers);
    try {
      await Promise.all(peers.map((peer, index) => peer.moveTo(options.peers[index]?.position ?? DEFAULT_AREA.centre)));
    } catch (err: unknown) {
      await harness.dispose();
      throw err;
    }
    return harness;
  }

  /** A newcomer: joins at `spec` once the others are there; resolves when it has said where it is. */
  async addPeer(spec: PeerSpec): Promise<SimPeer> {
    const index = this.present.length;
    const peer = this.network.addPeer(newPeer(index, spec));
    this.present.push(peer);
    await peer.moveTo(spec.position);
    return peer;
  }

  peer(index: number): SimPeer {
    const peer = this.peers[index];
    if (peer === undefined) throw new RangeError(`no peer ${index}`);
    return peer;
  }

  /** Open links of each peer, in index order. */
  linkCounts(): number[] {
    return this.peers.map((peer) => this.network.registry.openCount(peer.index));
  }

  /** Whether the open links join every peer into one graph. */
  isConnected(): boolean {
    const reached = new Set<number>([0]);
    const pending = [0];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      for (const neighbour of this.network.registry.neighboursOf(next)) {
        if (!reached.has(neighbour)) {
          reached.add(neighbour);
          pending.push(neighbour);
        }
      }
    }
    return reached.size === this.peers.length;
  }

  /** Waits until every peer has at least `minLinks` open links and the overlay is one piece. */
  async settle(minLinks: number, timeoutMs: number): Promise<void> {
    await waitFor(() => this.linkCounts().every((count) => count >= minLinks) && this.isConnected(), {
      timeoutMs,
      describe: () => `links per peer ${this.linkCounts().join(',')}, connected: ${this.isConnected()}`,
    });
  }

  /** Peer `index` writes `text`; resolves with the signed message. */
  async say(index: number, text: string): Promise<ChatMessage> {
    const sent = await this.peer(index).say(text);
    if (sent === null) throw new Error(`peer ${index} could not send`);
    return sent.message;
  }

  /** Indexes of peers whose store holds `id`. */
  holders(id: string): number[] {
    return this.peers.filter((peer) => peer.node.router.store.has(id)).map((peer) => peer.index);
  }

  /** Waits until each of `indexes` holds message `id`. */
  async waitForDelivery(id: string, indexes: readonly number[], timeoutMs: number): Promise<void> {
    await waitFor(() => indexes.every((index) => this.peer(index).node.router.store.has(id)), {
      timeoutMs,
      describe: () => `held by ${this.holders(id).join(',')} of ${indexes.join(',')}`,
    });
  }

  /** Drops counted so far, over all peers. */
  drops(reason: DropReason): number {
    return this.network.drops.get(reason) ?? 0;
  }

  /** Sends raw text from peer `from` to peer `to` over their open link (uncounted), as a hostile peer would. */
  injectRaw(from: number, to: number, text: string): void {
    const link = this.network.registry.openLink(from, to);
    if (link === undefined || !link.send(text)) throw new Error(`no open link from ${from} to ${to}`);
  }

  /** Counted frames that carried message `id`, by sending peer. */
  sendsOf(id: string): Map<number, number> {
    const bySender = new Map<number, number>();
    for (const [linkKey, counts] of this.network.registry.tally.perLink) {
      const count = counts.get(id) ?? 0;
      const sender = this.network.registry.ownerOf(linkKey.split('>')[0] ?? '');
      if (count > 0 && sender !== undefined) bySender.set(sender, (bySender.get(sender) ?? 0) + count);
    }
    return bySender;
  }

  /** Counted message bodies sent to peer `index`, by message id, over all its links. */
  bodiesInto(index: number): Map<string, number> {
    const byId = new Map<string, number>();
    for (const [linkKey, counts] of this.network.registry.tally.perLink) {
      if (this.network.registry.ownerOf(linkKey.split('>')[1] ?? '') !== index) continue;
      for (const [id, count] of counts) byId.set(id, (byId.get(id) ?? 0) + count);
    }
    return byId;
  }

  /**
   * For each directed link that touches peer `index` (`from>to`, by owner indices): the
   * most times any one message id was offered over it in `have` frames.
   */
  mostOffersPerIdOnLinksOf(index: number): Map<string, number> {
    const result = new Map<string, number>();
    for (const [linkKey, counts] of this.network.registry.tally.offeredPerLink) {
      const [from, to] = linkKey.split('>').map((relayId) => this.network.registry.ownerOf(relayId));
      if (from !== index && to !== index) continue;
      result.set(`${from}>${to}`, Math.max(0, ...counts.values()));
    }
    return result;
  }

  dispose(): Promise<void> {
    return this.network.dispose();
  }
}
