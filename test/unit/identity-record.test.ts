import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  IDENTITY_CLOCK_SKEW_MS,
  IDENTITY_IDLE_MS,
  IDENTITY_RECORD_VERSION,
  judgeIdentity,
  parseIdentityRecord,
  PRESENCE_SEQ_BLOCK,
  PresenceSeq,
} from '../../app/core/identity-record.ts';

const KEY = { kind: 'test-key' } as const;
const isKey = (value: unknown): value is typeof KEY => value === KEY;
const PUBLIC = 'A'.repeat(87);
const NOW = 1_700_000_000_000;

function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: IDENTITY_RECORD_VERSION,
    privateKey: KEY,
    publicKey: PUBLIC,
    username: 'Alice',
    usernameChangesLeft: 2,
    presenceSeqCeiling: 3_000,
    createdAtMs: NOW - 60_000,
    lastUsedMs: NOW,
    safety: { proof: { windowStartMs: Math.floor(NOW / 600_000) * 600_000, nonce: 42 }, blocked: [{ key: 'B'.repeat(87), username: 'Bob' }] },
    ...overrides,
  };
}

describe('identity expiry', () => {
  test('an identity is usable up to 30 minutes after its last use, and dropped from then on', () => {
    assert.equal(judgeIdentity({ lastUsedMs: NOW }, NOW), 'usable');
    assert.equal(judgeIdentity({ lastUsedMs: NOW }, NOW + IDENTITY_IDLE_MS - 1), 'usable');
    assert.equal(judgeIdentity({ lastUsedMs: NOW }, NOW + IDENTITY_IDLE_MS), 'expired');
    assert.equal(judgeIdentity({ lastUsedMs: NOW }, NOW + 24 * 3_600_000), 'expired');
  });

  test('a last use far in the future (a wrong clock, an edited record) is not trusted', () => {
    assert.equal(judgeIdentity({ lastUsedMs: NOW + IDENTITY_CLOCK_SKEW_MS }, NOW), 'usable');
    assert.equal(judgeIdentity({ lastUsedMs: NOW + IDENTITY_CLOCK_SKEW_MS + 1 }, NOW), 'from-the-future');
  });
});

describe('identity record read back from storage', () => {
  test('a record this version wrote comes back field for field', () => {
    const parsed = parseIdentityRecord(record(), isKey);
    assert.deepEqual(parsed, record());
    assert.equal(parseIdentityRecord(record({ username: null, usernameChangesLeft: 3 }), isKey)?.username, null);
  });

  test('the proof of work and the blocked people come back with it; a record without them starts with none; a bad one is refused', () => {
    assert.deepEqual(parseIdentityRecord(record(), isKey)?.safety, record()['safety']);
    assert.deepEqual(parseIdentityRecord(record({ safety: undefined }), isKey)?.safety, { proof: null, blocked: [] });
    assert.equal(parseIdentityRecord(record({ safety: { proof: 'x', blocked: [] } }), isKey), null);
    assert.equal(parseIdentityRecord(record({ safety: { proof: null, blocked: [{ key: 'short', username: 'Bob' }] } }), isKey), null);
  });

  test('anything else is refused: wrong version, key, name, counters, times, or not an object', () => {
    const bad: Array<[string, unknown]> = [
      ['null', null],
      ['a string', 'record'],
      ['an array', [record()]],
      ['another version', record({ version: 2 })],
      ['no version', record({ version: undefined })],
      ['a key the browser did not make', record({ privateKey: { kind: 'test-key' } })],
      ['a short public key', record({ publicKey: 'A'.repeat(86) })],
      ['an invalid username', record({ username: 'a' })],
      ['a username not in its normal form', record({ username: ' Alice ' })],
      ['more changes left than allowed', record({ usernameChangesLeft: 4 })],
      ['negative changes left', record({ usernameChangesLeft: -1 })],
      ['fractional changes left', record({ usernameChangesLeft: 1.5 })],
      ['a negative ceiling', record({ presenceSeqCeiling: -1 })],
      ['an infinite ceiling', record({ presenceSeqCeiling: Number.POSITIVE_INFINITY })],
      ['a ceiling as text', record({ presenceSeqCeiling: '3000' })],
      ['NaN last use', record({ lastUsedMs: Number.NaN })],
      ['last use before creation', record({ lastUsedMs: NOW - 120_000 })],
    ];
    for (const [label, value] of bad) assert.equal(parseIdentityRecord(value, isKey), null, label);
  });

  test('fields from elsewhere on the prototype are not read', () => {
    const inherited = Object.create(record()) as object;
    assert.equal(parseIdentityRecord(inherited, isKey), null);
  });
});

describe('presence sequence numbers', () => {
  test('a new identity reserves a block before its first number, and another when the block runs out', () => {
    const seq = new PresenceSeq(0);
    assert.deepEqual(seq.next(), { seq: 0, newCeiling: PRESENCE_SEQ_BLOCK });
    for (let index = 1; index < PRESENCE_SEQ_BLOCK; index += 1) assert.deepEqual(seq.next(), { seq: index, newCeiling: null });
    assert.deepEqual(seq.next(), { seq: PRESENCE_SEQ_BLOCK, newCeiling: 2 * PRESENCE_SEQ_BLOCK });
  });

  test('a page loaded later starts above every number an earlier page could have used', () => {
    const first = new PresenceSeq(0);
    let used = 0;
    for (let index = 0; index < 10; index += 1) used = first.next().seq;
    const reloaded = new PresenceSeq(first.ceiling);
    const { seq, newCeiling } = reloaded.next();
    assert.ok(seq > used, `${seq} > ${used}`);
    assert.equal(newCeiling, seq + PRESENCE_SEQ_BLOCK, 'the reloaded page saves its own block first');
  });
});
