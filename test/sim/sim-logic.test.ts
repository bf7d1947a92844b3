import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MIN_UPDATE_INTERVAL_MS } from '../../app/core/move-throttle.ts';
import { distanceBetween, quantizePosition } from '../../app/core/position.ts';
import { isValidRadius } from '../../app/core/visibility.ts';
import type { PeerLinkOptions } from '../../app/net/peer-link.ts';
import { quietLinkOptions } from '../unit/fake-mesh.ts';
import { bodyIdsOf } from './frame-tally.ts';
import { isIntendedRecipient, mostPresentAtOnce, type PeerTimeline, type SentMessage } from './ground-truth.ts';
import { frameDelayMs, type LinkProfile } from './link-profile.ts';
import { LinkRegistry } from './link-registry.ts';
import { parseBenchArgs, parseDurationMs } from './mesh-bench-args.ts';
import { OrderedPipe } from './ordered-pipe.ts';
import { DEFAULT_AREA, offsetPosition } from './placement.ts';
import { createRandom, type Random } from './prng.ts';
import { DEFAULT_SCENARIO, planScenario } from './scenario.ts';
import { waitFor } from './wait-for.ts';
import { peersInZone } from './zone-reach.ts';

const here = quantizePosition(DEFAULT_AREA.centre);
const at = (metres: number) => quantizePosition(offsetPosition(DEFAULT_AREA.centre, metres, 0));
const message: SentMessage = { id: 'm', authorIndex: 0, sentAtMs: 1_000, position: here, radiusM: 500 };
const timeline = (overrides: Partial<PeerTimeline> = {}): PeerTimeline => ({
  index: 1,
  states: [{ atMs: 0, position: at(300), radiusM: 1_000 }],
  leftAtMs: null,
  ...overrides,
});

describe('ground truth', () => {
  test('a peer present throughout and in mutual range is an intended recipient', () => {
    assert.equal(isIntendedRecipient(message, timeline(), 10_000), true);
  });
  test('range is the smaller radius, on quantized positions', () => {
    assert.equal(isIntendedRecipient(message, timeline({ states: [{ atMs: 0, position: at(300), radiusM: 200 }] }), 10_000), false);
    assert.equal(isIntendedRecipient({ ...message, radiusM: 200 }, timeline(), 10_000), false);
    assert.equal(isIntendedRecipient(message, timeline({ states: [{ atMs: 0, position: at(700), radiusM: 1_000 }] }), 10_000), false);
  });
  test('the author, late arrivals, leavers before the deadline and movers in the window are excluded', () => {
    assert.equal(isIntendedRecipient(message, timeline({ index: 0 }), 10_000), false);
    assert.equal(isIntendedRecipient(message, timeline({ states: [{ atMs: 1_001, position: at(300), radiusM: 1_000 }] }), 10_000), false);
    assert.equal(isIntendedRecipient(message, timeline({ leftAtMs: 10_999 }), 10_000), false);
    assert.equal(isIntendedRecipient(message, timeline({ leftAtMs: 11_001 }), 10_000), true);
    const moved = timeline({ states: [{ atMs: 0, position: at(300), radiusM: 1_000 }, { atMs: 5_000, position: at(320), radiusM: 1_000 }] });
    assert.equal(isIntendedRecipient(message, moved, 10_000), false);
    const movedBefore = timeline({ states: [{ atMs: 0, position: at(900), radiusM: 1_000 }, { atMs: 900, position: at(300), radiusM: 1_000 }] });
    assert.equal(isIntendedRecipient(message, movedBefore, 10_000), true);
  });
  test('the most present at once counts overlaps, not arrivals, and a departure as another arrives is not an overlap', () => {
    const stay = (atMs: number, leftAtMs: number | null): PeerTimeline => timeline({ states: [{ atMs, position: here, radiusM: 500 }], leftAtMs });
    assert.equal(mostPresentAtOnce([]), 0);
    assert.equal(mostPresentAtOnce([stay(0, 10), stay(10, 20), stay(20, null)]), 1);
    assert.equal(mostPresentAtOnce([stay(0, null), stay(5, 15), stay(10, null), stay(16, null)]), 3);
    assert.equal(mostPresentAtOnce([stay(0, null), timeline({ states: [] })]), 1);
  });
});

