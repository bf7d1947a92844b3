/**
 * A seeded corpus of hostile text and binary frames for the relay, each with the outcome
 * the relay must produce. Outcomes may depend on where the fuzzing client stands (joined
 * near the others, joined far away, or not joined), which the runner tracks in a `Model`.
 */

import { isPeerId, type ErrorCode, type PeerId } from '../../app/core/protocol.ts';
import { GEOHASH_ALPHABET } from '../../app/core/geohash.ts';

/** Deterministic PRNG (mulberry32): the same seed gives the same corpus. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Where the fuzzing client stands. Near: home in NEAR_PREFIX, the target's prefix. */
export interface Model {
  home: string | null;
}

export type Outcome =
  | { readonly kind: 'error'; readonly code: ErrorCode }
  | { readonly kind: 'joined'; readonly home: string }
  | { readonly kind: 'left' }
  /** The target receives a signal from the fuzzer whose text holds `"data":<raw>`. */
  | { readonly kind: 'delivered'; readonly raw: string };

export interface FuzzFrame {
  readonly kind: string;
  readonly payload: string | Buffer;
  readonly isBinary: boolean;
  readonly expect: (model: Model) => Outcome;
}

/** The peers the corpus addresses: a target near the fuzzer's near cells, a peer far away. */
export interface Cast {
  readonly fuzzer: PeerId;
  readonly target: PeerId;
  readonly far: PeerId;
}

export const NEAR_PREFIX = 'u09tv';
export const FAR_HOME = 'gcpvj0';

