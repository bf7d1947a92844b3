import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { retryDelayMs } from '../../app/core/backoff.ts';
import { encodeLinkSignal, parseLinkSignal, type LinkSignal } from '../../app/core/link-signal.ts';
import { MoveThrottle } from '../../app/core/move-throttle.ts';
import { parsePeerFrame, PEER_PROTOCOL_VERSION, presencePayload, type PresenceClaim } from '../../app/core/peer-protocol.ts';
import { quantizePosition } from '../../app/core/position.ts';
import { SessionIdentity, verifyText } from '../../app/identity/session-identity.ts';

describe('link signals', () => {
  test('round-trip descriptions, candidates, busy and knock', () => {
    const signals: LinkSignal[] = [
      { kind: 'description', type: 'offer', sdp: 'v=0\r\n' },
      { kind: 'description', type: 'answer', sdp: 'v=0\r\n' },
      { kind: 'candidate', candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' },
      { kind: 'candidate', candidate: '', sdpMid: null, sdpMLineIndex: null, usernameFragment: null },
      { kind: 'busy' },
      { kind: 'knock' },
    ];
    for (const signal of signals) assert.deepEqual(parseLinkSignal(encodeLinkSignal(signal)), signal);
  });

  test('refuse anything else', () => {
    for (const bad of [
      null,
      'offer',
      { description: { type: 'pranswer', sdp: '' } },
      { description: { type: 'offer', sdp: 'x'.repeat(20_000) } },
      { candidate: { candidate: 5 } },
      { candidate: { candidate: '', sdpMLineIndex: -1 } },
      { busy: 'yes' },
      { knock: 1 },
    ]) {
      assert.equal(parseLinkSignal(bad), null, JSON.stringify(bad).slice(0, 60));
    }
  });
});

describe('peer frames', () => {
  test('a signed presence claim verifies only on the link it was made for', async () => {
    const identity = await SessionIdentity.create();
    const claim: Omit<PresenceClaim, 'signature'> = {
      key: identity.publicKey,
      seq: 1,
      username: 'Alice',
      position: quantizePosition({ lat: 48.8566, lon: 2.3522 }),
      radiusM: 500,
      inVoice: false,
      pow: { windowStartMs: 0, nonce: 0 },
    };
    const signature = await identity.signText(presencePayload(claim, 'A'.repeat(22), 'B'.repeat(22)));
    const parsed = parsePeerFrame(JSON.stringify({ type: 'presence', v: PEER_PROTOCOL_VERSION, presence: { ...claim, signature } }));
    assert.ok(parsed.ok && parsed.frame.type === 'presence');
    assert.equal(await verifyText(claim.key, presencePayload(claim, 'A'.repeat(22), 'B'.repeat(22)), signature), true);
    assert.equal(await verifyText(claim.key, presencePayload(claim, 'A'.repeat(22), 'C'.repeat(22)), signature), false, 'replayed on another link');
    assert.equal(await verifyText(claim.key, presencePayload({ ...claim, radiusM: 2000 }, 'A'.repeat(22), 'B'.repeat(22)), signature), false);
  });

  test('drops garbage, unknown types, raw positions, long frames and long histories', () => {
    const position = quantizePosition({ lat: 48.8566, lon: 2.3522 });
    const presence = { key: 'k'.repeat(87), seq: 1, username: 'Alice', position, radiusM: 500, inVoice: true, pow: { windowStartMs: 0, nonce: 0 }, signature: 's'.repeat(86) };
    assert.equal(parsePeerFrame(JSON.stringify({ type: 'presence', v: PEER_PROTOCOL_VERSION, presence })).ok, true);
    const cases: Array<[unknown, string]> = [
      [42, 'malformed'],
      ['{', 'malformed'],
      [JSON.stringify({ type: 'shout' }), 'malformed'],
      [JSON.stringify({ type: 'presence', v: 1, presence }), 'malformed'],
      [JSON.stringify({ type: 'presence', v: PEER_PROTOCOL_VERSION, presence: { ...presence, pow: undefined } }), 'malformed'],
      [JSON.stringify({ type: 'presence', v: PEER_PROTOCOL_VERSION, presence: { ...presence, pow: { windowStartMs: 5, nonce: 1 } } }), 'malformed'],
      [JSON.stringify({ type: 'presence', v: PEER_PROTOCOL_VERSION, presence: { ...presence, position: { lat: 48.856613, lon: 2.352222 } } }), 'malformed'],
      [JSON.stringify({ type: 'presence', v: PEER_PROTOCOL_VERSION, presence: { ...presence, username: 'x' } }), 'malformed'],
      [JSON.stringify({ type: 'presence', v: PEER_PROTOCOL_VERSION, presence: { ...presence, seq: -1 } }), 'malformed'],
      [JSON.stringify({ type: 'chat', message: { text: 'hi' } }), 'malformed'],
      [JSON.stringify({ type: 'history', messages: Array(21).fill({}) }), 'malformed'],
      [JSON.stringify({ type: 'negotiate' }), 'malformed'],
      ['x'.repeat(70_000), 'too-long'],
    ];
    for (const [text, reason] of cases) assert.deepEqual(parsePeerFrame(text), { ok: false, reason }, String(text).slice(0, 80));
  });
});

describe('move throttle', () => {
  test('applies the first fix, ignores jitter, and defers real moves to 10 s after the last', () => {
    const throttle = new MoveThrottle();
    const here = { lat: 48.8566, lon: 2.3522 };
    assert.deepEqual(throttle.decide(here, 0), { kind: 'apply' });
    throttle.markApplied(here, 0);
    assert.deepEqual(throttle.decide({ lat: 48.8567, lon: 2.3522 }, 20_000), { kind: 'ignore' }, '11 m is jitter');
    const there = { lat: 48.8576, lon: 2.3522 };
    assert.deepEqual(throttle.decide(there, 4_000), { kind: 'defer', atMs: 10_000 });
    assert.deepEqual(throttle.decide(there, 10_000), { kind: 'apply' });
  });
});

describe('backoff', () => {
  test('grows exponentially to 30 s with jitter never under half the step', () => {
    assert.equal(retryDelayMs(1, () => 0), 500);
    assert.equal(retryDelayMs(1, () => 1), 1_000);
    assert.equal(retryDelayMs(3, () => 0), 2_000);
    assert.equal(retryDelayMs(50, () => 1), 30_000);
    assert.equal(retryDelayMs(50, () => 0), 15_000);
  });
});