/** A source whose draws are scripted (then 0.99 forever). */
const scripted = (draws: number[]): Random => ({ ...createRandom(1), next: () => draws.shift() ?? 0.99, chance: (p) => (draws.shift() ?? 0.99) < p, between: (min, max) => min + (draws.shift() ?? 0) * (max - min) });

describe('in-memory links', () => {
  const profile: LinkProfile = { connectDelayMs: 0, connectJitterMs: 0, latencyMs: 20, jitterMs: 10, lossRate: 0.1, rtoMs: 200, failRate: 0 };
  test('a frame lost twice arrives after two retransmission timeouts, the second doubled', () => {
    // lost, lost, delivered; then jitter draw 0.5
    assert.equal(frameDelayMs(profile, scripted([0.05, 0.05, 0.5, 0.5])), 200 + 400 + 20 + 5);
  });
  test('frames arrive in order: a late one holds back those behind it', async () => {
    const arrived: string[] = [];
    const pipe = new OrderedPipe<string>((item) => arrived.push(item));
    pipe.push('retransmitted', 60);
    pipe.push('quick', 1);
    await waitFor(() => arrived.length === 2, { timeoutMs: 2_000 });
    assert.deepEqual(arrived, ['retransmitted', 'quick']);
    pipe.dispose();
  });
  test('frame bodies are found in any frame type', () => {
    assert.deepEqual(bodyIdsOf({ type: 'chat', message: { id: 'a' } }), ['a']);
    assert.deepEqual(bodyIdsOf({ type: 'history', messages: [{ id: 'b' }, { id: 'c' }] }), ['b', 'c']);
    assert.deepEqual(bodyIdsOf({ type: 'presence', presence: {} }), []);
  });
});

describe('scenario', () => {
  const config = { ...DEFAULT_SCENARIO, peerCount: 300, authorCount: 20 };
  const plan = planScenario(config, createRandom(7));
  test('the same seed gives the same plan', () => {
    assert.deepEqual(planScenario(config, createRandom(7)), plan);
    assert.notDeepEqual(planScenario(config, createRandom(8)).peers[0], plan.peers[0]);
  });
  test('a dense centre and a sparse edge, radii the slider allows', () => {
    const distances = plan.peers.map((peer) => distanceBetween(DEFAULT_AREA.centre, peer.position));
    const dense = distances.filter((distance) => distance <= 300).length / distances.length;
    assert.ok(dense > 0.5 && dense < 0.7, `share within 300 m: ${dense}`);
    assert.ok(Math.max(...distances) <= 2_000 + 1);
    assert.ok(plan.peers.every((peer) => isValidRadius(peer.radiusM)));
  });
  test('authors stay, keep under 10 messages a minute, and walks respect the move throttle', () => {
    for (const peer of plan.peers.filter((candidate) => candidate.isAuthor)) {
      assert.equal(peer.leaveAtMs, null);
      const times = plan.messages.filter((planned) => planned.authorIndex === peer.index).map((planned) => planned.atMs);
      for (const [index, time] of times.entries()) assert.ok(times.filter((other) => other > time - 60_000 && other <= time).length <= 10, `author ${peer.index} at ${index}`);
    }
    for (const peer of plan.peers) {
      let previousMs = peer.joinAtMs;
      for (const move of peer.moves) {
        assert.ok(move.atMs >= previousMs, 'no move before arriving or before the last one');
        previousMs = move.atMs + MIN_UPDATE_INTERVAL_MS;
      }
      if (peer.leaveAtMs !== null) assert.ok(peer.leaveAtMs >= peer.joinAtMs);
    }
    assert.ok(plan.peers.some((peer) => peer.moves.length > 0) && plan.peers.some((peer) => peer.leaveAtMs !== null));
  });
});

