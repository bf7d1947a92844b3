import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import type { PeerId } from '../../app/core/protocol.ts';
import type { Mesh } from '../../app/net/mesh.ts';
import { FakeLink, meshOnFakeLinks } from './fake-mesh.ts';

const ME = 'mmmmmmmmmmmmmmmmmmmmmm' as PeerId;
/** Sorts after ME, so we dial it without yielding first (see DIAL_YIELD_MS in mesh.ts). */
const ZOE = 'zzzzzzzzzzzzzzzzzzzzzz' as PeerId;
/** Sorts before ME: we knock instead of making the first offer (see DIAL_YIELD_MS in mesh.ts). */
const ADA = 'aaaaaaaaaaaaaaaaaaaaaa' as PeerId;
const HOME = 'u09tvw';
const CLAIM = { key: 'key', seq: 1, username: 'Me', position: { lat: 48.8566, lon: 2.3522 }, radiusM: 500, inVoice: false, pow: { windowStartMs: 0, nonce: 0 } };

const POLICY = { degree: 1, degreeLow: 1, degreeHigh: 2 };

/** A mesh of policy 1 / 1 / 2 on fake links, counting its `onLinksChanged` events. */
function meshCountingChanges(now: () => number): { mesh: Mesh; links: FakeLink[]; linksChanged: () => number } {
  let linksChangedCount = 0;
  const { mesh, links } = meshOnFakeLinks({
    policy: POLICY,
    now,
    events: {
      onLinksChanged: () => {
        linksChangedCount += 1;
      },
    },
  });
  return { mesh, links, linksChanged: () => linksChangedCount };
}

