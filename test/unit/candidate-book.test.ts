import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUSY_BACKOFF_FIRST_MS, BUSY_BACKOFF_MAX_MS, CandidateBook } from '../../app/core/candidate-book.ts';
import type { PeerId } from '../../app/core/protocol.ts';

const pid = (letter: string) => letter.repeat(22) as PeerId;
const A = pid('a');
const B = pid('b');

describe('candidate book', () => {
  test('a peer listed in another cell than before is reported as moved, by a join answer or a single arrival', () => {
    const book = new CandidateBook();
    assert.deepEqual(book.replace([{ id: A, home: 'u09tvw' }, { id: B, home: 'u09tvw' }], 0), []);
    assert.deepEqual(book.replace([{ id: A, home: 'u09tvx' }, { id: B, home: 'u09tvw' }], 1), [A]);
    assert.equal(book.add({ id: B, home: 'u09tvw' }, 2), false, 'a new join in the same cell is not a move');
    assert.equal(book.add({ id: B, home: 'u09tvy' }, 3), true);
    assert.equal(book.firstSeenAt(A), 0, 'first heard of when it was first listed');
    assert.deepEqual([...book.listed()], [[A, 'u09tvx'], [B, 'u09tvy']]);
  });

  test('"busy" holds a peer off 10 s, then twice as long each time up to 5 min; an open link resets it', () => {
    const book = new CandidateBook();
    const holds: number[] = [];
    for (let refusal = 0; refusal < 8; refusal += 1) {
      book.refusedBusy(A, 1_000);
      holds.push(book.heldUntil(A) - 1_000);
    }
    assert.deepEqual(holds.slice(0, 3), [BUSY_BACKOFF_FIRST_MS, 2 * BUSY_BACKOFF_FIRST_MS, 4 * BUSY_BACKOFF_FIRST_MS]);
    assert.equal(Math.max(...holds), BUSY_BACKOFF_MAX_MS);
    book.linkOpened(A);
    book.refusedBusy(A, 0);
    assert.equal(book.heldUntil(A), BUSY_BACKOFF_FIRST_MS);
  });

  test('a failed peer is unreachable until a link opens or it leaves; one that left is never named', () => {
    const book = new CandidateBook();
    book.add({ id: A, home: 'u09tvw' }, 0);
    book.linkFailed(A, 'refused', 60_000);
    assert.deepEqual(book.unreachable(), [A]);
    assert.equal(book.turnTrouble(), 'refused');
    assert.equal(book.heldUntil(A), 60_000);
    assert.equal(book.remove(A, false), true, 'leaving takes it off the list');
    book.linkFailed(A, null, 60_000);
    assert.deepEqual(book.unreachable(), [], 'a link to a departed peer that fails later does not name it again');
    book.add({ id: A, home: 'u09tvw' }, 1);
    book.linkFailed(A, 'unreachable', 60_000);
    assert.equal(book.turnTrouble(), 'unreachable', 'back in our cells, it can be unreachable again');
    book.linkOpened(A);
    assert.deepEqual(book.unreachable(), []);
  });

  test('ranks are stable while a peer is known and forgotten after, except for peers we are linked to', () => {
    let draws = 0;
    const book = new CandidateBook(() => (draws += 1) / 10);
    book.add({ id: A, home: 'u09tvw' }, 0);
    book.add({ id: B, home: 'u09tvw' }, 0);
    assert.equal(book.rankOf(A), 0.1);
    assert.equal(book.rankOf(B), 0.2);
    assert.equal(book.rankOf(A), 0.1, 'the same rank every time');
    book.restart((id) => id === A);
    assert.deepEqual([...book.listed()], [], 'a new relay identity forgets the old list');
    assert.equal(book.rankOf(A), 0.1, 'a linked peer keeps its rank');
    assert.equal(book.rankOf(B), 0.3, 'another draws a new one');
    assert.equal(book.linkGone(A), false, 'not listed any more: its rank goes with the link');
    assert.equal(book.rankOf(A), 0.4);
  });
});
