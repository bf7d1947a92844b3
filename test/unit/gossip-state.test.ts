import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bridgeMarginM, relevanceOf } from '../../app/core/gossip-relevance.ts';
import { parsePeerFrame } from '../../app/core/peer-protocol.ts';
import { quantizePosition } from '../../app/core/position.ts';
import { FORMER_LINK_TTL_MS, HINT_TTL_MS, PeerHints } from '../../app/core/peer-hints.ts';
import { RecentIds, SeenIds } from '../../app/core/seen-ids.ts';
import { WantTracker } from '../../app/core/want-tracker.ts';

const id = (n: number): string => `id${String(n).padStart(19, '0')}x`;

describe('seen ids', () => {
  test('forget an id after its lifetime, and the oldest beyond the bound', () => {
    const clock = { now: 0 };
    const seen = new SeenIds({ forgetAfterMs: 1_000, maxIds: 3, now: () => clock.now });
    seen.add('a');
    clock.now = 500;
    seen.add('b');
    assert.ok(seen.has('a') && seen.has('b'));
    clock.now = 1_000;
    assert.ok(!seen.has('a'), 'forgotten after its lifetime');
    assert.ok(seen.has('b'));
    for (const more of ['c', 'd', 'e']) seen.add(more);
    assert.equal(seen.size, 3);
    assert.ok(!seen.has('b'), 'the oldest goes first beyond the bound');
    const recent = new RecentIds(2);
    for (const more of ['x', 'y', 'z']) recent.add(more);
    assert.deepEqual([recent.has('x'), recent.has('y'), recent.has('z')], [false, true, true]);
  });
});

describe('want tracker', () => {
  const options = (clock: { now: number }) => ({ timeoutMs: 100, maxInFlightPerLink: 2, maxPending: 10, now: () => clock.now });

  test('asks each id of one announcer, in batches per link, then of the next when overdue', () => {
    const clock = { now: 0 };
    const wants = new WantTracker(options(clock));
    assert.deepEqual([...wants.announced('A', [id(1), id(2), id(3)])], [['A', [id(1), id(2)]]], 'two in flight per link');
    assert.deepEqual([...wants.announced('B', [id(1), id(3)])], [['B', [id(3)]]], 'id 3 from B, which has room; id 1 already asked');
    assert.deepEqual([...wants.arrived(id(2))], [], 'A has room again but nothing waits for A alone');
    clock.now = 100;
    assert.deepEqual([...wants.expire()], [['B', [id(1)]], ['A', [id(3)]]], 'overdue ids go to their other announcers');
    clock.now = 200;
    wants.expire();
    assert.ok(!wants.isPending(id(1)) && !wants.isPending(id(3)), 'given up when nobody else announced it');
    assert.equal(wants.nextDeadlineMs(), null);
  });

  test('a gone link hands its asks to others, and the pending set is bounded', () => {
    const clock = { now: 0 };
    const wants = new WantTracker(options(clock));
    wants.announced('A', [id(1)]);
    wants.announced('B', [id(1)]);
    assert.deepEqual([...wants.linkGone('A')], [['B', [id(1)]]]);
    wants.announced('C', Array.from({ length: 20 }, (_, n) => id(100 + n)));
    assert.equal(wants.size, 10);
  });
});

describe('gossip relevance', () => {
  const here = { lat: 48.8566, lon: 2.3522 };
  const north = (metres: number) => ({ lat: here.lat + metres / 111_320, lon: here.lon });
  test('recipients in mutual range, bridges in the widened circle, nobody beyond', () => {
    const message = { position: here, radiusM: 1000 };
    assert.equal(relevanceOf(message, { position: north(900), radiusM: 1000 }), 'recipient');
    assert.equal(relevanceOf(message, { position: north(900), radiusM: 500 }), 'bridge', 'inside the circle, own radius too small');
    assert.equal(relevanceOf(message, { position: north(1000 + bridgeMarginM(1000) - 20), radiusM: 2000 }), 'bridge');
    assert.equal(relevanceOf(message, { position: north(1000 + bridgeMarginM(1000) + 20), radiusM: 2000 }), 'none');
  });
});

