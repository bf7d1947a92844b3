import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { boxGapM, distanceM } from '../../app/core/geo.ts';
import { decodeGeohashBox, encodeGeohash, isGeohash } from '../../app/core/geohash.ts';

describe('geohash', () => {
  test('encodes the reference point of the geohash specification', () => {
    assert.equal(encodeGeohash(57.64911, 10.40744, 11), 'u4pruydqqvj');
    assert.equal(encodeGeohash(48.8566, 2.3522, 6), 'u09tvw');
    assert.equal(encodeGeohash(-33.8688, 151.2093, 5), 'r3gx2');
  });

  test('decodes a cell to a box that contains the point it was encoded from', () => {
    for (const [lat, lon] of [
      [48.8566, 2.3522],
      [-33.8688, 151.2093],
      [0, 0],
      [89.9, -179.9],
    ] as const) {
      for (const precision of [1, 5, 6, 8, 12]) {
        const box = decodeGeohashBox(encodeGeohash(lat, lon, precision));
        assert.ok(box.minLat <= lat && lat <= box.maxLat && box.minLon <= lon && lon <= box.maxLon);
      }
    }
    const cell = decodeGeohashBox('u09tvw');
    assert.ok(distanceM(cell.minLat, cell.minLon, cell.minLat, cell.maxLon) > 700, 'precision 6 is ~0.8 km wide here');
  });

  test('accepts only the geohash alphabet at the asked lengths', () => {
    assert.ok(isGeohash('u09tvw', 6));
    assert.ok(isGeohash('u09tv', 5, 6));
    for (const bad of ['u09tv', 'u09tvwx', 'u09tva', 'u09tvi', 'u09tvl', 'u09tvo', 'U09TVW', 'u09 tv', '', 123456, null]) {
      assert.equal(isGeohash(bad, 6), false, String(bad));
    }
    assert.throws(() => decodeGeohashBox('abc'), RangeError);
    assert.throws(() => encodeGeohash(91, 0, 6), RangeError);
    assert.throws(() => encodeGeohash(0, Number.NaN, 6), RangeError);
    assert.throws(() => encodeGeohash(0, 0, 13), RangeError);
  });
});

describe('geo distances', () => {
  test('measures great-circle distances in metres', () => {
    // Paris to London: 343.5 km by haversine on the mean Earth radius.
    assert.ok(Math.abs(distanceM(48.8566, 2.3522, 51.5074, -0.1278) - 343_560) < 500);
    assert.equal(distanceM(10, 10, 10, 10), 0);
    // 0.001° of latitude is about 111 m anywhere.
    assert.ok(Math.abs(distanceM(48, 2, 48.001, 2) - 111.2) < 0.5);
  });

  test('the gap between two boxes is zero when they touch and the edge distance otherwise', () => {
    const home = decodeGeohashBox('u09tvw');
    assert.equal(boxGapM(home, decodeGeohashBox('u09tv')), 0);
    assert.equal(boxGapM(home, decodeGeohashBox('u09tvx')), 0, 'neighbours touch');
    const far = boxGapM(home, decodeGeohashBox('u09ts'));
    assert.ok(far > 3_000 && far < 5_000, `u09ts is 3–5 km away, got ${far}`);
    assert.equal(Math.round(boxGapM(home, decodeGeohashBox('u09ts'))), Math.round(boxGapM(decodeGeohashBox('u09ts'), home)));
  });
});
