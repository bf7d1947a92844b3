/**
 * The radar's picture: distance rings and one dot per person in range. A dot's distance
 * from the centre is the person's 50 m band (what the Nearby list shows), on a scale where
 * our radius is the outer ring. Its bearing is random: drawn from a hash of the person's
 * key and a salt that is new every session, never from where they are, since a true
 * direction plus a distance would give their position away. The same key and salt give
 * the same bearing, so dots do not jump between renders.
 */

import { bandDistanceM } from './position.ts';

/** What the radar needs of a person. */
export interface RadarPerson {
  /** Their session key: stable for the session, the seed of their bearing. */
  readonly key: string;
  /** Their distance in metres (banded here: never drawn finer than 50 m). */
  readonly distanceM: number;
}

/** A dot on a unit disc: the centre is (0, 0), the outer ring (our radius) has radius 1. */
export interface RadarDot {
  readonly key: string;
  /** Banded distance over our radius, 0..1 (people held by hysteresis sit on the outer ring). */
  readonly fraction: number;
  /** Bearing in radians, clockwise from up, [0, 2π). Random, not a direction. */
  readonly bearing: number;
  /** x to the right, y downwards (screen coordinates), both in [-1, 1]. */
  readonly x: number;
  readonly y: number;
}

/** Ring spacings the radar chooses from, in metres. */
const RING_STEPS_M = [50, 100, 250, 500] as const;
/** Most rings drawn, the outer one included. */
const MAX_RINGS = 4;
/** An inner ring closer than this share of the radius to the outer one is left out (labels would collide). */
const MIN_OUTER_GAP = 0.15;

/**
 * The ring distances for `radiusM`, innermost first, ending with `radiusM`: multiples of
 * the smallest step that needs at most four rings (500 m → 250, 500; 2 km → 500 … 2000).
 */
export function ringDistancesM(radiusM: number): number[] {
  if (!(radiusM > 0)) return [];
  const step = RING_STEPS_M.find((candidate) => Math.ceil(radiusM / candidate) <= MAX_RINGS) ?? Math.ceil(radiusM / MAX_RINGS);
  const rings: number[] = [];
  for (let distance = step; distance < radiusM * (1 - MIN_OUTER_GAP) + 1e-9; distance += step) rings.push(distance);
  rings.push(radiusM);
  return rings;
}

/** 32-bit FNV-1a: small, fast and spreads similar keys well; not for secrets. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The bearing (radians, [0, 2π)) of `key` in the session salted with `salt`. */
export function bearingFor(key: string, salt: string): number {
  return (fnv1a(`${salt}\u0000${key}`) / 2 ** 32) * 2 * Math.PI;
}

/** One dot per person, in the order given. */
export function radarDots(people: readonly RadarPerson[], radiusM: number, salt: string): RadarDot[] {
  return people.map((person) => {
    const fraction = radiusM > 0 ? Math.min(1, bandDistanceM(person.distanceM) / radiusM) : 1;
    const bearing = bearingFor(person.key, salt);
    return { key: person.key, fraction, bearing, x: fraction * Math.sin(bearing), y: -fraction * Math.cos(bearing) };
  });
}
