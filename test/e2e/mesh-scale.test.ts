/**
 * The mesh beyond direct links: ten browsers with a target degree of 3 (high mark 6), so
 * nobody holds a link to everyone, and mixed radii so "in range" differs per pair. Every
 * message must reach exactly the people in mutual range of its author.
 */

import { distanceBetween, quantizePosition } from '../../app/core/position.ts';
import { isInMutualRange } from '../../app/core/visibility.ts';
import { expect, test, type MeshPeer } from '../fixture/mesh-fixture.ts';

const LAT = 48.8566;
const LON = 2.3522;
const at = (northM: number, eastM: number) => ({ lat: LAT + northM / 111_320, lon: LON + eastM / (111_320 * Math.cos((LAT * Math.PI) / 180)) });

/** A dense group near the centre, a few further out, one far east that only the wide radii reach. */
const PEOPLE = [
  { name: 'Ann', north: 0, east: 0, radiusM: 2000 },
  { name: 'Ben', north: 60, east: 20, radiusM: 500 },
  { name: 'Cat', north: -40, east: 70, radiusM: 500 },
  { name: 'Dan', north: 120, east: -80, radiusM: 1000 },
  { name: 'Eve', north: -150, east: -60, radiusM: 300 },
  { name: 'Fay', north: 300, east: 250, radiusM: 1000 },
  { name: 'Gus', north: -350, east: 300, radiusM: 2000 },
  { name: 'Hal', north: 500, east: -400, radiusM: 1000 },
  { name: 'Ivy', north: 30, east: -30, radiusM: 200 },
  { name: 'Jon', north: 100, east: 1500, radiusM: 2000 },
] as const;

test('with ten peers and a degree of 3, every message reaches everyone in mutual range of its author, and nobody else', async ({ spawnPeer }) => {
  test.setTimeout(120_000);
  const peers: MeshPeer[] = [];
  for (const person of PEOPLE) {
    const { lat, lon } = at(person.north, person.east);
    peers.push(await spawnPeer({ name: person.name, lat, lon, radiusM: person.radiusM, degree: 3 }));
  }
  const places = PEOPLE.map((person) => quantizePosition(at(person.north, person.east)));
  const inRange = (a: number, b: number): boolean =>
    isInMutualRange(distanceBetween(places[a]!, places[b]!), PEOPLE[a]!.radiusM, PEOPLE[b]!.radiusM);
  // The geometry must make this a test of forwarding: someone is in range of someone
  // they may not be linked to (at most 6 links, 9 others), and someone is out of range.
  expect(PEOPLE.some((_, a) => PEOPLE.filter((__, b) => b !== a && inRange(a, b)).length > 6)).toBe(true);
  expect(PEOPLE.some((_, a) => PEOPLE.some((__, b) => b !== a && !inRange(a, b)))).toBe(true);

  for (const [index, peer] of peers.entries()) await peer.say(`Hello from ${PEOPLE[index]!.name}`);
  for (const [reader, peer] of peers.entries()) {
    for (const [author, person] of PEOPLE.entries()) {
      if (author === reader || !inRange(author, reader)) continue;
      await peer.expectMessage(`Hello from ${person.name}`, { timeout: 30_000 });
    }
  }
  for (const [reader, peer] of peers.entries()) {
    for (const [author, person] of PEOPLE.entries()) {
      if (author !== reader && !inRange(author, reader)) await peer.expectNoMessage(`Hello from ${person.name}`);
    }
    expect(await peer.openChannelCount(), `${PEOPLE[reader]!.name}'s links`).toBeLessThanOrEqual(6);
  }
});