describe('mesh dialing', () => {
  let nowMs = 0;
  beforeEach(() => {
    nowMs = 0;
    mock.timers.enable({ apis: ['setTimeout'] });
  });
  afterEach(() => mock.timers.reset());

  /** Moves the mesh's clock and its timers on together. */
  function advance(ms: number): void {
    for (let step = 0; step < ms; step += 100) {
      nowMs += 100;
      mock.timers.tick(100);
    }
  }

  test('a peer that answers "busy" is asked again after 10 s, then 20 s, then 40 s: full peers are not hammered', () => {
    const { mesh, links: dials } = meshCountingChanges(() => nowMs);
    try {
      mesh.setRelayIdentity(ME, []);
      mesh.setSelf(CLAIM, HOME);
      mesh.setCandidates([{ id: ZOE, home: HOME }]);
      advance(200);
      assert.equal(dials.length, 1, 'the only candidate is dialed');

      const dialTimes: number[] = [];
      for (let refusal = 0; refusal < 3; refusal += 1) {
        const refusedAtMs = nowMs;
        const dialsBefore: number = dials.length;
        mesh.receiveSignal(ZOE, { busy: true });
        while (dials.length === dialsBefore && nowMs - refusedAtMs < 120_000) advance(100);
        dialTimes.push(nowMs - refusedAtMs);
      }
      // Each wait is the backoff, give or take the periodic round (5 s ± 20 %) that notices it.
      const [first, second, third] = dialTimes as [number, number, number];
      assert.ok(first >= 10_000 && first <= 16_100, `first retry after ${first} ms`);
      assert.ok(second >= 20_000 && second <= 26_100, `second retry after ${second} ms`);
      assert.ok(third >= 40_000 && third <= 46_100, `third retry after ${third} ms`);
    } finally {
      mesh.dispose();
    }
  });

  test('only an offer starts a link: an answer or candidate left over from a closed link is dropped', () => {
    const { mesh, links } = meshCountingChanges(() => nowMs);
    const made = (): PeerId[] => links.map((link) => link.remoteId);
    try {
      mesh.setRelayIdentity(ME, []);
      mesh.receiveSignal(ZOE, { description: { type: 'answer', sdp: 'v=0' } });
      mesh.receiveSignal(ZOE, { candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } });
      assert.deepEqual(made(), []);
      mesh.receiveSignal(ZOE, { description: { type: 'offer', sdp: 'v=0' } });
      assert.deepEqual(made(), [ZOE]);
    } finally {
      mesh.dispose();
    }
  });

  /** A mesh that has Ada (a smaller relay id) as its only candidate, 200 ms on: it has had time to knock. */
  function meshWithAdaToReach(): { mesh: Mesh; links: FakeLink[]; sentSignals: Array<{ to: string; data: unknown }> } {
    const sentSignals: Array<{ to: string; data: unknown }> = [];
    const { mesh, links } = meshOnFakeLinks({ policy: POLICY, now: () => nowMs, sentSignals });
    mesh.setRelayIdentity(ME, []);
    mesh.setSelf(CLAIM, HOME);
    mesh.setCandidates([{ id: ADA, home: HOME }]);
    advance(200);
    return { mesh, links, sentSignals };
  }

  test('a peer with a smaller relay id is knocked on at once, not dialed; its offer makes a link that is ours', () => {
    const { mesh, links, sentSignals } = meshWithAdaToReach();
    try {
      assert.equal(links.length, 0, 'no offer of ours: the first contact avoids glare');
      assert.deepEqual(sentSignals, [{ to: ADA, data: { knock: true } }], 'one knock, at once');
      advance(1_000);
      assert.equal(sentSignals.length, 1, 'knocked once, not on every round');

      mesh.receiveSignal(ADA, { description: { type: 'offer', sdp: 'v=0' } });
      assert.deepEqual(links.map((link) => link.remoteId), [ADA]);
      advance(5_000);
      assert.equal(links.length, 1, 'the yield running out dials nobody: the link is there');
    } finally {
      mesh.dispose();
    }
  });

  test('a knock that gets no answer falls back to dialing when the yield runs out', () => {
    const { mesh, links } = meshWithAdaToReach();
    try {
      assert.equal(links.length, 0);
      while (links.length === 0 && nowMs < 10_000) advance(100);
      assert.deepEqual(links.map((link) => link.remoteId), [ADA], 'a peer that ignores knocks (an older app) is still reached');
      assert.ok(nowMs >= 2_500, `dialed after the yield, at ${nowMs} ms`);
    } finally {
      mesh.dispose();
    }
  });

  test('a knock from a larger relay id is answered by our dial, or "busy" when we are full; one from a smaller id is ignored', () => {
    const sentSignals: Array<{ to: string; data: unknown }> = [];
    const { mesh, links } = meshOnFakeLinks({ policy: POLICY, now: () => nowMs, sentSignals });
    try {
      mesh.setRelayIdentity(ME, []);
      mesh.receiveSignal(ADA, { knock: true });
      assert.equal(links.length, 0, 'a smaller id makes the offer itself: its knock is nonsense');
      mesh.receiveSignal(ZOE, { knock: true });
      assert.deepEqual(links.map((link) => link.remoteId), [ZOE], 'we make the link (the fake link stands for our offer)');
      mesh.receiveSignal(ZOE, { knock: true });
      assert.equal(links.length, 1, 'a second knock while linked makes no second link');

      const others = ['x', 'y'].map((letter) => letter.repeat(22) as PeerId);
      for (const id of others) mesh.receiveSignal(id, { knock: true });
      assert.equal(links.length, 2, 'room up to the hard cap of 2');
      assert.deepEqual(sentSignals.at(-1), { to: others[1], data: { busy: true } }, 'full: busy, as to an offer');
    } finally {
      mesh.dispose();
    }
  });

  test('dispose closes every link quietly: no event, and no timer left to run', () => {
    const { mesh, links, linksChanged } = meshCountingChanges(() => nowMs);
    mesh.setRelayIdentity(ME, []);
    mesh.setSelf(CLAIM, HOME);
    mesh.receiveSignal(ZOE, { description: { type: 'offer', sdp: 'v=0' } });
    advance(200);
    const changesBefore = linksChanged();
    mesh.dispose();
    assert.equal(linksChanged(), changesBefore);
    advance(60_000);
    assert.equal(linksChanged(), changesBefore);
    assert.deepEqual(links.map((link) => link.remoteId), [ZOE], 'nothing dialed after dispose');
  });
});

describe('mesh after dispose', () => {
  test('a late call (an await that ends after dispose) starts no timer', () => {
    const timersBefore = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const { mesh } = meshCountingChanges(() => Date.now());
    mesh.setRelayIdentity(ME, []);
    mesh.dispose();
    mesh.setSelf(CLAIM, HOME);
    mesh.setCandidates([{ id: ZOE, home: HOME }]);
    mesh.receiveSignal(ZOE, { description: { type: 'offer', sdp: 'v=0' } });
    const timersAfter = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    assert.equal(timersAfter, timersBefore, 'periodic or repair rounds were started after dispose');
  });
});
