import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeGeohashBox, encodeGeohash } from '../../app/core/geohash.ts';
import { bandDistanceM, distanceBetween, formatDistance, homeCell, quantizePosition, type Position } from '../../app/core/position.ts';
import { isInMutualRange, isValidRadius, isVisible } from '../../app/core/visibility.ts';
import { watchPrefixes } from '../../app/core/watch-cover.ts';
import { boxGapM } from '../../app/core/geo.ts';

const PARIS: Position = { lat: 48.8566, lon: 2.3522 };

/** A point `metres` away from `from` on a bearing (degrees), on a local flat approximation. */
function offset(from: Position, metres: number, bearingDeg: number): Position {
  const bearing = (bearingDeg * Math.PI) / 180;
  const dLat = (metres * Math.cos(bearing)) / 111_320;
  const dLon = (metres * Math.sin(bearing)) / (111_320 * Math.cos((from.lat * Math.PI) / 180));
  return { lat: from.lat + dLat, lon: from.lon + dLon };
}

describe('positions shared with peers', () => {
  test('are the centre of a precision-8 cell: within ~25 m of the truth, never finer', () => {
    for (let step = 0; step < 200; step += 1) {
      const truth = offset(PARIS, step * 7.3, step * 37);
      const shared = quantizePosition(truth);
      assert.ok(distanceBetween(truth, shared) < 25);
      // Every point of the same cell maps to the same shared position.
      const box = decodeGeohashBox(encodeGeohash(truth.lat, truth.lon, 8));
      assert.deepEqual(quantizePosition({ lat: box.minLat + 1e-9, lon: box.minLon + 1e-9 }), shared);
    }
  });

  test('the relay is told only the precision-6 home cell', () => {
    assert.equal(homeCell(PARIS), 'u09tvw');
  });

  test('distances are shown in 50 m bands', () => {
    assert.equal(formatDistance(0), '~50 m');
    assert.equal(formatDistance(274), '~250 m');
    assert.equal(formatDistance(276), '~300 m');
    assert.equal(formatDistance(1_230), '~1.25 km');
    assert.equal(formatDistance(2_000), '~2 km');
    assert.equal(bandDistanceM(312), 300);
  });
});

describe('visibility', () => {
  test('is symmetric: within both radii', () => {
    assert.equal(isInMutualRange(300, 500, 500), true);
    assert.equal(isInMutualRange(1_000, 2_000, 200), false);
    assert.equal(isInMutualRange(1_000, 200, 2_000), false);
    assert.equal(isInMutualRange(200, 2_000, 200), true);
  });

  test('enters at the range and leaves only a margin beyond it', () => {
    assert.equal(isVisible(510, 500, 500, false), false);
    assert.equal(isVisible(500, 500, 500, false), true);
    assert.equal(isVisible(540, 500, 500, true), true, 'a visible peer at the edge does not flap');
    assert.equal(isVisible(560, 500, 500, true), false);
  });

  test('accepts radii from 100 m to 2 km', () => {
    for (const good of [100, 500, 2_000]) assert.equal(isValidRadius(good), true);
    for (const bad of [99, 2_001, 150.5, Number.NaN, '500', null]) assert.equal(isValidRadius(bad), false);
  });
});

describe('watch prefixes', () => {
  const places: Position[] = [PARIS, { lat: 64.1466, lon: -21.9426 }, { lat: -33.8688, lon: 151.2093 }, { lat: 0.0001, lon: -0.0001 }];

  test('cover every point of the radius circle, at most 32, each touching the circle', () => {
    for (const place of places) {
      for (const radiusM of [100, 250, 500, 1_000, 1_500, 2_000]) {
        const prefixes = watchPrefixes(place, radiusM);
        assert.ok(prefixes.length >= 1 && prefixes.length <= 32, `${radiusM} m: ${prefixes.length}`);
        for (const prefix of prefixes) assert.ok(prefix.length === 5 || prefix.length === 6);
        const centre = { minLat: place.lat, maxLat: place.lat, minLon: place.lon, maxLon: place.lon };
        for (const prefix of prefixes) {
          assert.ok(boxGapM(centre, decodeGeohashBox(prefix)) <= radiusM, `${prefix} touches the ${radiusM} m circle`);
        }
        for (let step = 0; step < 720; step += 1) {
          const point = offset(place, (radiusM * 0.999 * ((step % 10) + 1)) / 10, step * 0.5);
          const home = homeCell(point);
          assert.ok(
            prefixes.some((prefix) => home.startsWith(prefix)),
            `${radiusM} m around ${place.lat},${place.lon}: ${home} is covered`,
          );
        }
      }
    }
  });

  test('use precision 6 for small radii and few prefixes', () => {
    const small = watchPrefixes(PARIS, 100);
    assert.ok(small.every((prefix) => prefix.length === 6));
    assert.ok(small.length <= 4);
    assert.ok(watchPrefixes(PARIS, 2_000).length <= 9);
  });
});