const error = (code: ErrorCode): ((model: Model) => Outcome) => () => ({ kind: 'error', code });

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (random: Random, min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
const chars = (random: Random, alphabet: string, length: number): string =>
  Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
const geohash = (random: Random, length: number): string => chars(random, GEOHASH_ALPHABET, length);
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** A random JSON value of bounded depth, as JSON.stringify writes it. */
function jsonValue(random: Random, depth: number): unknown {
  const roll = random();
  if (depth <= 0 || roll < 0.5) {
    return pick(random, [null, true, false, int(random, -1e6, 1e6), random() * 1e9, chars(random, 'abc xyz\n"\\é☃', int(random, 0, 40))]);
  }
  if (roll < 0.75) return Array.from({ length: int(random, 0, 4) }, () => jsonValue(random, depth - 1));
  return Object.fromEntries(Array.from({ length: int(random, 0, 4) }, () => [chars(random, 'abcdsp', int(random, 1, 6)), jsonValue(random, depth - 1)]));
}

/** A signal's outcome: refused before joining, delivered near the target, refused far from it. */
function signalTo(raw: string): (model: Model) => Outcome {
  return (model) => {
    if (model.home === null) return { kind: 'error', code: 'not-joined' };
    return model.home.startsWith(NEAR_PREFIX) ? { kind: 'delivered', raw } : { kind: 'error', code: 'not-nearby' };
  };
}

const whenJoined = (code: ErrorCode) => (model: Model): Outcome => ({ kind: 'error', code: model.home === null ? 'not-joined' : code });

/** Exotic data written by hand: what a re-serialization would change. */
const EXOTIC_DATA = ['1e400', '-0', '1E-400', '123456789012345678901234567890', '{"a":1e400,"b":[-0.0,5e-324]}', '[1.0,2.50,3e+2]'];
const UNICODE_DATA = ['"\\ud800"', '"\\udfff\\ud800"', '"\\u0000\\u001f"', '"é☃𝄞"', '{"\\u0064ata":"\\/"}', '"\\"\\\\"'];

/** Every kind of hostile frame: name → generator. */
export function frameKinds(cast: Cast): ReadonlyArray<readonly [string, (random: Random) => Omit<FuzzFrame, 'kind' | 'isBinary'> & { isBinary?: boolean }]> {
  const { target, far, fuzzer } = cast;
  const valid = (random: Random): string => JSON.stringify({ type: 'signal', to: target, data: jsonValue(random, 3) });
  return [
    ['truncated JSON', (random) => {
      const text = valid(random);
      return { payload: text.slice(0, int(random, 1, text.length - 1)), expect: error('bad-json') };
    }],
    ['not JSON at all', (random) => ({ payload: pick(random, ['x', 'join', 'undefined', 'NaN', "{'type':'join'}", '<xml/>']) + chars(random, 'abc{}[]":,', int(random, 0, 30)), expect: error('bad-json') })],
    ['empty or blank text', (random) => ({ payload: ' \t\n\r'.slice(0, int(random, 0, 4)), expect: error('bad-json') })],
    ['a JSON scalar', (random) => ({ payload: JSON.stringify(pick(random, [null, true, false, 0, -1.5, 'join', ''])), expect: error('bad-frame') })],
    ['a JSON array', (random) => ({ payload: JSON.stringify([{ type: 'join', home: 'u09tvw', watch: [] }].slice(0, int(random, 0, 1))), expect: error('bad-frame') })],
    ['an object without type', (random) => ({ payload: JSON.stringify({ home: 'u09tvw', watch: [NEAR_PREFIX], t: int(random, 0, 9) }), expect: error('bad-frame') })],
    ['a type that is not a string', (random) => ({ payload: JSON.stringify({ type: pick(random, [1, null, true, ['join'], { join: 1 }]) }), expect: error('bad-frame') })],
    ['an unknown type', (random) => ({ payload: JSON.stringify({ type: chars(random, 'abcdefghijklmnopqrstuvwxyz-', int(random, 1, 5000)) + 'x' }), expect: error('unknown-type') })],
    ['a relay frame sent by a client', (random) => ({ payload: JSON.stringify({ type: pick(random, ['welcome', 'peers', 'peer-joined', 'peer-left', 'error', 'ice-servers', 'Signal', 'JOIN']), id: fuzzer }), expect: error('unknown-type') })],
    ['a home of the wrong length', (random) => ({ payload: JSON.stringify({ type: 'join', home: geohash(random, pick(random, [0, 1, 5, 7, 12, 100])), watch: [NEAR_PREFIX] }), expect: error('bad-frame') })],
    ['a home outside the geohash alphabet', (random) => ({ payload: JSON.stringify({ type: 'join', home: `u09t${pick(random, ['a', 'i', 'l', 'o', 'V', ' ', '\u0000', 'é'])}w`, watch: [NEAR_PREFIX] }), expect: error('bad-frame') })],
    ['a home that is not a string', (random) => ({ payload: JSON.stringify({ type: 'join', home: pick(random, [123456, null, ['u09tvw'], { h: 1 }]), watch: [] }), expect: error('bad-frame') })],
    ['a watch that is not a list', (random) => ({ payload: JSON.stringify({ type: 'join', home: 'u09tvw', watch: pick(random, [NEAR_PREFIX, null, 5, { 0: NEAR_PREFIX }]) }), expect: error('bad-frame') })],
    ['too many watch prefixes', (random) => ({ payload: JSON.stringify({ type: 'join', home: 'u09tvw', watch: Array(int(random, 33, 500)).fill(NEAR_PREFIX) }), expect: error('bad-frame') })],
    ['a malformed watch prefix', (random) => ({ payload: JSON.stringify({ type: 'join', home: 'u09tvw', watch: [NEAR_PREFIX, pick(random, [geohash(random, int(random, 0, 4)), geohash(random, 7), 'u09ta', 5, null])] }), expect: error('bad-frame') })],
    ['a watch prefix beyond 2 km', (random) => ({ payload: JSON.stringify({ type: 'join', home: 'u09tvw', watch: [`${pick(random, ['b', 'c', 'd', 'e', 'f', 'g', 's', 't'])}${geohash(random, 4)}`] }), expect: error('bad-frame') })],
    ['a valid join near the target', (random) => {
      const home = `${NEAR_PREFIX}${geohash(random, 1)}`;
      const watch = pick(random, [[NEAR_PREFIX], [home], [NEAR_PREFIX, home, NEAR_PREFIX]]);
      return { payload: JSON.stringify({ type: 'join', home, watch }), expect: () => ({ kind: 'joined', home }) };
    }],
    ['a valid join far away', (random) => {
      let home = geohash(random, 6);
      while (home.startsWith(NEAR_PREFIX) || home.startsWith(FAR_HOME.slice(0, 5)) || home.startsWith('u09t')) home = geohash(random, 6);
      return { payload: JSON.stringify({ type: 'join', home, watch: [home.slice(0, 5)] }), expect: () => ({ kind: 'joined', home }) };
    }],
    ['a leave', () => ({ payload: '{"type":"leave"}', expect: () => ({ kind: 'left' }) })],
    ['a signal without to', (random) => ({ payload: JSON.stringify({ type: 'signal', data: jsonValue(random, 2) }), expect: error('bad-frame') })],
    ['a signal to a malformed id', (random) => {
      const to = pick(random, [chars(random, ID_ALPHABET, pick(random, [0, 5, 21, 23, 40])), `${target.slice(0, 21)}=`, '../../etc/passwd', 42, null, `${target} `]);
      return { payload: JSON.stringify({ type: 'signal', to, data: 1 }), expect: error('bad-frame') };
    }],
    ['a signal without data', () => ({ payload: JSON.stringify({ type: 'signal', to: target }), expect: error('bad-frame') })],
    ['nesting beyond the depth bound', (random) => {
      const depth = int(random, 32, 8_000);
      const deep = '['.repeat(depth) + ']'.repeat(depth);
      const extra = random() < 0.5 ? ',"extra":1' : '';
      const payload = pick(random, [`{"type":"signal","to":"${target}","data":${deep}${extra}}`, `{"type":"join","home":"u09tvw","watch":${deep}}`, `{"x":${deep},"type":"leave"}`]);
      return { payload, expect: error('bad-frame') };
    }],
    ['a signal to a peer nobody holds', (random) => ({ payload: JSON.stringify({ type: 'signal', to: chars(random, ID_ALPHABET, 22), data: jsonValue(random, 2) }), expect: whenJoined('unknown-peer') })],
    ['a signal to oneself', (random) => ({ payload: JSON.stringify({ type: 'signal', to: fuzzer, data: jsonValue(random, 2) }), expect: whenJoined('self-signal') })],
    ['a signal to a peer far away', (random) => ({ payload: JSON.stringify({ type: 'signal', to: far, data: jsonValue(random, 2) }), expect: whenJoined('not-nearby') })],
    ['a well-formed signal', (random) => {
      const raw = JSON.stringify(jsonValue(random, 4)) ?? 'null';
      return { payload: `{"type":"signal","to":"${target}","data":${raw}}`, expect: signalTo(raw) };
    }],
    ['a forged from and extra fields', (random) => {
      const raw = JSON.stringify(jsonValue(random, 3)) ?? 'null';
      return { payload: `{"from":"${far}","type":"signal","to":"${target}","data":${raw},"relay":"x","v":${int(random, 0, 9)}}`, expect: signalTo(raw) };
    }],
    ['numbers a re-serialization would change', (random) => {
      const raw = pick(random, EXOTIC_DATA);
      const extra = random() < 0.5 ? ',"x":1e999' : '';
      return { payload: `{"type":"signal","to":"${target}","data":${raw}${extra}}`, expect: signalTo(raw) };
    }],
    ['escapes and astral text in data', (random) => {
      const raw = pick(random, UNICODE_DATA);
      const extra = random() < 0.5 ? ',"\\u0074o2":0' : '';
      return { payload: `{"type":"signal","to":"${target}","data":${raw}${extra}}`, expect: signalTo(raw) };
    }],
    ['prototype keys', (random) => pick(random, [
      { payload: '{"__proto__":{"type":"leave"}}', expect: error('bad-frame') },
      { payload: '{"constructor":{"prototype":{"type":"join"}}}', expect: error('bad-frame') },
      { payload: `{"type":"signal","to":"${target}","data":{"__proto__":{"polluted":1}}}`, expect: signalTo('{"__proto__":{"polluted":1}}') },
    ])],
    ['duplicate keys', (random) => pick(random, [
      { payload: `{"type":"leave","type":"signal","to":"${target}","data":2}`, expect: signalTo('2') },
      { payload: `{"type":"signal","to":"${far}","to":"${target}","data":[3],"x":0}`, expect: signalTo('[3]') },
    ])],
    ['a binary frame', (random) => ({ payload: Buffer.from(Array.from({ length: int(random, 0, 2_000) }, () => int(random, 0, 255))), isBinary: true, expect: error('binary-not-supported') })],
  ];
}

/** How many frame kinds there are (the ids only matter to the frames, not to the count). */
export const FRAME_KIND_COUNT = frameKinds({ fuzzer: peerId('A'), target: peerId('B'), far: peerId('C') }).length;

function peerId(letter: string): PeerId {
  const id = letter.repeat(22);
  if (!isPeerId(id)) throw new Error(`not a peer id: ${id}`);
  return id;
}

/** `count` frames over every kind, in a seeded order. */
export function buildCorpus(seed: number, count: number, cast: Cast): FuzzFrame[] {
  const random = createRandom(seed);
  const kinds = frameKinds(cast);
  return Array.from({ length: count }, (_unused, index) => {
    // Round-robin first, so that every kind is present even in a short run.
    const [kind, generate] = kinds[index < kinds.length ? index : Math.floor(random() * kinds.length)] ?? kinds[0]!;
    const frame = generate(random);
    return { kind, payload: frame.payload, isBinary: frame.isBinary ?? false, expect: frame.expect };
  });
}
