/**
 * Geohash encoding and cell geometry, written out here instead of pulled from a
 * package: the relay and the app need four small functions, and they must run
 * unchanged in both (no DOM, no Node).
 */

/** The geohash base-32 alphabet: digits and lower-case letters without a, i, l, o. */
export const GEOHASH_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

const GEOHASH_PATTERN = /^[0-9b-hjkmnp-z]+$/;

/** A latitude/longitude box in degrees. */
export interface BoundingBox {
  readonly minLat: number;
  readonly minLon: number;
  readonly maxLat: number;
  readonly maxLon: number;
}

/** True when `value` is a geohash of exactly `minLength`..`maxLength` characters. */
export function isGeohash(value: unknown, minLength: number, maxLength = minLength): value is string {
  return (
    typeof value === 'string' &&
    value.length >= minLength &&
    value.length <= maxLength &&
    GEOHASH_PATTERN.test(value)
  );
}

/**
 * Encodes a position (degrees) as a geohash of `precision` characters (1..12).
 * Throws on non-finite or out-of-range input: callers validate positions first.
 */
export function encodeGeohash(lat: number, lon: number, precision: number): string {
  if (!Number.isFinite(lat) || lat < -90 || lat > 90) throw new RangeError(`latitude out of range: ${lat}`);
  if (!Number.isFinite(lon) || lon < -180 || lon > 180) throw new RangeError(`longitude out of range: ${lon}`);
  if (!Number.isInteger(precision) || precision < 1 || precision > 12) {
    throw new RangeError(`precision must be an integer from 1 to 12: ${precision}`);
  }
  let minLat = -90;
  let maxLat = 90;
  let minLon = -180;
  let maxLon = 180;
  let hash = '';
  let bits = 0;
  let bitCount = 0;
  let isLonBit = true;
  while (hash.length < precision) {
    if (isLonBit) {
      const mid = (minLon + maxLon) / 2;
      bits = (bits << 1) | (lon >= mid ? 1 : 0);
      if (lon >= mid) minLon = mid;
      else maxLon = mid;
    } else {
      const mid = (minLat + maxLat) / 2;
      bits = (bits << 1) | (lat >= mid ? 1 : 0);
      if (lat >= mid) minLat = mid;
      else maxLat = mid;
    }
    isLonBit = !isLonBit;
    bitCount += 1;
    if (bitCount === 5) {
      hash += GEOHASH_ALPHABET.charAt(bits);
      bits = 0;
      bitCount = 0;
    }
  }
  return hash;
}

/** The box a geohash cell covers. Throws on a string that is not a geohash. */
export function decodeGeohashBox(hash: string): BoundingBox {
  if (!isGeohash(hash, 1, 12)) throw new RangeError(`not a geohash: ${JSON.stringify(hash)}`);
  let minLat = -90;
  let maxLat = 90;
  let minLon = -180;
  let maxLon = 180;
  let isLonBit = true;
  for (const char of hash) {
    const value = GEOHASH_ALPHABET.indexOf(char);
    for (let bit = 4; bit >= 0; bit -= 1) {
      const isSet = ((value >> bit) & 1) === 1;
      if (isLonBit) {
        const mid = (minLon + maxLon) / 2;
        if (isSet) minLon = mid;
        else maxLon = mid;
      } else {
        const mid = (minLat + maxLat) / 2;
        if (isSet) minLat = mid;
        else maxLat = mid;
      }
      isLonBit = !isLonBit;
    }
  }
  return { minLat, minLon, maxLat, maxLon };
}
