import assert from 'node:assert/strict';
import { test } from 'node:test';
import { POW_DIFFICULTY_BITS } from '../../app/core/proof-of-work.ts';
import { pageDifficultyBits, TEST_DIFFICULTY_GLOBAL } from '../../app/session/page-difficulty.ts';

test("a page asks the product's difficulty unless a test driver set a lower one", () => {
  assert.equal(pageDifficultyBits({}), POW_DIFFICULTY_BITS);
  assert.equal(pageDifficultyBits({ [TEST_DIFFICULTY_GLOBAL]: 12 }), 12);
  assert.equal(pageDifficultyBits({ [TEST_DIFFICULTY_GLOBAL]: 1 }), 1);
  assert.equal(pageDifficultyBits({ [TEST_DIFFICULTY_GLOBAL]: POW_DIFFICULTY_BITS }), POW_DIFFICULTY_BITS);
});

test("anything but a whole number from 1 to the product's difficulty is ignored, with a warning", (context) => {
  const warn = context.mock.method(console, 'warn', () => undefined);
  for (const value of [0, -3, 12.5, POW_DIFFICULTY_BITS + 1, Number.NaN, '12', null, {}]) {
    assert.equal(pageDifficultyBits({ [TEST_DIFFICULTY_GLOBAL]: value }), POW_DIFFICULTY_BITS, `for ${String(value)}`);
  }
  assert.equal(warn.mock.callCount(), 8);
});
