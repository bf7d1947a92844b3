import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFlag } from '../../app/core/flag.ts';
import { FLAGS_TO_COLLAPSE, FlagTally } from '../../app/core/flag-tally.ts';
import { IdentityAges, NEW_IDENTITY_MS } from '../../app/core/identity-ages.ts';
import { POW_WINDOW_MS, powWindowStart } from '../../app/core/proof-of-work.ts';

/** A fake clock moved by hand. */
const clock = { nowMs: 1_700_000_123_000 };
const DAN = 'D'.repeat(87);
const keys = ['A', 'B', 'C', 'E', 'F'].map((letter) => letter.repeat(87));

function setup(): { tally: FlagTally; ages: IdentityAges; ageOf: (key: string) => number } {
  const ages = new IdentityAges(100);
  return { tally: new FlagTally(), ages, ageOf: (key) => ages.ageMs(key, clock.nowMs) };
}

describe('flag tally', () => {
  test(`${FLAGS_TO_COLLAPSE} distinct identities seen for 2 minutes collapse a message; two do not`, () => {
    const { tally, ages, ageOf } = setup();
    for (const key of keys.slice(0, 3)) ages.observe(key, powWindowStart(clock.nowMs), clock.nowMs);
    clock.nowMs += NEW_IDENTITY_MS;
    tally.add('m1', DAN, keys[0] ?? '', 'spam');
    tally.add('m1', DAN, keys[1] ?? '', 'harassment');
    assert.equal(tally.isCollapsed('m1', ageOf), false, 'two flags');
    tally.add('m1', DAN, keys[2] ?? '', 'other');
    assert.equal(tally.isCollapsed('m1', ageOf), true, 'three flags');
    assert.equal(tally.isCollapsed('m2', ageOf), false, 'another message');
  });

  test('flags from identities younger than 2 minutes do not count until they are old enough', () => {
    const { tally, ages, ageOf } = setup();
    for (const key of keys.slice(0, 3)) {
      ages.observe(key, powWindowStart(clock.nowMs), clock.nowMs);
      tally.add('m1', DAN, key, 'spam');
    }
    clock.nowMs += NEW_IDENTITY_MS - 1;
    assert.equal(tally.isCollapsed('m1', ageOf), false);
    clock.nowMs += 1;
    assert.equal(tally.isCollapsed('m1', ageOf), true);
  });

  test('the same identity flagging twice counts once; the author flagging their own message counts not at all', () => {
    const { tally, ages, ageOf } = setup();
    for (const key of [...keys, DAN]) ages.observe(key, 0, clock.nowMs - 10 * NEW_IDENTITY_MS);
    assert.equal(tally.add('m1', DAN, keys[0] ?? '', 'spam'), 'added');
    assert.equal(tally.add('m1', DAN, keys[0] ?? '', 'harassment'), 'repeat');
    assert.equal(tally.add('m1', DAN, keys[1] ?? '', 'spam'), 'added');
    assert.equal(tally.add('m1', DAN, DAN, 'spam'), 'own-message');
    assert.equal(tally.countedFlaggers('m1', ageOf), 2);
    assert.equal(tally.isCollapsed('m1', ageOf), false);
  });

  test('flags are forgotten with their message', () => {
    const { tally, ages, ageOf } = setup();
    for (const key of keys.slice(0, 3)) {
      ages.observe(key, 0, clock.nowMs - 10 * NEW_IDENTITY_MS);
      tally.add('m1', DAN, key, 'spam');
    }
    assert.equal(tally.isCollapsed('m1', ageOf), true);
    tally.forget('m1');
    assert.equal(tally.isCollapsed('m1', ageOf), false);
  });
});

describe('identity ages', () => {
  test('an identity is as old as this peer has seen it, never older than its proof window, never back-dated', () => {
    const ages = new IdentityAges(10);
    const window = powWindowStart(clock.nowMs);
    // A proof whose window started 25 minutes ago says nothing about how long the key existed.
    ages.observe('old-proof', window - 2 * POW_WINDOW_MS, clock.nowMs);
    assert.equal(ages.ageMs('old-proof', clock.nowMs), 0);
    // A proof for a window 2 minutes ahead (clock skew): not vouched for before that window starts.
    ages.observe('future-proof', clock.nowMs + 60_000, clock.nowMs);
    assert.equal(ages.ageMs('future-proof', clock.nowMs + 60_000 + NEW_IDENTITY_MS - 1) < NEW_IDENTITY_MS, true);
    // Seeing it again later changes nothing; an unknown key is new.
    ages.observe('old-proof', window, clock.nowMs + 5 * 60_000);
    assert.equal(ages.ageMs('old-proof', clock.nowMs + 5 * 60_000), 5 * 60_000);
    assert.equal(ages.ageMs('never-seen', clock.nowMs), 0);
  });

  test('is bounded: the oldest sighting is forgotten first, and that key is new again', () => {
    const ages = new IdentityAges(2);
    ages.observe('a', 0, 0);
    ages.observe('b', 0, 0);
    ages.observe('c', 0, 0);
    assert.equal(ages.ageMs('a', 1_000_000), 0);
    assert.equal(ages.ageMs('c', 1_000_000), 1_000_000);
  });
});

describe('flags on the wire', () => {
  test('parses well-formed flags only', () => {
    const flag = { id: 'i'.repeat(22), messageId: 'm'.repeat(22), flagger: 'k'.repeat(87), reason: 'spam', sentAtMs: 5, pow: { windowStartMs: 0, nonce: 3 }, signature: 's'.repeat(86) };
    assert.deepEqual(parseFlag(flag), flag);
    for (const bad of [{ ...flag, reason: 'rude' }, { ...flag, messageId: 'short' }, { ...flag, pow: null }, { ...flag, sentAtMs: -1 }, { ...flag, signature: undefined }, 'flag']) {
      assert.equal(parseFlag(bad), null, JSON.stringify(bad));
    }
  });
});
