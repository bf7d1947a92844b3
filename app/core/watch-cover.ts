/**
 * The watch prefixes a client sends the relay: geohash cells that together cover its
 * radius circle, as few as possible and none that misses the circle. Whole precision-5
 * cells where the circle covers all their children, precision-6 cells at the edge,
 * and all precision-5 when that would exceed the protocol's 32.
 */

import { boxGapM } from './geo.ts';
import { decodeGeohashBox, encodeGeohash, GEOHASH_ALPHABET, type BoundingBox } from './geohash.ts';
import { MAX_WATCH_PREFIXES } from './protocol.ts';
import type { Position } from './position.ts';

/** Metres per degree of latitude (and of longitude at the equator). */
const METRES_PER_DEGREE = 111_320;

/** Every cell of `precision` whose box comes within `radiusM` of `centre`, sorted. */
function cellsTouchingCircle(centre: Position, radiusM: number, precision: number): string[] {
  const point: BoundingBox = { minLat: centre.lat, maxLat: centre.lat, minLon: centre.lon, maxLon: centre.lon };
  const sample = decodeGeohashBox(encodeGeohash(centre.lat, centre.lon, precision));
  const latStep = sample.maxLat - sample.minLat;
  const lonStep = sample.maxLon - sample.minLon;
  const latReach = radiusM / METRES_PER_DEGREE;
  const lonReach = radiusM / (METRES_PER_DEGREE * Math.max(0.01, Math.cos((centre.lat * Math.PI) / 180)));
  const cells = new Set<string>();
  // Walk the circle's bounding box in half-cell steps so no cell is skipped.
  for (let lat = centre.lat - latReach; lat <= centre.lat + latReach + latStep / 2; lat += latStep / 2) {
    for (let lon = centre.lon - lonReach; lon <= centre.lon + lonReach + lonStep / 2; lon += lonStep / 2) {
      const clampedLat = Math.max(-90, Math.min(90, Math.min(lat, centre.lat + latReach)));
      const clampedLon = Math.max(-180, Math.min(180, Math.min(lon, centre.lon + lonReach)));
      const cell = encodeGeohash(clampedLat, clampedLon, precision);
      if (!cells.has(cell) && boxGapM(point, decodeGeohashBox(cell)) <= radiusM) cells.add(cell);
    }
  }
  return [...cells].sort();
}

/**
 * Watch prefixes covering the circle of `radiusM` metres around `centre`: at most 32,
 * each touching the circle.
 */
export function watchPrefixes(centre: Position, radiusM: number): string[] {
  const coarse = cellsTouchingCircle(centre, radiusM, 5);
  const fine = new Set(cellsTouchingCircle(centre, radiusM, 6));
  const mixed: string[] = [];
  for (const parent of coarse) {
    const children = [...GEOHASH_ALPHABET].map((char) => parent + char);
    const touching = children.filter((child) => fine.has(child));
    // A parent whose children all touch the circle costs one prefix instead of 32.
    if (touching.length === children.length) mixed.push(parent);
    else mixed.push(...touching);
  }
  return mixed.length <= MAX_WATCH_PREFIXES ? mixed : coarse.slice(0, MAX_WATCH_PREFIXES);
}
