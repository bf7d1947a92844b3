/**
 * The relay's own fuzz suite (issue 17): a seeded corpus of hostile frames over every
 * kind in `test/fuzz/frame-corpus.ts`, and connection-level attacks (malformed HTTP,
 * WebSocket framing errors through raw sockets, abuse limits), each outcome asserted;
 * then the relay must still serve, and hold nothing for the attackers. A longer run:
 * `npm run fuzz:relay -- --frames 100000 --seed 7`.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRandom, FRAME_KIND_COUNT } from '../fuzz/frame-corpus.ts';
import { CONNECTION_KINDS, runConnectionKinds } from '../fuzz/connection-kinds.ts';
import { FUZZ_LIMITS, checkAfterFuzz } from '../fuzz/after-fuzz.ts';
import { runFrameFuzz } from '../fuzz/relay-fuzz.ts';
import { startRelay } from './relay-harness.ts';

const SEED = 17;
const FRAMES = 5_000;

describe('relay fuzz', () => {
  test(`${FRAMES} hostile frames over every kind: each answered as it must be, nothing delivered to others`, async () => {
    assert.ok(FRAME_KIND_COUNT + CONNECTION_KINDS.length >= 30, 'at least 30 kinds');
    const running = await startRelay(FUZZ_LIMITS);
    const report = await runFrameFuzz(running.url, SEED, FRAMES);
    assert.deepEqual(report.failures, []);
    assert.equal(report.frames, FRAMES);
    assert.equal(report.kinds.size, FRAME_KIND_COUNT, 'every kind was sent');
    assert.deepEqual(await checkAfterFuzz(running), []);
    await running.relay.close();
  });

  test('connection-level attacks: malformed HTTP, framing errors, abuse limits', async () => {
    // A slow refill, so that a flood from this process is a flood whatever the machine's load.
    const running = await startRelay({ handshakeTimeoutMs: 300, rateLimitPerSecond: 1 });
    const failures = await runConnectionKinds(running.relay.address().port, createRandom(SEED), 2);
    assert.deepEqual(failures, []);
    assert.deepEqual(await checkAfterFuzz(running), []);
    await running.relay.close();
  });
});
