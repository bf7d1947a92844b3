/**
 * A PeerNode described at once, as a reload does when the position is already known: our
 * claim must go out whether the proof of work was saved or still has to be made, and the
 * proof must not be asked for before it knows our key.
 */

import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { DEFAULT_MESH_POLICY } from '../../app/core/mesh-policy.ts';
import type { SafetyRecord } from '../../app/core/safety-record.ts';
import { powWindowStart, searchProofOfWork } from '../../app/core/proof-of-work.ts';
import { IdentityKeeper } from '../../app/identity/identity-keeper.ts';
import { MemoryIdentityStore } from '../../app/identity/identity-store.ts';
import { inlineProofMaker, type ProofMaker } from '../../app/identity/proof-maker.ts';
import { PeerNode, type PeerNodeEvents } from '../../app/session/peer-node.ts';
import { waitFor } from '../sim/wait-for.ts';

const DIFFICULTY_BITS = 4;
const SELF = { username: 'Ada', position: { lat: 48.8566, lon: 2.3522 }, radiusM: 500, inVoice: false };

/** A socket that never opens: these tests look at the node, not at a relay. */
class SilentSocket extends EventTarget {
  readonly readyState = 0;
  send(): void {}
  close(): void {}
}

interface Started {
  readonly node: PeerNode;
  /** Times the node said something shown changed (an announced claim is one). */
  readonly changes: () => number;
  readonly proofsMade: () => number;
}

function startNode(keeper: IdentityKeeper, saved: SafetyRecord): Started {
  let changes = 0;
  let proofsMade = 0;
  const events: PeerNodeEvents = {
    onChange: () => (changes += 1),
    onRelayState: () => undefined,
    onNeighbourUpdated: () => undefined,
    onNeighbourGone: () => undefined,
    onRemoteAudio: () => undefined,
    onDrop: () => undefined,
  };
  const countingMaker: ProofMaker = {
    make: (job, onProgress, signal) => {
      proofsMade += 1;
      return inlineProofMaker.make(job, onProgress, signal);
    },
  };
  const node = new PeerNode({
    relayUrl: 'ws://relay.test/ws',
    policy: DEFAULT_MESH_POLICY,
    voiceCap: 4,
    events,
    createSocket: () => new SilentSocket() as unknown as WebSocket,
    keeper,
    proofs: { difficultyBits: DIFFICULTY_BITS, maker: countingMaker },
    saved,
  });
  return { node, changes: () => changes, proofsMade: () => proofsMade };
}

describe('a PeerNode described right after it starts', () => {
  const warnings: string[] = [];
  beforeEach(() => {
    warnings.length = 0;
    mock.method(console, 'warn', (...parts: unknown[]) => warnings.push(parts.map(String).join(' ')));
  });
  afterEach(() => mock.restoreAll());

  test('announces our claim with the proof saved before a reload, without making another', async () => {
    const keeper = await IdentityKeeper.open({ store: new MemoryIdentityStore() });
    const proof = searchProofOfWork(keeper.identity.publicKey, powWindowStart(Date.now()), DIFFICULTY_BITS, 0, 1 << 20);
    assert.ok(proof !== null);
    const { node, changes, proofsMade } = startNode(keeper, { proof, blocked: [] });
    try {
      await node.describeSelf(SELF);
      assert.equal(changes(), 1, 'the claim went out');
      assert.equal(proofsMade(), 0, 'the saved proof was used');
      assert.deepEqual(warnings, []);
    } finally {
      node.dispose();
      keeper.dispose();
    }
  });

  test('announces our claim once a fresh proof is made, with no warning on the way', async () => {
    const keeper = await IdentityKeeper.open({ store: new MemoryIdentityStore() });
    const { node, changes, proofsMade } = startNode(keeper, { proof: null, blocked: [] });
    try {
      await node.describeSelf(SELF);
      // The description that the new proof set off (onProof) is the one that announces.
      await waitFor(() => changes() >= 1, { timeoutMs: 5_000, describe: () => 'the claim never went out' });
      assert.equal(proofsMade(), 1);
      assert.deepEqual(warnings, []);
    } finally {
      node.dispose();
      keeper.dispose();
    }
  });
});
