import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bearingFor, radarDots, ringDistancesM } from '../../app/core/radar-layout.ts';

describe('radar rings', () => {
  test('end with the radius as the outer ring, at most four rings, at round distances', () => {
    assert.deepEqual(ringDistancesM(100), [50, 100]);
    assert.deepEqual(ringDistancesM(200), [50, 100, 150, 200]);
    assert.deepEqual(ringDistancesM(500), [250, 500]);
    assert.deepEqual(ringDistancesM(1_000), [250, 500, 750, 1_000]);
    assert.deepEqual(ringDistancesM(1_500), [500, 1_000, 1_500]);
    assert.deepEqual(ringDistancesM(2_000), [500, 1_000, 1_500, 2_000]);
    for (let radiusM = 100; radiusM <= 2_000; radiusM += 50) {
      const rings = ringDistancesM(radiusM);
      assert.ok(rings.length >= 2 && rings.length <= 4, `${radiusM} m: ${rings.join(', ')}`);
      assert.equal(rings.at(-1), radiusM);
    }
  });

  test('leave out an inner ring that would crowd the outer one', () => {
    assert.deepEqual(ringDistancesM(550), [250, 550]);
    assert.deepEqual(ringDistancesM(1_050), [500, 1_050]);
  });
});

describe('radar dots', () => {
  const salt = 'session-salt';

  test('sit at the 50 m band over the radius, the outer ring being the radius', () => {
    const [near, mid, edge] = radarDots(
      [
        { key: 'a', distanceM: 10 },
        { key: 'b', distanceM: 262 },
        { key: 'c', distanceM: 540 },
      ],
      500,
      salt,
    );
    assert.equal(near?.fraction, 50 / 500, 'closer than a band still shows as one band');
    assert.equal(mid?.fraction, 250 / 500);
    assert.equal(edge?.fraction, 1, 'someone kept by hysteresis beyond the radius stays on the outer ring');
    for (const dot of [near, mid, edge]) {
      assert.ok(dot !== undefined);
      assert.ok(Math.abs(Math.hypot(dot.x, dot.y) - dot.fraction) < 1e-9);
    }
  });

  test('keep their bearing for the same person and session, so dots do not jump', () => {
    const first = radarDots([{ key: 'alice', distanceM: 300 }], 500, salt)[0];
    const moved = radarDots([{ key: 'bob', distanceM: 120 }, { key: 'alice', distanceM: 420 }], 1_000, salt)[1];
    assert.equal(first?.bearing, moved?.bearing);
    assert.equal(bearingFor('alice', salt), first?.bearing);
  });

  test('draw a new bearing in another session: nothing about a person fixes their direction', () => {
    const bearings = new Set(Array.from({ length: 20 }, (_, index) => bearingFor('alice', `salt-${index}`).toFixed(6)));
    assert.equal(bearings.size, 20);
  });

  test('spread people around the whole circle', () => {
    const quadrants = [0, 0, 0, 0];
    for (let index = 0; index < 400; index += 1) {
      const bearing = bearingFor(`person-${index}`, salt);
      assert.ok(bearing >= 0 && bearing < 2 * Math.PI);
      const quadrant = Math.floor(bearing / (Math.PI / 2));
      quadrants[quadrant] = (quadrants[quadrant] ?? 0) + 1;
    }
    for (const count of quadrants) assert.ok(count > 70 && count < 130, `quadrants ${quadrants.join(', ')}`);
  });

  test('give one dot per person', () => {
    const people = Array.from({ length: 7 }, (_, index) => ({ key: `k${index}`, distanceM: 100 * index }));
    assert.deepEqual(
      radarDots(people, 2_000, salt).map((dot) => dot.key),
      people.map((person) => person.key),
    );
    assert.deepEqual(radarDots([], 500, salt), []);
  });
});