describe('link registry', () => {
  /** A link that opens when told to and reports its close to the mesh's handler. */
  const makeLink = (registry: LinkRegistry, owner: number, remoteId: string) => {
    let options: PeerLinkOptions | undefined;
    const link = registry.factoryFor(owner, (given) => {
      options = given;
      return {
        localId: given.localId,
        remoteId: given.remoteId,
        state: 'connecting',
        send: () => true,
        setAudio: async () => {},
        receiveSignal: async () => {},
        close: () => given.onClose('closed'),
      };
    })(quietLinkOptions(`local-${owner}`, remoteId));
    return { link, open: () => options?.onOpen() };
  };

  test('churn counts open links closed by a peer that stays, not closes before opening or by a peer leaving', () => {
    const registry = new LinkRegistry();
    registry.markArrived(1);
    const pruned = makeLink(registry, 1, 'a');
    pruned.open();
    pruned.link.close();
    makeLink(registry, 1, 'b').link.close();
    const leaving = makeLink(registry, 2, 'c');
    leaving.open();
    registry.markLeaving(2);
    leaving.link.close();
    const { setupMs, firstLinkMs, ...counts } = registry.counts;
    assert.deepEqual(counts, { made: 3, opened: 2, failed: 0, retired: 1 });
    assert.equal(setupMs.length, 2, 'a set-up time for each link that opened');
    assert.ok(setupMs.every((ms) => ms >= 0));
    assert.equal(firstLinkMs.length, 1, 'peer 1 arrived and got its first link; peer 2 was never marked arrived');
    assert.equal(registry.openCount(1), 0);
  });

  test('who reaches whom over open links, without leaving a set of peers', () => {
    const registry = new LinkRegistry();
    // A chain 1 → 2 → 3 → 4 (only the dialing ends recorded: in a run both ends are), and 5 alone.
    for (const [owner, remote] of [[1, 2], [2, 3], [3, 4]] as const) {
      registry.learnOwner(`r${remote}`, remote);
      makeLink(registry, owner, `r${remote}`).open();
    }
    registry.learnOwner('r1', 1);
    makeLink(registry, 5, 'r1'); // never opens
    assert.deepEqual([...registry.reachableWithin(1, [1, 2, 3, 4, 5])].sort(), [1, 2, 3, 4]);
    assert.deepEqual([...registry.reachableWithin(4, [1, 2, 3, 4])], [4], 'a frame leaves by its sender\'s open end: 4 has none');
    assert.deepEqual([...registry.reachableWithin(1, [1, 2, 4])].sort(), [1, 2], 'not through 3, outside the set');
    assert.deepEqual([...registry.reachableWithin(6, [1, 2])], [], 'a start outside the set reaches nobody');
    assert.equal(registry.componentCount([1, 2, 3, 4, 5]), 2, 'the chain and 5');
    assert.equal(registry.componentCount([1, 2, 4]), 2, '1 → 2, and 4');
  });

  test("a message's zone holds the present peers within its radius widened by the bridge margin", () => {
    // r 500 m: the margin is 500 / 4 + 150 = 275 m, so the zone reaches 775 m.
    const zoneMessage = { ...message, radiusM: 500 };
    const peers = [
      { index: 1, position: at(0), isPresent: true },
      { index: 2, position: at(600), isPresent: true },
      { index: 3, position: at(900), isPresent: true },
      { index: 4, position: at(100), isPresent: false },
      { index: 5, position: null, isPresent: true },
    ];
    assert.deepEqual(peersInZone(zoneMessage, peers), [1, 2]);
  });
});

describe('bench command line', () => {
  test('durations and flags', () => {
    assert.equal(parseDurationMs('90s', 'duration'), 90_000);
    assert.equal(parseDurationMs('2m', 'duration'), 120_000);
    assert.equal(parseDurationMs('1500ms', 'duration'), 1_500);
    const args = parseBenchArgs(['--peers', '200', '--transport', 'webrtc', '--seed', '3']);
    assert.equal(args.sim.scenario.peerCount, 200);
    assert.equal(args.sim.transport, 'webrtc');
    assert.equal(args.sim.policy, null);
    assert.deepEqual(parseBenchArgs(['--degree', '6']).sim.policy, { degree: 6, degreeLow: 4, degreeHigh: 12 });
    assert.throws(() => parseBenchArgs(['--loss', '0.9']), /--loss/);
    assert.throws(() => parseBenchArgs(['--transport', 'carrier-pigeon']), /--transport/);
  });
});
