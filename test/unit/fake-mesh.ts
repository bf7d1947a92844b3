/**
 * A `Mesh` on fake links for unit tests: the links never open by themselves, record what
 * the mesh asks of them, and report their end as `PeerLink` does (a close or a failure
 * reaches the mesh at once).
 */

import type { MeshPolicyConfig } from '../../app/core/mesh-policy.ts';
import type { IceServer, PeerId } from '../../app/core/protocol.ts';
import { Mesh, type MeshEvents } from '../../app/net/mesh.ts';
import type { MeshLink, PeerLinkOptions } from '../../app/net/peer-link.ts';

export class FakeLink implements MeshLink {
  readonly localId: PeerId;
  readonly remoteId: PeerId;
  state: MeshLink['state'] = 'connecting';
  readonly iceServerUpdates: Array<readonly IceServer[]> = [];

  constructor(readonly options: PeerLinkOptions) {
    this.localId = options.localId;
    this.remoteId = options.remoteId;
  }

  send(): boolean {
    return false;
  }
  async setAudio(): Promise<void> {}
  async receiveSignal(): Promise<void> {}
  close(): void {
    this.end('closed');
  }
  setIceServers(iceServers: readonly IceServer[]): void {
    this.iceServerUpdates.push(iceServers);
  }
  fail(turnTrouble?: 'refused' | 'unreachable'): void {
    this.end('failed', turnTrouble);
  }

  private end(state: 'closed' | 'failed', turnTrouble?: 'refused' | 'unreachable'): void {
    if (this.state === 'closed' || this.state === 'failed') return;
    this.state = state;
    this.options.onClose(state, turnTrouble);
  }
}

/** Options for one link made by hand in a test: every callback does nothing unless overridden. */
export function quietLinkOptions(localId: string, remoteId: string, overrides: Partial<PeerLinkOptions> = {}): PeerLinkOptions {
  return {
    localId: localId as PeerId,
    remoteId: remoteId as PeerId,
    iceServers: [],
    sendViaRelay: () => true,
    onOpen: () => {},
    onFrame: () => {},
    onClose: () => {},
    onRemoteAudio: () => {},
    wrapNegotiation: (data) => JSON.stringify(data),
    ...overrides,
  };
}

export interface FakeMeshOptions {
  readonly policy: MeshPolicyConfig;
  readonly now?: () => number;
  readonly events?: Partial<MeshEvents>;
  /** Keys we blocked; nobody by default. */
  readonly isBlocked?: (key: string) => boolean;
  /** Whether a claim's proof of work passes; every one by default. */
  readonly acceptsProof?: () => boolean;
  /** Signals the mesh sends through the relay, when recorded. */
  readonly sentSignals?: Array<{ to: string; data: unknown }>;
}

/** A mesh whose links are `FakeLink`s, in `links` in the order they were made. */
export function meshOnFakeLinks(options: FakeMeshOptions): { mesh: Mesh; links: FakeLink[] } {
  const links: FakeLink[] = [];
  const mesh = new Mesh({
    policy: options.policy,
    voiceCap: 6,
    now: options.now ?? (() => 0),
    signText: async () => 'signature',
    verifyText: async () => true,
    acceptsUsername: () => true,
    acceptsProof: options.acceptsProof ?? (() => true),
    ...(options.isBlocked === undefined ? {} : { isBlocked: options.isBlocked }),
    sendSignal: (to, data) => {
      options.sentSignals?.push({ to, data });
      return true;
    },
    createLink: (linkOptions) => {
      const link = new FakeLink(linkOptions);
      links.push(link);
      return link;
    },
    events: {
      onPresence: () => undefined,
      onNeighbourGone: () => undefined,
      onChatFrame: async () => undefined,
      onDrop: () => undefined,
      onLinksChanged: () => undefined,
      onRemoteAudio: () => undefined,
      ...options.events,
    },
  });
  return { mesh, links };
}
