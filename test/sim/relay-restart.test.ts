import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runRelayRestart } from './relay-restart.ts';

test('a relay restart under 200 linked peers: they keep chatting, lose nothing, and all come back to their cells, spread out', async () => {
  // Away until each peer failed 4 times: an exponential backoff would then wait 8-16 s more.
  const result = await runRelayRestart({ peers: 200, messagesWhileAway: 20, failedAttemptsEach: 4 });
  assert.equal(result.messagesWhileAway, 20);
  assert.equal(result.lost, 0, 'every message written while the relay was away reached every peer');
  assert.equal(result.rejoinAfterMs.length, 200, 'every peer joined its cells again');
  // The policy (app/core/reconnect-policy.ts) promises a try every 0.5-4 s for a minute
  // after the loss; the bound leaves room for a loaded machine, not for a backoff's 8-16 s.
  const last = result.rejoinAfterMs.at(-1) ?? Number.POSITIVE_INFINITY;
  assert.ok(last < 10_000, `the last peer was back ${Math.round(last)} ms after the relay`);
  // Jitter, not speed: the returns are spread over seconds, not bunched in one.
  assert.ok(result.arrivalSpreadMs >= 2_000, `arrivals spread over ${Math.round(result.arrivalSpreadMs)} ms`);
  assert.ok(result.mostArrivalsInOneSecond < 200 * 0.6, `at most ${result.mostArrivalsInOneSecond} arrivals in one second`);
});
