import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PeerId } from '../../app/core/protocol.ts';
import { RefusedPeers } from '../../app/net/refused-peers.ts';

const BOB = 'bbbbbbbbbbbbbbbbbbbbbb' as PeerId;
const BOB_AGAIN = 'BBBBBBBBBBBBBBBBBBBBBB' as PeerId;
const CAROL = 'cccccccccccccccccccccc' as PeerId;

describe('refused peers', () => {
  test('a blocked key is refused under every relay id it showed up with, until it is unblocked', () => {
    const refused = new RefusedPeers();
    refused.block(BOB, 'bob-key');
    refused.block(BOB_AGAIN, 'bob-key');
    refused.block(CAROL, 'carol-key');
    refused.forget(BOB);
    assert.ok(refused.refuses(BOB, 0), 'leaving the relay does not lift a block');
    assert.deepEqual(refused.unblock('bob-key').sort(), [BOB_AGAIN, BOB].sort());
    assert.ok(!refused.refuses(BOB, 0));
    assert.ok(!refused.refuses(BOB_AGAIN, 0));
    assert.ok(refused.refuses(CAROL, 0), 'another blocked key stays refused');
  });

  test('an unpaid key is refused until its time is up, or until its relay id leaves', () => {
    const refused = new RefusedPeers();
    refused.refuseUnproven(BOB, 1_000, 61_000);
    refused.refuseUnproven(CAROL, 1_000, 61_000);
    assert.ok(refused.refuses(BOB, 60_999));
    assert.ok(!refused.refuses(BOB, 61_000));
    refused.forget(CAROL);
    assert.ok(!refused.refuses(CAROL, 2_000));
  });
});
