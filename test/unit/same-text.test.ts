import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldSameText } from '../../app/core/same-text.ts';

const at = (id: string, author: string, text: string, sentAtMs: number) => ({ id, author, text, sentAtMs });

test('the same text from 3 or more people within a minute folds into its first copy', () => {
  const { heads, folded } = foldSameText([
    at('1', 'a', 'Free tokens!', 0),
    at('2', 'b', 'free  tokens! ', 10_000),
    at('3', 'c', 'hello', 20_000),
    at('4', 'c', 'FREE TOKENS!', 30_000),
    at('5', 'd', 'Free tokens!', 59_000),
    at('6', 'e', 'Free tokens!', 61_000),
  ]);
  assert.deepEqual([...heads], [['1', 4]]);
  assert.deepEqual([...folded].sort(), ['2', '4', '5']);
});

test('two people, or one person repeating, do not fold', () => {
  const { heads, folded } = foldSameText([at('1', 'a', 'hi', 0), at('2', 'b', 'hi', 1_000), at('3', 'a', 'spam', 0), at('4', 'a', 'spam', 1), at('5', 'a', 'spam', 2)]);
  assert.equal(heads.size, 0);
  assert.equal(folded.size, 0);
});
