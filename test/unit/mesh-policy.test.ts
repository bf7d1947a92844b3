import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decideLinks,
  DEFAULT_MESH_POLICY,
  meshPolicyProblem,
  policyForDegree,
  isRepairRoundUseful,
  PRUNE_GRACE_MS,
  randomLinkCount,
  sectorCount,
  sectorOf,
  wantedPeers,
  type LinkView,
  type PeerPlace,
  type PeerView,
  type PolicyInput,
} from '../../app/core/mesh-policy.ts';
import type { Position } from '../../app/core/position.ts';

const HOME: Position = { lat: 48.8566, lon: 2.3522 };
/** A point `northM` metres north and `eastM` metres east of HOME. */
function at(northM: number, eastM: number): Position {
  return { lat: HOME.lat + northM / 111_320, lon: HOME.lon + eastM / (111_320 * Math.cos((HOME.lat * Math.PI) / 180)) };
}
function place(northM: number, eastM: number, radiusM = 1000, inVoice = false): PeerPlace {
  return { position: at(northM, eastM), radiusM, inVoice };
}
const SELF = { position: HOME, radiusM: 1000, inVoice: false, voiceCap: 2 };

function input(overrides: Partial<PolicyInput>): PolicyInput {
  return { self: SELF, config: DEFAULT_MESH_POLICY, links: [], candidates: [], isPeriodic: false, mayExplore: false, ...overrides };
}
const candidate = (id: string, where: PeerPlace | null, isSameCell = true, rank = 0.5): PeerView => ({ id, place: where, isSameCell, rank });
const link = (id: string, where: PeerPlace | null, isDialed = true, ageMs = PRUNE_GRACE_MS, rank = 0.5): LinkView => ({ id, place: where, isSameCell: true, rank, isDialed, ageMs });

