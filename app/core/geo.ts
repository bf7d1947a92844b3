/** Distances on the Earth's surface. Pure functions; degrees in, metres out. */

import type { BoundingBox } from './geohash.ts';

/** Mean Earth radius in metres (IUGG), the usual constant for haversine. */
export const EARTH_RADIUS_M = 6_371_008.8;

const toRadians = (degrees: number): number => (degrees * Math.PI) / 180;

/** Great-circle distance in metres between two positions given in degrees. */
export function distanceM(latA: number, lonA: number, latB: number, lonB: number): number {
  const dLat = toRadians(latB - latA);
  const dLon = toRadians(lonB - lonA);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(latA)) * Math.cos(toRadians(latB)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Clamps `value` into [min, max]. */
const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/**
 * Smallest distance in metres between any point of box `a` and any point of box `b`
 * (0 when they touch or overlap). Longitude wrap-around at ±180° is ignored: no cell
 * pair NearTalk compares spans the antimeridian at the distances that matter (≤ 2 km)
 * without also being adjacent in the other direction.
 */
export function boxGapM(a: BoundingBox, b: BoundingBox): number {
  const latA = clamp((b.minLat + b.maxLat) / 2, a.minLat, a.maxLat);
  const latB = clamp(latA, b.minLat, b.maxLat);
  const lonA = clamp((b.minLon + b.maxLon) / 2, a.minLon, a.maxLon);
  const lonB = clamp(lonA, b.minLon, b.maxLon);
  return distanceM(latA, lonA, latB, lonB);
}
