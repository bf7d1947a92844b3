/**
 * Sits between every simulated peer's mesh and its transport (WebRTC or in-memory): knows
 * which peer owns which link, counts open links per peer at every open and close (so the
 * maximum over a run is exact, not sampled), and tallies every frame sent.
 */

import type { PeerId } from '../../app/core/protocol.ts';
import type { LinkFactory, LinkState, MeshLink } from '../../app/net/peer-link.ts';
import { FrameTally } from './frame-tally.ts';
import type { PathTracer } from './path-tracer.ts';

export interface LinkCounts {
  readonly made: number;
  readonly opened: number;
  readonly failed: number;
  readonly retired: number;
  /**
   * How long each link that opened took, from its end being made to open (ms): in the
   * simulator this includes the queueing of every peer's handshakes on the same cores.
   */
  readonly setupMs: readonly number[];
  /** From each peer's arrival to its first open link (ms): how long a newcomer is out of the mesh. */
  readonly firstLinkMs: readonly number[];
}

interface LinkRecord {
  readonly owner: number;
  readonly link: MeshLink;
  isOpen: boolean;
}

/** A link as the mesh sees it, with every accepted send counted. */
class CountedLink implements MeshLink {
  constructor(
    private readonly inner: MeshLink,
    private readonly tally: FrameTally,
    private readonly onClosing: () => void,
    private readonly onSent: (text: string) => void,
  ) {}

  get localId(): PeerId {
    return this.inner.localId;
  }

  get remoteId(): PeerId {
    return this.inner.remoteId;
  }

  get state(): LinkState {
    return this.inner.state;
  }

  send(text: string): boolean {
    const isSent = this.inner.send(text);
    if (isSent) {
      this.tally.record(this.inner.localId, this.inner.remoteId, text);
      this.onSent(text);
    }
    return isSent;
  }

  setAudio(track: MediaStreamTrack | null, isExchanging: boolean): Promise<void> {
    return this.inner.setAudio(track, isExchanging);
  }

  receiveSignal(...signal: Parameters<MeshLink['receiveSignal']>): Promise<void> {
    return this.inner.receiveSignal(...signal);
  }

  close(): void {
    this.onClosing();
    this.inner.close();
  }
}

export class LinkRegistry {
  readonly tally: FrameTally;
  private readonly records = new Set<LinkRecord>();
  private readonly openCounts = new Map<number, number>();
  private readonly ownerOfRelayId = new Map<string, number>();
  private maxOpen = 0;
  private readonly maxOpenByOwner = new Map<number, number>();
  private linksMade = 0;
  private linksOpened = 0;
  private linksFailed = 0;
  private linksRetired = 0;
  private readonly setupDurations: number[] = [];
  /** Owner → when it arrived, until its first link opens. */
  private readonly awaitingFirstLink = new Map<number, number>();
  private readonly firstLinkDurations: number[] = [];
  private readonly leavingOwners = new Set<number>();

  constructor(
    tally: FrameTally = new FrameTally(),
    /** Follows every message's path over the links (the bench's delivery breakdown). */
    private readonly tracer: PathTracer | null = null,
  ) {
    this.tally = tally;
  }

  /** The factory peer `owner` hands its mesh: `inner`'s links, counted. */
  factoryFor(owner: number, inner: LinkFactory): LinkFactory {
    return (options) => {
      this.ownerOfRelayId.set(options.localId, owner);
      this.linksMade += 1;
      const madeAtMs = performance.now();
      let record: LinkRecord | undefined;
      const link = inner({
        ...options,
        onOpen: () => {
          if (record !== undefined && !record.isOpen) {
            record.isOpen = true;
            this.linksOpened += 1;
            this.setupDurations.push(performance.now() - madeAtMs);
            const arrivedAtMs = this.awaitingFirstLink.get(owner);
            if (arrivedAtMs !== undefined) {
              this.firstLinkDurations.push(performance.now() - arrivedAtMs);
              this.awaitingFirstLink.delete(owner);
            }
            this.changeOpenCount(owner, 1);
            const remote = this.ownerOf(options.remoteId);
            if (remote !== undefined) this.tracer?.opened(owner, remote);
          }
          options.onOpen();
        },
        onFrame: (text) => {
          const remote = this.tracer === null ? undefined : this.ownerOf(options.remoteId);
          if (remote !== undefined) this.tracer?.received(owner, remote, text);
          options.onFrame(text);
        },
        onClose: (state) => {
          if (record !== undefined) {
            if (record.isOpen) this.changeOpenCount(owner, -1);
            record.isOpen = false;
            this.records.delete(record);
          }
          if (state === 'failed') this.linksFailed += 1;
          options.onClose(state);
        },
      });
      record = { owner, link, isOpen: false };
      this.records.add(record);
      const onSent = (text: string): void => {
        const remote = this.tracer === null ? undefined : this.ownerOf(options.remoteId);
        if (remote !== undefined) this.tracer?.sent(owner, remote, text);
      };
      return new CountedLink(
        link,
        this.tally,
        () => {
          if (record?.isOpen === true && !this.leavingOwners.has(owner)) this.linksRetired += 1;
        },
        onSent,
      );
    };
  }

