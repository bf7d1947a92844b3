/**
 * The plan of one run, decided up front from the seed: who arrives when and where, with
 * which radius, who walks about, who leaves, and who says what when. Pure: the runner
 * (`mesh-sim.ts`) plays it against real time.
 */

import { MAX_MESSAGES_PER_MINUTE } from '../../app/core/author-rate-limit.ts';
import { MIN_MOVE_M, MIN_UPDATE_INTERVAL_MS } from '../../app/core/move-throttle.ts';
import type { Position } from '../../app/core/position.ts';
import { DEFAULT_AREA, offsetPosition, pickRadiusM, placePerson, type AreaShape } from './placement.ts';
import type { Random } from './prng.ts';

export interface ScenarioConfig {
  readonly peerCount: number;
  /** From the first arrival to the last message sent. */
  readonly durationMs: number;
  readonly authorCount: number;
  readonly area: AreaShape;
  /** Most people arrive during this first share of the run... */
  readonly rampShare: number;
  /** ...and this share of them arrive later, spread over the rest. */
  readonly lateJoinShare: number;
  /** Share of people who leave during the talk. */
  readonly leaveShare: number;
  /** Share of people who walk somewhere during the talk. */
  readonly moveShare: number;
  /** Messages start after this share of the run (the crowd has mostly arrived). */
  readonly talkStartShare: number;
  /** Gap between two messages of one author; at least 6 s keeps under 10 a minute. */
  readonly messageGapMs: readonly [number, number];
}

export const DEFAULT_SCENARIO: Omit<ScenarioConfig, 'peerCount' | 'authorCount'> = {
  durationMs: 60_000,
  area: DEFAULT_AREA,
  rampShare: 0.25,
  lateJoinShare: 0.2,
  leaveShare: 0.1,
  moveShare: 0.1,
  talkStartShare: 0.3,
  messageGapMs: [6_000, 15_000],
};

/** Several authors: one in ten people, at least 3, at most 20. */
export const defaultAuthorCount = (peerCount: number): number => Math.min(20, Math.max(3, Math.round(peerCount / 10)), peerCount);

export interface MovePlan {
  readonly atMs: number;
  /** Raw position; the app quantizes it before anyone sees it. */
  readonly position: Position;
}

export interface PeerPlan {
  readonly index: number;
  readonly username: string;
  readonly position: Position;
  readonly radiusM: number;
  readonly joinAtMs: number;
  readonly leaveAtMs: number | null;
  readonly moves: readonly MovePlan[];
  readonly isAuthor: boolean;
}

export interface MessagePlan {
  readonly authorIndex: number;
  readonly atMs: number;
  readonly text: string;
}

export interface ScenarioPlan {
  readonly config: ScenarioConfig;
  readonly peers: readonly PeerPlan[];
  /** Sorted by time. */
  readonly messages: readonly MessagePlan[];
}

/** Smallest walk planned: after quantization (cells ≤ 38 m) it still moves the shared position. */
const MIN_WALK_M = 80;
const MAX_WALK_M = 300;

export function planScenario(config: ScenarioConfig, random: Random): ScenarioPlan {
  const { peerCount, durationMs, authorCount } = config;
  if (!Number.isInteger(peerCount) || peerCount < 1) throw new TypeError('peerCount must be a positive integer');
  if (!Number.isInteger(authorCount) || authorCount < 1 || authorCount > peerCount) {
    throw new TypeError('authorCount must be an integer from 1 to peerCount');
  }
  const [minGapMs, maxGapMs] = config.messageGapMs;
  if (minGapMs < 60_000 / MAX_MESSAGES_PER_MINUTE || maxGapMs < minGapMs) {
    throw new TypeError(`messageGapMs must keep authors under ${MAX_MESSAGES_PER_MINUTE} messages a minute`);
  }
  const rampEndMs = durationMs * config.rampShare;
  const talkStartMs = durationMs * config.talkStartShare;
  const places = placementStream(random.fork('placement'), peerCount, config.area);
  const roles = random.fork('roles');
  const order = roles.shuffled([...Array(peerCount).keys()]);
  // Authors arrive early and stay; late joiners and leavers are drawn from everyone else.
  const authors = new Set(order.slice(0, authorCount));
  const others = order.slice(authorCount);
  const lateJoiners = new Set(others.slice(0, Math.round(others.length * config.lateJoinShare)));
  const leavers = new Set(roles.shuffled(others).slice(0, Math.round(peerCount * config.leaveShare)));
  const movers = new Set(roles.shuffled(order).slice(0, Math.round(peerCount * config.moveShare)));

  const timing = random.fork('timing');
  const peers: PeerPlan[] = places.map(({ position, radiusM }, index) => {
    const joinAtMs = lateJoiners.has(index) ? timing.between(rampEndMs, durationMs) : timing.between(0, rampEndMs);
    const leaveAtMs = leavers.has(index) ? timing.between(Math.max(talkStartMs, joinAtMs), durationMs) : null;
    const moves = movers.has(index) ? planWalk(timing, position, Math.max(talkStartMs, joinAtMs), leaveAtMs ?? durationMs) : [];
    return { index, username: `Peer ${index}`, position, radiusM, joinAtMs, leaveAtMs, moves, isAuthor: authors.has(index) };
  });

  const talk = random.fork('talk');
  const messages: MessagePlan[] = [];
  for (const authorIndex of authors) {
    let count = 0;
    for (let atMs = talkStartMs + talk.between(0, maxGapMs); atMs <= durationMs; atMs += talk.between(minGapMs, maxGapMs)) {
      count += 1;
      messages.push({ authorIndex, atMs, text: `message ${count} from Peer ${authorIndex}` });
    }
  }
  messages.sort((a, b) => a.atMs - b.atMs);
  return { config, peers, messages };
}

function placementStream(random: Random, count: number, area: AreaShape): { position: Position; radiusM: number }[] {
  return Array.from({ length: count }, () => ({ position: placePerson(random, area), radiusM: pickRadiusM(random) }));
}

/** One to three walks, each far enough and late enough for the app's move throttle to apply it. */
function planWalk(random: Random, from: Position, startMs: number, endMs: number): MovePlan[] {
  const moves: MovePlan[] = [];
  let position = from;
  let atMs = random.between(startMs, endMs);
  for (let step = random.int(1, 4); step > 0 && atMs < endMs; step -= 1) {
    position = offsetPosition(position, random.between(Math.max(MIN_WALK_M, MIN_MOVE_M), MAX_WALK_M), random.between(0, 2 * Math.PI));
    moves.push({ atMs, position });
    atMs += random.between(MIN_UPDATE_INTERVAL_MS, 3 * MIN_UPDATE_INTERVAL_MS);
  }
  return moves;
}
