import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkProofOfWork,
  leadingZeroBits,
  makeProofOfWork,
  parseProofOfWork,
  POW_DIFFICULTY_BITS,
  POW_MAX_AGE_MS,
  POW_MAX_FUTURE_MS,
  POW_WINDOW_MS,
  powWindowStart,
} from '../../app/core/proof-of-work.ts';
import { sha256 } from '@noble/hashes/sha2.js';

const KEY = `B${'a'.repeat(86)}`;
const OTHER_KEY = `C${'a'.repeat(86)}`;
/** A fake clock: a fixed instant inside a window, moved by hand. */
const T0 = 1_700_000_000_000;
const LOW_BITS = 10;

const hashBitsOf = (key: string, windowStartMs: number, nonce: number): number =>
  leadingZeroBits(sha256(new TextEncoder().encode(`NearTalk-pow-v1|${key}|${windowStartMs}|${nonce}`)));

describe('proof of work', () => {
  test('a proof made now is valid for its key, now and until its window is 30 minutes old', () => {
    const proof = makeProofOfWork(KEY, T0, LOW_BITS);
    assert.equal(proof.windowStartMs, powWindowStart(T0));
    assert.equal(proof.windowStartMs % POW_WINDOW_MS, 0);
    assert.ok(hashBitsOf(KEY, proof.windowStartMs, proof.nonce) >= LOW_BITS, 'the hash the spec names has the bits');
    assert.equal(checkProofOfWork(KEY, proof, T0, LOW_BITS), 'ok');
    assert.equal(checkProofOfWork(KEY, proof, proof.windowStartMs + POW_MAX_AGE_MS - 1, LOW_BITS), 'ok');
  });

  test('a proof is refused for another key', () => {
    const proof = makeProofOfWork(KEY, T0, LOW_BITS);
    // Deterministic: this nonce does not happen to meet 10 bits for the other key.
    assert.ok(hashBitsOf(OTHER_KEY, proof.windowStartMs, proof.nonce) < LOW_BITS);
    assert.equal(checkProofOfWork(OTHER_KEY, proof, T0, LOW_BITS), 'insufficient');
  });

  test('a proof whose window started 30 minutes ago or more is stale', () => {
    const proof = makeProofOfWork(KEY, T0, LOW_BITS);
    assert.equal(checkProofOfWork(KEY, proof, proof.windowStartMs + POW_MAX_AGE_MS, LOW_BITS), 'stale');
    assert.equal(checkProofOfWork(KEY, proof, T0 + 2 * 60 * 60 * 1000, LOW_BITS), 'stale');
  });

  test('a proof for a window more than 2 minutes ahead is refused as future', () => {
    const later = makeProofOfWork(KEY, T0 + 3 * POW_WINDOW_MS, LOW_BITS);
    assert.equal(checkProofOfWork(KEY, later, T0, LOW_BITS), 'future');
    assert.equal(checkProofOfWork(KEY, later, later.windowStartMs - POW_MAX_FUTURE_MS - 1, LOW_BITS), 'future');
    // Within the allowed clock skew it is accepted.
    assert.equal(checkProofOfWork(KEY, later, later.windowStartMs - POW_MAX_FUTURE_MS, LOW_BITS), 'ok');
  });

  test('a proof is judged against the difficulty: enough zero bits pass, one fewer than asked fails', () => {
    const proof = makeProofOfWork(KEY, T0, LOW_BITS);
    const bits = hashBitsOf(KEY, proof.windowStartMs, proof.nonce);
    assert.equal(checkProofOfWork(KEY, proof, T0, bits), 'ok');
    assert.equal(checkProofOfWork(KEY, proof, T0, bits + 1), 'insufficient');
    // The default is the product's constant: this cheap proof does not meet it.
    assert.ok(bits < POW_DIFFICULTY_BITS);
    assert.equal(checkProofOfWork(KEY, proof, T0), 'insufficient');
  });

  test('a proof at the product difficulty is made and checked with the defaults', () => {
    const proof = makeProofOfWork(KEY, T0);
    assert.equal(checkProofOfWork(KEY, proof, T0), 'ok');
    assert.ok(hashBitsOf(KEY, proof.windowStartMs, proof.nonce) >= POW_DIFFICULTY_BITS);
  });

  test('counts leading zero bits across bytes', () => {
    assert.equal(leadingZeroBits(new Uint8Array([0x80, 0])), 0);
    assert.equal(leadingZeroBits(new Uint8Array([0x01, 0xff])), 7);
    assert.equal(leadingZeroBits(new Uint8Array([0, 0x10])), 11);
    assert.equal(leadingZeroBits(new Uint8Array([0, 0])), 16);
  });

  test('parses only well-formed proofs from network data', () => {
    const windowStartMs = powWindowStart(T0);
    assert.deepEqual(parseProofOfWork({ windowStartMs, nonce: 12 }), { windowStartMs, nonce: 12 });
    for (const bad of [null, 'x', {}, { windowStartMs: windowStartMs + 1, nonce: 1 }, { windowStartMs, nonce: -1 }, { windowStartMs, nonce: 1.5 }, { windowStartMs: '0', nonce: 1 }, { windowStartMs, nonce: 2 ** 60 }]) {
      assert.equal(parseProofOfWork(bad), null, JSON.stringify(bad));
    }
  });
});
