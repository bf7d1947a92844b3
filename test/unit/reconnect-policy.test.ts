import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_RETRY_MS } from '../../app/core/backoff.ts';
import { reconnectDelayMs, REJOIN_MIN_MS, REJOIN_SPREAD_MS, REJOIN_WINDOW_MS } from '../../app/core/reconnect-policy.ts';

describe('reconnect policy', () => {
  test('after a working connection drops, every retry comes within a short jittered window, however many failed', () => {
    for (const failures of [1, 2, 5, 10]) {
      assert.equal(reconnectDelayMs({ failures, msSinceLost: 1_000, random: () => 0 }), REJOIN_MIN_MS);
      assert.equal(reconnectDelayMs({ failures, msSinceLost: REJOIN_WINDOW_MS - 1, random: () => 1 }), REJOIN_MIN_MS + REJOIN_SPREAD_MS);
    }
    assert.ok(REJOIN_MIN_MS + REJOIN_SPREAD_MS <= 4_000, 'back within 5 s of the relay, with time to connect');
    assert.ok(REJOIN_SPREAD_MS >= 2_000, 'arrivals spread over at least 2 s');
  });

  test('many clients that lost the relay together come back spread over the window', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const delays = Array.from({ length: 10_000 }, () => reconnectDelayMs({ failures: 3, msSinceLost: 2_000, random }));
    const perSecond = new Map<number, number>();
    for (const delay of delays) perSecond.set(Math.floor(delay / 1_000), (perSecond.get(Math.floor(delay / 1_000)) ?? 0) + 1);
    assert.ok(Math.max(...perSecond.values()) < 3_500, `no second takes most of them: ${JSON.stringify([...perSecond])}`);
    assert.ok(Math.max(...delays) - Math.min(...delays) > 3_000);
  });

  test('never connected, or away for long: exponential backoff up to its cap', () => {
    assert.ok(reconnectDelayMs({ failures: 1, msSinceLost: null, random: () => 1 }) <= 1_000);
    assert.equal(reconnectDelayMs({ failures: 20, msSinceLost: null, random: () => 1 }), MAX_RETRY_MS);
    assert.equal(reconnectDelayMs({ failures: 20, msSinceLost: REJOIN_WINDOW_MS, random: () => 1 }), MAX_RETRY_MS);
  });
});
