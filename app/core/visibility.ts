/**
 * Who may see whom. Visibility is symmetric: A and B see each other when their distance
 * is within both radii (d ≤ min(rA, rB)). A peer already visible stays visible until it
 * is a margin beyond that, so quantized positions near the edge do not flap.
 */

/** Smallest radius a person can choose, in metres. */
export const MIN_RADIUS_M = 100;
/** Largest radius a person can choose, in metres. */
export const MAX_RADIUS_M = 2_000;
/** Radius a newcomer starts with. */
export const DEFAULT_RADIUS_M = 500;
/** How far beyond the mutual range a visible peer may drift before it is dropped. */
export const RANGE_HYSTERESIS_M = 50;

/** True for a whole radius in [MIN_RADIUS_M, MAX_RADIUS_M]. */
export function isValidRadius(radiusM: unknown): radiusM is number {
  return typeof radiusM === 'number' && Number.isInteger(radiusM) && radiusM >= MIN_RADIUS_M && radiusM <= MAX_RADIUS_M;
}

/** The range two peers share: the smaller of their radii. */
export function mutualRangeM(radiusA: number, radiusB: number): number {
  return Math.min(radiusA, radiusB);
}

/** Strict symmetric visibility, as used for messages: d ≤ min(rA, rB). */
export function isInMutualRange(distance: number, radiusA: number, radiusB: number): boolean {
  return distance <= mutualRangeM(radiusA, radiusB);
}

/**
 * Visibility with hysteresis, for the list of people and for links: a peer enters at
 * d ≤ min(rA, rB) and, once visible, leaves only beyond min(rA, rB) + RANGE_HYSTERESIS_M.
 */
export function isVisible(distance: number, radiusA: number, radiusB: number, wasVisible: boolean): boolean {
  const range = mutualRangeM(radiusA, radiusB);
  return distance <= (wasVisible ? range + RANGE_HYSTERESIS_M : range);
}
