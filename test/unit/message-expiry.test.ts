import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatTimeLeft, messageExpiry } from '../../app/core/message-expiry.ts';

const MINUTE = 60_000;
const SENT = 1_000_000_000;

describe('message expiry', () => {
  test('counts whole minutes left, rounded up, from 30 down to 1', () => {
    assert.equal(messageExpiry(SENT, SENT).minutesLeft, 30);
    assert.equal(messageExpiry(SENT, SENT + 30_000).minutesLeft, 30);
    assert.equal(messageExpiry(SENT, SENT + MINUTE).minutesLeft, 29);
    assert.equal(messageExpiry(SENT, SENT + 29 * MINUTE + 59_000).minutesLeft, 1);
    assert.equal(messageExpiry(SENT, SENT + 30 * MINUTE).minutesLeft, 0);
    assert.equal(messageExpiry(SENT, SENT + 31 * MINUTE).minutesLeft, 0);
  });

  test('ages from 0 to 1 over the 30 minutes, clamped at both ends', () => {
    assert.equal(messageExpiry(SENT, SENT).ageFraction, 0);
    assert.equal(messageExpiry(SENT, SENT + 15 * MINUTE).ageFraction, 0.5);
    assert.equal(messageExpiry(SENT, SENT + 40 * MINUTE).ageFraction, 1);
    const fromTheFuture = messageExpiry(SENT + MINUTE, SENT);
    assert.equal(fromTheFuture.ageFraction, 0);
    assert.equal(fromTheFuture.minutesLeft, 30, 'a sender clock a little ahead never shows more than 30 minutes');
  });

  test('reads as minutes left, then expiring', () => {
    assert.equal(formatTimeLeft(30), '30 min left');
    assert.equal(formatTimeLeft(1), '1 min left');
    assert.equal(formatTimeLeft(0), 'expiring');
  });
});
