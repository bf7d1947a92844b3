import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Knocks } from '../../app/core/knocks.ts';
import type { PeerId } from '../../app/core/protocol.ts';

const ADA = 'A'.repeat(22) as PeerId;
const BOB = 'B'.repeat(22) as PeerId;
const CAROL = 'C'.repeat(22) as PeerId;

describe('Knocks', () => {
  test('knocks once per peer until that knock is over', () => {
    const knocks = new Knocks();
    assert.equal(knocks.note(ADA, 2_500), true);
    assert.equal(knocks.note(ADA, 3_000), false, 'already waiting on Ada');
    assert.equal(knocks.note(BOB, 2_500), true);
    knocks.forget(ADA);
    assert.equal(knocks.note(ADA, 5_000), true, 'a new knock once the first was forgotten');
  });

  test('an offer answers our knock only while we still wait for it, and ends it either way', () => {
    const knocks = new Knocks();
    knocks.note(ADA, 2_500);
    knocks.note(BOB, 2_500);
    assert.equal(knocks.answeredBy(ADA, 2_500), true, 'in time');
    assert.equal(knocks.answeredBy(ADA, 2_600), false, 'that knock is over');
    assert.equal(knocks.answeredBy(BOB, 2_501), false, 'too late: we were about to dial Bob ourselves');
    assert.equal(knocks.note(BOB, 9_000), true);
    assert.equal(knocks.answeredBy(CAROL, 0), false, 'never knocked on');
  });

  test('clear forgets every knock (a new relay id)', () => {
    const knocks = new Knocks();
    knocks.note(ADA, 2_500);
    knocks.clear();
    assert.equal(knocks.answeredBy(ADA, 0), false);
    assert.equal(knocks.note(ADA, 2_500), true);
  });
});
