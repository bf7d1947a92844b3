/**
 * What a peer may reveal of its position, and how distances are shown. Raw coordinates
 * never leave the device: other peers get the centre of a precision-8 geohash cell
 * (about 38 m × 19 m), the relay only the precision-6 home cell.
 */

import { distanceM } from './geo.ts';
import { decodeGeohashBox, encodeGeohash } from './geohash.ts';
import { HOME_PRECISION } from './protocol.ts';

/** A position in degrees. */
export interface Position {
  readonly lat: number;
  readonly lon: number;
}

/** Geohash precision of positions shared with peers: cells of about 38 m × 19 m. */
export const SHARED_POSITION_PRECISION = 8;
/** Distances are shown in bands of this many metres. */
export const DISTANCE_BAND_M = 50;

/** True for a finite latitude in [-90, 90] and longitude in [-180, 180]. */
export function isValidPosition(lat: unknown, lon: unknown): boolean {
  return (
    typeof lat === 'number' &&
    typeof lon === 'number' &&
    Number.isFinite(lat) &&
    Number.isFinite(lon) &&
    Math.abs(lat) <= 90 &&
    Math.abs(lon) <= 180
  );
}

/** The position shared with peers: the centre of the precision-8 cell holding `position`. */
export function quantizePosition(position: Position): Position {
  const box = decodeGeohashBox(encodeGeohash(position.lat, position.lon, SHARED_POSITION_PRECISION));
  // Rounded to 6 decimals (~0.1 m) so the same cell always serializes identically.
  const round = (value: number): number => Math.round(value * 1e6) / 1e6;
  return { lat: round((box.minLat + box.maxLat) / 2), lon: round((box.minLon + box.maxLon) / 2) };
}

/**
 * Reads a position another peer shared: `{lat, lon}` exactly as `quantizePosition` makes
 * them. Finer positions are refused, so a client leaking raw coordinates is not relayed.
 */
export function parseSharedPosition(value: unknown): Position | null {
  if (typeof value !== 'object' || value === null) return null;
  const lat: unknown = Reflect.get(value, 'lat');
  const lon: unknown = Reflect.get(value, 'lon');
  if (typeof lat !== 'number' || typeof lon !== 'number' || !isValidPosition(lat, lon)) return null;
  const shared = quantizePosition({ lat, lon });
  return shared.lat === lat && shared.lon === lon ? shared : null;
}

/** The precision-6 cell the relay is told. */
export function homeCell(position: Position): string {
  return encodeGeohash(position.lat, position.lon, HOME_PRECISION);
}

/** Distance in metres between two positions. */
export function distanceBetween(a: Position, b: Position): number {
  return distanceM(a.lat, a.lon, b.lat, b.lon);
}

/** A distance rounded to its 50 m band, never below one band ("~50 m" for very close). */
export function bandDistanceM(distance: number): number {
  return Math.max(DISTANCE_BAND_M, Math.round(distance / DISTANCE_BAND_M) * DISTANCE_BAND_M);
}

/** How a distance is shown to a person: "~300 m", "~1.25 km". */
export function formatDistance(distance: number): string {
  const banded = bandDistanceM(distance);
  return banded < 1000 ? `~${banded} m` : `~${Number((banded / 1000).toFixed(2))} km`;
}
