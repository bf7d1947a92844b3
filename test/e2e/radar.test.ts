/**
 * The radar with real peers (one dot per person in range, at their distance band, none
 * for people out of range, bearings that stay put), speakers pulsing unless motion is
 * reduced, and messages counting down and fading as they age.
 */

import type { Locator } from '@playwright/test';
import { expect, test } from '../fixture/mesh-fixture.ts';
import { joinDemo } from './demo-flow.ts';

const LAT = 48.8566;
const LON = 2.3522;
const metresNorth = (metres: number): number => LAT + metres / 111_320;
const metresEast = (metres: number): number => LON + metres / (111_320 * Math.cos((LAT * Math.PI) / 180));

/** A dot's place: its distance from the centre as a share of the outer ring, and its bearing. */
async function dotPlace(dot: Locator): Promise<{ fraction: number; bearing: number }> {
  return dot.locator('circle.dot').evaluate((circle) => {
    const x = Number(circle.getAttribute('cx'));
    const y = Number(circle.getAttribute('cy'));
    // The drawing puts the outer ring at 100 units from the centre.
    return { fraction: Math.hypot(x, y) / 100, bearing: Math.atan2(x, -y) };
  });
}

test('the radar shows one dot per person in range, at their distance, and none for people out of range', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON });
  await spawnPeer({ name: 'Bob', lat: metresNorth(300), lon: LON });
  await spawnPeer({ name: 'Carol', lat: LAT, lon: metresEast(450) });
  await spawnPeer({ name: 'Dave', lat: metresNorth(-1_200), lon: LON, radiusM: 2_000 });
  await alice.expectNearby('Bob');
  await alice.expectNearby('Carol');

  const radar = alice.page.getByRole('img', { name: /^Radar/ });
  const dots = radar.locator('[data-person]');
  const dotOf = (name: string): Locator => dots.filter({ hasText: name });
  await expect(radar).toHaveAccessibleName('Radar: 2 people within 500 m');
  await expect(dots).toHaveCount(2);
  await expect(dotOf('Bob')).toHaveCount(1);
  await expect(dotOf('Carol')).toHaveCount(1);
  await expect(dotOf('Dave')).toHaveCount(0);
  const bob = await dotPlace(dotOf('Bob'));
  expect(bob.fraction).toBeCloseTo(300 / 500, 1);
  expect((await dotPlace(dotOf('Carol'))).fraction).toBeCloseTo(450 / 500, 1);

  // Dave comes into range when Alice widens hers; Bob's dot keeps its bearing on the new scale.
  await alice.setRadius(1_500);
  await expect(dots).toHaveCount(3);
  await expect(radar).toHaveAccessibleName('Radar: 3 people within 1.5 km');
  expect((await dotPlace(dotOf('Dave'))).fraction).toBeCloseTo(1_200 / 1_500, 1);
  const bobWider = await dotPlace(dotOf('Bob'));
  expect(bobWider.fraction).toBeCloseTo(300 / 1_500, 1);
  expect(bobWider.bearing).toBeCloseTo(bob.bearing, 6);

  await alice.setRadius(500);
  await expect(dots).toHaveCount(2);
  await expect(dotOf('Dave')).toHaveCount(0);
});

test('a speaking person pulses on the radar, and stays marked without motion when motion is reduced', async ({ page }) => {
  await joinDemo(page);
  await page.getByRole('button', { name: 'Join voice' }).click();
  const speaking = page.getByRole('img', { name: /^Radar/ }).locator('[data-speaking] .pulse');
  await expect(speaking).toHaveCount(1);
  await expect(speaking).toHaveCSS('animation-name', 'pulse');
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await expect(speaking).toHaveCSS('animation-name', 'none');
  await expect(speaking).toBeVisible();
});

test('each message counts down to its expiry and fades as it ages', async ({ page }) => {
  await joinDemo(page, { clock: 'running' });
  const oldest = page.getByRole('list', { name: 'Messages' }).getByRole('listitem').first();
  await expect(oldest).toContainText('24 min left');
  const colourBefore = await oldest.locator('.text').evaluate((element) => getComputedStyle(element).color);
  await page.clock.fastForward(10 * 60_000);
  await expect(oldest).toContainText('14 min left');
  await expect(oldest.locator('.text')).not.toHaveCSS('color', colourBefore);
  await page.clock.fastForward(15 * 60_000);
  await expect(oldest).toContainText('expiring');
});