  /** Open links of one peer now. */
  openCount(owner: number): number {
    return this.openCounts.get(owner) ?? 0;
  }

  /** Most open links any peer had at any moment. */
  get maxOpenEver(): number {
    return this.maxOpen;
  }

  /** Most open links `owner` had at any moment. */
  maxOpenOf(owner: number): number {
    return this.maxOpenByOwner.get(owner) ?? 0;
  }

  /** Peer `owner` is leaving: the links it closes from now on are not churn. */
  markLeaving(owner: number): void {
    this.leavingOwners.add(owner);
    this.awaitingFirstLink.delete(owner);
  }

  /** Peer `owner` arrived (joined the relay): the time to its first open link starts. */
  markArrived(owner: number): void {
    this.awaitingFirstLink.set(owner, performance.now());
  }

  /**
   * Link ends created, those that opened, those that failed (the rest were closed before
   * opening, e.g. refused as busy), and open links closed by a peer that stayed (the
   * policy's prunes and duplicate links after a relay reconnect: the mesh's churn).
   */
  get counts(): LinkCounts {
    return { made: this.linksMade, opened: this.linksOpened, failed: this.linksFailed, retired: this.linksRetired, setupMs: [...this.setupDurations], firstLinkMs: [...this.firstLinkDurations] };
  }

  /** Peer `owner` (in another worker) holds relay id `relayId`. */
  learnOwner(relayId: string, owner: number): void {
    this.ownerOfRelayId.set(relayId, owner);
  }

  /** The peer that holds relay id `relayId` (known once it has made a link, or learnt). */
  ownerOf(relayId: string): number | undefined {
    return this.ownerOfRelayId.get(relayId);
  }

  /** The open link from peer `from` to peer `to`, if any (the raw transport link, uncounted). */
  openLink(from: number, to: number): MeshLink | undefined {
    for (const record of this.records) {
      if (record.owner === from && record.isOpen && this.ownerOf(record.link.remoteId) === to) return record.link;
    }
    return undefined;
  }

  /** Peers that `owner` has an open link to. */
  neighboursOf(owner: number): number[] {
    const result: number[] = [];
    for (const record of this.records) {
      const remote = this.ownerOf(record.link.remoteId);
      if (record.owner === owner && record.isOpen && remote !== undefined) result.push(remote);
    }
    return result;
  }

  /**
   * How many separate groups `owners` form over open links (1: everyone can reach
   * everyone, hop by hop). A mesh that is linked but split stays split while the relay is
   * away, since new links need it for signalling.
   */
  componentCount(owners: readonly number[]): number {
    const adjacency = this.openAdjacency(owners);
    const seen = new Set<number>();
    let components = 0;
    for (const start of owners) {
      if (seen.has(start)) continue;
      components += 1;
      for (const reached of reachable(adjacency, start)) seen.add(reached);
    }
    return components;
  }

  /**
   * The peers among `owners` that `start` reaches over open links without leaving `owners`
   * (a link leads from each end recorded open: in a run both ends of a link are recorded).
   */
  reachableWithin(start: number, owners: readonly number[]): ReadonlySet<number> {
    return reachable(this.openAdjacency(owners), start);
  }

  /** Open link ends between `owners`: each leads from the peer that holds it to the other. */
  private openAdjacency(owners: readonly number[]): Map<number, number[]> {
    const adjacency = new Map<number, number[]>(owners.map((owner) => [owner, []]));
    for (const record of this.records) {
      const remote = this.ownerOf(record.link.remoteId);
      if (record.isOpen && remote !== undefined && adjacency.has(remote)) adjacency.get(record.owner)?.push(remote);
    }
    return adjacency;
  }

  private changeOpenCount(owner: number, by: number): void {
    const count = (this.openCounts.get(owner) ?? 0) + by;
    this.openCounts.set(owner, count);
    if (count > this.maxOpen) this.maxOpen = count;
    if (count > (this.maxOpenByOwner.get(owner) ?? 0)) this.maxOpenByOwner.set(owner, count);
  }
}

/** Every node `start` reaches in `adjacency` (itself included, if it is a node). */
function reachable(adjacency: ReadonlyMap<number, readonly number[]>, start: number): Set<number> {
  const seen = new Set<number>();
  if (!adjacency.has(start)) return seen;
  seen.add(start);
  const stack = [start];
  for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
    for (const next of adjacency.get(current) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}
