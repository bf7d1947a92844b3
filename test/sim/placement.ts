/**
 * Where simulated people stand and how far they look: a dense centre (a square, a
 * stadium) and a sparse edge, with mixed radii. Pure functions over a seeded source.
 */

import type { Position } from '../../app/core/position.ts';
import { MAX_RADIUS_M, MIN_RADIUS_M } from '../../app/core/visibility.ts';
import type { Random } from './prng.ts';

/** Metres per degree of latitude (and of longitude at the equator). */
const METRES_PER_DEGREE = 111_320;

export interface AreaShape {
  readonly centre: Position;
  /** Share of people inside the dense disc. */
  readonly denseShare: number;
  readonly denseRadiusM: number;
  /** The sparse ring reaches this far from the centre. */
  readonly edgeRadiusM: number;
}

/** 60 % within 300 m of the centre, the rest spread evenly out to 2 km. */
export const DEFAULT_AREA: AreaShape = {
  centre: { lat: 48.8566, lon: 2.3522 },
  denseShare: 0.6,
  denseRadiusM: 300,
  edgeRadiusM: 2_000,
};

/** The point `distanceM` metres from `from` towards `bearingRad` (0 = north), flat-Earth (fine at ≤ 2 km). */
export function offsetPosition(from: Position, distanceM: number, bearingRad: number): Position {
  const lat = from.lat + (distanceM * Math.cos(bearingRad)) / METRES_PER_DEGREE;
  const lon = from.lon + (distanceM * Math.sin(bearingRad)) / (METRES_PER_DEGREE * Math.cos((from.lat * Math.PI) / 180));
  return { lat, lon };
}

/** A raw (unquantized) position: uniform over the dense disc or over the sparse ring. */
export function placePerson(random: Random, area: AreaShape = DEFAULT_AREA): Position {
  const bearing = random.between(0, 2 * Math.PI);
  // sqrt of a uniform draw gives a uniform density per area, not per distance.
  if (random.chance(area.denseShare)) return offsetPosition(area.centre, area.denseRadiusM * Math.sqrt(random.next()), bearing);
  const inner = area.denseRadiusM ** 2;
  const outer = area.edgeRadiusM ** 2;
  return offsetPosition(area.centre, Math.sqrt(inner + random.next() * (outer - inner)), bearing);
}

/** Radius bands and their weights: most people look 300 m to 1 km around them. */
const RADIUS_BANDS: readonly { readonly weight: number; readonly minM: number; readonly maxM: number }[] = [
  { weight: 0.15, minM: MIN_RADIUS_M, maxM: 300 },
  { weight: 0.6, minM: 300, maxM: 1_000 },
  { weight: 0.25, minM: 1_000, maxM: MAX_RADIUS_M },
];

/** A radius as the slider gives it: a whole number of metres in [100, 2000], in 10 m steps. */
export function pickRadiusM(random: Random): number {
  let draw = random.next();
  for (const band of RADIUS_BANDS) {
    if (draw < band.weight) return Math.round(random.between(band.minM, band.maxM) / 10) * 10;
    draw -= band.weight;
  }
  return MAX_RADIUS_M;
}
