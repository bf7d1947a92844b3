/**
 * The one place that turns the simulation's connection policy into PeerNode options, and
 * reads back the link cap a node enforces. When PeerNode's options change (a `policy`
 * replacing `linkBudget`), only this file changes.
 */

import { DEFAULT_MESH_POLICY } from '../../app/core/mesh-policy.ts';
import { DEFAULT_VOICE_CAP } from '../../app/core/voice-policy.ts';
import type { ProofMaker } from '../../app/identity/proof-maker.ts';
import type { LinkFactory } from '../../app/net/peer-link.ts';
import type { PeerNode, PeerNodeEvents, PeerNodeOptions } from '../../app/session/peer-node.ts';

/**
 * Proof-of-work difficulty of simulated peers: 2^8 hashes (about a millisecond) instead of
 * the app's second, so thousands of peers start quickly. Every claim and message is still
 * checked against it, so a key without a proof is refused in the simulation as in the app.
 */
export const SIM_POW_DIFFICULTY_BITS = 8;

/** A gossipsub-style degree policy: target D, low and high water marks. */
export interface SimPolicy {
  readonly degree: number;
  readonly degreeLow: number;
  readonly degreeHigh: number;
}

/** How one simulated peer reaches the relay and its neighbours. */
export interface NodeWiring {
  readonly relayUrl: string;
  readonly createSocket: (url: string) => WebSocket;
  readonly createLink: LinkFactory;
  /** The peer's clock; the real one when absent. */
  readonly now?: () => number;
  /** How the peer makes its proof of work; inline at SIM_POW_DIFFICULTY_BITS when absent. */
  readonly proofMaker?: ProofMaker;
}

/** PeerNode options for one simulated peer. `policy` null: the app's defaults. */
export function nodeOptions(wiring: NodeWiring, policy: SimPolicy | null, events: PeerNodeEvents): PeerNodeOptions {
  return {
    relayUrl: wiring.relayUrl,
    policy: policy ?? DEFAULT_MESH_POLICY,
    voiceCap: DEFAULT_VOICE_CAP,
    events,
    createSocket: wiring.createSocket,
    createLink: wiring.createLink,
    proofs: { difficultyBits: SIM_POW_DIFFICULTY_BITS, ...(wiring.proofMaker === undefined ? {} : { maker: wiring.proofMaker }) },
    ...(wiring.now === undefined ? {} : { now: wiring.now }),
  };
}

/** Most links `node` will hold at once, as it enforces it. */
export function linkCapOf(node: PeerNode): number {
  return node.mesh.hardCap;
}

/** Checks a policy's shape: 1 ≤ D_low ≤ D ≤ D_high. */
export function checkPolicy(policy: SimPolicy): SimPolicy {
  const { degree, degreeLow, degreeHigh } = policy;
  if (![degree, degreeLow, degreeHigh].every((value) => Number.isInteger(value) && value >= 1)) {
    throw new TypeError('degree, degreeLow and degreeHigh must be positive integers');
  }
  if (!(degreeLow <= degree && degree <= degreeHigh)) throw new TypeError('need degreeLow ≤ degree ≤ degreeHigh');
  return policy;
}