describe('mesh policy', () => {
  test('configuration is checked and derived from a degree as gossipsub does', () => {
    assert.equal(meshPolicyProblem(DEFAULT_MESH_POLICY), null);
    assert.deepEqual(policyForDegree(6), { degree: 6, degreeLow: 4, degreeHigh: 12 });
    assert.deepEqual(policyForDegree(3), { degree: 3, degreeLow: 2, degreeHigh: 6 });
    assert.match(meshPolicyProblem({ degree: 6, degreeLow: 7, degreeHigh: 12 }) ?? '', /low ≤ degree ≤ high/);
    assert.match(meshPolicyProblem({ degree: 0, degreeLow: 0, degreeHigh: 1 }) ?? '', /whole numbers/);
    assert.match(meshPolicyProblem({ degree: 2.5, degreeLow: 1, degreeHigh: 4 }) ?? '', /whole numbers/);
  });

  test('sectors split the directions around us', () => {
    const sectors = [at(100, 0), at(0, 100), at(-100, 0), at(0, -100)].map((to) => sectorOf(HOME, to, 4));
    assert.equal(new Set(sectors).size, 4);
  });

  test('wants the nearest in every direction before more of the nearest', () => {
    // A tight cluster to the north, one lone peer far south: "nearest only" would ignore the south.
    const cluster = [10, 20, 30, 40, 50, 60, 70].map((north, index) => candidate(`n${index}`, place(north, 1)));
    const south = candidate('south', place(-800, 0));
    const wanted = wantedPeers(SELF, DEFAULT_MESH_POLICY, [...cluster, south]);
    assert.equal(wanted.length, DEFAULT_MESH_POLICY.degree);
    assert.ok(wanted.includes('south'));
    assert.ok(wanted.includes('n0'));
  });

  test('below the low mark an event round dials up to it at once, wanted first; the periodic round fills to the degree', () => {
    const config = { degree: 3, degreeLow: 2, degreeHigh: 6 };
    const candidates = [candidate('far', place(900, 0)), candidate('near', place(50, 0)), candidate('blind-other', null, false), candidate('blind', null)];
    const decision = decideLinks(input({ config, candidates }));
    assert.deepEqual(decision.dial, ['near', 'far']);
    assert.deepEqual(decision.prune, []);
    assert.deepEqual(decideLinks(input({ config, candidates, isPeriodic: true })).dial, ['near', 'far', 'blind']);
  });

  test('a peer we are linked to keeps its sector unless the nearest there is much nearer', () => {
    const config = { degree: 2, degreeLow: 1, degreeHigh: 4 };
    // Two sectors (north, south) and no random links at D 2; we hold a link in each.
    const links = [link('north-100m', place(100, 0)), link('south-100m', place(-100, 0))];
    const slightlyNearer = candidate('north-80m', place(80, 0));
    assert.deepEqual(decideLinks(input({ config, links, candidates: [slightlyNearer], isPeriodic: true })).dial, []);
    const muchNearer = candidate('north-20m', place(20, 0));
    assert.deepEqual(decideLinks(input({ config, links, candidates: [muchNearer], isPeriodic: true })).dial, ['north-20m']);
  });

  test('between the low mark and the degree, event rounds leave it to the periodic round', () => {
    const links = [link('a', place(10, 0)), link('b', place(-10, 0))];
    const candidates = [candidate('c', place(0, 30))];
    const config = { degree: 4, degreeLow: 2, degreeHigh: 8 };
    assert.deepEqual(decideLinks(input({ config, links, candidates })).dial, []);
    assert.deepEqual(decideLinks(input({ config, links, candidates, isPeriodic: true })).dial, ['c']);
  });

  test('never plans beyond the high mark, counting links still connecting', () => {
    const config = { degree: 2, degreeLow: 2, degreeHigh: 3 };
    const links = [link('a', place(10, 0)), link('b', place(-10, 0)), link('c', place(0, 10), false)];
    const candidates = [candidate('d', place(0, -5)), candidate('e', null)];
    for (const isPeriodic of [false, true]) {
      const decision = decideLinks(input({ config, links, candidates, isPeriodic, mayExplore: true }));
      assert.deepEqual(decision.dial, []);
    }
  });

  test('prunes one unwanted link we dialed per periodic round, the farthest, and only after the grace period', () => {
    const config = { degree: 2, degreeLow: 1, degreeHigh: 4 };
    const links = [link('near', place(10, 0)), link('near2', place(-10, 0)), link('far', place(700, 0)), link('farther', place(900, 0), true, PRUNE_GRACE_MS - 1), link('theirs', place(950, 0), false)];
    assert.deepEqual(decideLinks(input({ config, links })).prune, [], 'event rounds do not prune');
    assert.deepEqual(decideLinks(input({ config, links, isPeriodic: true })).prune, ['far'], 'young links and links others dialed are kept');
  });

  test('voice partners come first, beyond the degree, and make room at the high mark', () => {
    const self = { ...SELF, inVoice: true, voiceCap: 2 };
    const config = { degree: 2, degreeLow: 1, degreeHigh: 3 };
    const links = [link('a', place(10, 0)), link('b', place(-10, 0)), link('c', place(0, 600), false)];
    const candidates = [candidate('voice-near', place(300, 300, 1000, true)), candidate('voice-out-of-range', place(1500, 0, 2000, true))];
    const decision = decideLinks(input({ self, config, links, candidates }));
    assert.deepEqual(decision.prune, ['c'], 'the unwanted link makes room');
    assert.deepEqual(decision.dial, []);
    const after = decideLinks(input({ self, config, links: links.slice(0, 2), candidates }));
    assert.deepEqual(after.dial, ['voice-near'], 'and the voice partner gets a link in the next round; out of range does not');
  });

  test('explores one peer known only from the relay when allowed, so separate groups meet', () => {
    const config = { degree: 2, degreeLow: 2, degreeHigh: 4 };
    const links = [link('a', place(10, 0)), link('b', place(-10, 0))];
    const candidates = [candidate('stranger', null), candidate('stranger2', null)];
    assert.deepEqual(decideLinks(input({ config, links, candidates, isPeriodic: true })).dial, []);
    const exploring = decideLinks(input({ config, links, candidates, isPeriodic: true, mayExplore: true }));
    assert.deepEqual(exploring.dial, ['stranger']);
    assert.equal(exploring.explored, 'stranger', 'named, so the mesh can back off');
  });

  test('below the degree a round fills and does not explore beyond it', () => {
    const config = { degree: 2, degreeLow: 1, degreeHigh: 4 };
    const candidates = [candidate('x', null, true, 0.3), candidate('y', null, true, 0.1), candidate('z', null, true, 0.2)];
    const decision = decideLinks(input({ config, candidates, isPeriodic: true, mayExplore: true }));
    assert.deepEqual(decision.dial, ['y', 'z']);
    assert.equal(decision.explored, null);
  });

  test('the degree counts every link: links others dialed fill it, and only then does a round leave the rest alone', () => {
    const config = { degree: 3, degreeLow: 2, degreeHigh: 6 };
    const theirs = [link('a', place(10, 0), false), link('b', place(-10, 0), false), link('c', place(0, 10), false)];
    const candidates = [candidate('d', place(0, -400)), candidate('e', null)];
    const atDegree = decideLinks(input({ config, links: theirs, candidates, isPeriodic: true }));
    assert.ok(atDegree.dial.length <= 1, `at D a round adds at most one wanted link, got ${atDegree.dial.join(', ')}`);
    assert.equal(decideLinks(input({ config, links: theirs.slice(0, 1), candidates })).dial.length, 1, 'below the low mark an event round dials up to it');
    assert.equal(isRepairRoundUseful(config, 2, false), false);
    assert.equal(isRepairRoundUseful(config, 1, false), true);
    assert.equal(isRepairRoundUseful(config, 5, true), true, 'in voice, every round may find a partner');
  });

  test('a few random links among placed peers within our radius, chosen by rank: stable whatever the order', () => {
    assert.deepEqual([2, 3, 6, 9].map(randomLinkCount), [0, 1, 2, 3]);
    assert.deepEqual([2, 3, 6, 12].map(sectorCount), [2, 2, 4, 6]);
    const self = { ...SELF, radiusM: 500 };
    // Eight neighbours close by (every sector taken), and farther peers with ranks.
    const close = [0, 45, 90, 135, 180, 225, 270, 315].map((degrees, index) =>
      candidate(`close${index}`, place(20 * Math.cos((degrees * Math.PI) / 180), 20 * Math.sin((degrees * Math.PI) / 180)), true, 0.9),
    );
    const far = [
      candidate('rank-0.1-out-of-radius', place(900, 0), true, 0.1),
      candidate('rank-0.2', place(400, 0), true, 0.2),
      candidate('rank-0.3-unplaced', null, false, 0.3),
      candidate('rank-0.4', place(-300, 0), true, 0.4),
    ];
    const wanted = wantedPeers(self, DEFAULT_MESH_POLICY, [...close, ...far]);
    assert.equal(wanted.length, DEFAULT_MESH_POLICY.degree);
    // A relay-only peer is not a random pick: most of those the relay lists are outside our
    // radius, and dialing them one after another in rank order only to prune each was churn.
    assert.deepEqual(wanted.filter((id) => !id.startsWith('close')), ['rank-0.2', 'rank-0.4']);
    const again = wantedPeers(self, DEFAULT_MESH_POLICY, [...far].reverse().concat(close));
    assert.deepEqual(new Set(again), new Set(wanted), 'the same peers whatever order they come in');
  });

  test('relay-only peers are dialed and explored in rank order, not in the order the relay listed them', () => {
    const config = { degree: 2, degreeLow: 2, degreeHigh: 4 };
    const candidates = [candidate('listed-first', null, true, 0.8), candidate('listed-second', null, true, 0.1), candidate('listed-third', null, true, 0.5)];
    assert.deepEqual(decideLinks(input({ config, candidates })).dial, ['listed-second', 'listed-third']);
    const links = [link('a', place(10, 0)), link('b', place(-10, 0))];
    assert.deepEqual(decideLinks(input({ config, links, candidates, isPeriodic: true, mayExplore: true })).dial, ['listed-second']);
  });
});
