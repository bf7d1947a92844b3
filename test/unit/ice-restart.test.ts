import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideIceRestart, ICE_RESTART_RETRY_MS, MAX_ICE_RESTARTS, POLITE_RESTART_DELAY_MS, signalsViaRelay } from '../../app/core/ice-restart.ts';

const base = { iceState: 'disconnected', wasOpen: true, restartsTried: 0, isPolite: false } as const;

describe('ICE restart decisions', () => {
  test('an open link whose ICE went down restarts at once (impolite) or shortly after (polite)', () => {
    assert.deepEqual(decideIceRestart(base), { kind: 'restart', delayMs: 0 });
    assert.deepEqual(decideIceRestart({ ...base, iceState: 'failed' }), { kind: 'restart', delayMs: 0 });
    assert.deepEqual(decideIceRestart({ ...base, isPolite: true }), { kind: 'restart', delayMs: POLITE_RESTART_DELAY_MS });
  });

  test('a further restart (each check comes ICE_RESTART_RETRY_MS after the last) is at once; after the last the link is given up', () => {
    assert.ok(ICE_RESTART_RETRY_MS <= 5_000);
    assert.deepEqual(decideIceRestart({ ...base, restartsTried: 1, isPolite: true }), { kind: 'restart', delayMs: 0 });
    assert.deepEqual(decideIceRestart({ ...base, restartsTried: MAX_ICE_RESTARTS }), { kind: 'give-up' });
    assert.deepEqual(decideIceRestart({ ...base, iceState: 'failed', restartsTried: MAX_ICE_RESTARTS }), { kind: 'give-up' });
  });

  test('healthy states ask for nothing; a link that never opened is not restarted', () => {
    for (const iceState of ['new', 'checking', 'connected', 'completed', 'closed'] as const) {
      assert.deepEqual(decideIceRestart({ ...base, iceState }), { kind: 'none' }, iceState);
    }
    assert.deepEqual(decideIceRestart({ ...base, wasOpen: false }), { kind: 'none' });
    assert.deepEqual(decideIceRestart({ ...base, wasOpen: false, iceState: 'failed' }), { kind: 'give-up' });
  });

  test('signals take the relay while ICE is down or the channel is closed, the channel otherwise', () => {
    assert.equal(signalsViaRelay('connected', true), false);
    assert.equal(signalsViaRelay('disconnected', true), true);
    assert.equal(signalsViaRelay('failed', true), true);
    assert.equal(signalsViaRelay('connected', false), true);
  });

  test('an offer that came through the relay on an open link is answered through the relay, though our ICE still says connected', () => {
    assert.equal(signalsViaRelay('connected', true, 'relay'), true);
    assert.equal(signalsViaRelay('connected', true, 'channel'), false);
    assert.equal(signalsViaRelay('disconnected', true, 'channel'), true);
  });
});