describe('gossip frames', () => {
  test('have, want and peers parse field by field', () => {
    assert.ok(parsePeerFrame(JSON.stringify({ type: 'have', ids: [id(1)] })).ok);
    assert.ok(parsePeerFrame(JSON.stringify({ type: 'want', ids: [id(1), id(2)] })).ok);
    for (const bad of [{ type: 'have', ids: [] }, { type: 'have', ids: ['short'] }, { type: 'want', ids: Array.from({ length: 201 }, (_, n) => id(n)) }, { type: 'want' }]) {
      assert.deepEqual(parsePeerFrame(JSON.stringify(bad)), { ok: false, reason: 'malformed' }, JSON.stringify(bad).slice(0, 60));
    }
    const hint = { id: 'AAAAAAAAAAAAAAAAAAAA_-', position: quantizePosition({ lat: 48.8566, lon: 2.3522 }), radiusM: 500, inVoice: true };
    const parsed = parsePeerFrame(JSON.stringify({ type: 'peers', peers: [hint] }));
    assert.ok(parsed.ok && parsed.frame.type === 'peers' && parsed.frame.peers.length === 1);
    for (const bad of [{ ...hint, radiusM: 5 }, { ...hint, inVoice: 'yes' }, { ...hint, id: 7 }, { ...hint, position: { lat: 123, lon: 0 } }]) {
      assert.equal(parsePeerFrame(JSON.stringify({ type: 'peers', peers: [bad] })).ok, false);
    }
    assert.equal(parsePeerFrame(JSON.stringify({ type: 'peers', peers: Array.from({ length: 33 }, () => hint) })).ok, false);
  });
});

describe('peer hints', () => {
  const here = quantizePosition({ lat: 48.8566, lon: 2.3522 });
  const north = (metres: number) => quantizePosition({ lat: 48.8566 + metres / 111_320, lon: 2.3522 });
  const pid = (letter: string) => letter.repeat(22) as never;

  test('pass a position only to neighbours in mutual range of its owner, and voice participants on', () => {
    const clock = { now: 0 };
    const hints = new PeerHints(() => clock.now);
    const target = { id: pid('T'), position: here, radiusM: 500, inVoice: false };
    const near = { id: pid('N'), position: north(300), radiusM: 500, inVoice: false };
    const tooSmall = { id: pid('S'), position: north(300), radiusM: 200, inVoice: false };
    assert.deepEqual(hints.forNeighbour(target, [near, tooSmall, target], new Set()).map((hint) => hint.id), [pid('N')]);
    const voice = { id: pid('V'), position: north(400), radiusM: 1000, inVoice: true };
    assert.equal(hints.receive([voice, { ...near, id: pid('M') }], [pid('M')]), true);
    assert.equal(hints.placeOf(pid('M')), null, 'never about ourselves');
    assert.deepEqual(hints.forNeighbour(target, [], new Set()).map((hint) => hint.id), [pid('V')], 'heard voices travel on');
    assert.deepEqual(hints.forNeighbour(target, [], new Set([pid('V')])), [], 'unless we are linked to them (then they are direct)');
    clock.now = HINT_TTL_MS + 1;
    assert.equal(hints.placeOf(pid('V')), null, 'forgotten after the TTL');
  });

  test('a former link is remembered where it said it was, never passed on, until it moves cells or the longer TTL ends', () => {
    const clock = { now: 0 };
    const hints = new PeerHints(() => clock.now);
    const farAway = { position: north(3000), radiusM: 2000, inVoice: true };
    hints.rememberFormerLink(pid('F'), farAway);
    clock.now = HINT_TTL_MS + 1;
    assert.deepEqual(hints.placeOf(pid('F')), farAway, 'kept beyond a hint’s TTL');
    const target = { id: pid('T'), position: north(2900), radiusM: 2000, inVoice: false };
    assert.deepEqual(hints.forNeighbour(target, [], new Set()), [], 'not passed on, not even as a voice');
    const walkedIn = { id: pid('F'), position: north(100), radiusM: 2000, inVoice: false };
    hints.receive([walkedIn], []);
    assert.deepEqual(hints.placeOf(pid('F'))?.position, walkedIn.position, 'a newer hint wins');
    hints.forget(pid('F'));
    assert.equal(hints.placeOf(pid('F')), null, 'forgotten when the relay says it moved cells or left');
    hints.rememberFormerLink(pid('G'), farAway);
    clock.now += FORMER_LINK_TTL_MS + 1;
    assert.equal(hints.placeOf(pid('G')), null, 'and after its TTL');
  });
});
