/**
 * Voice between Chromium and Firefox peers: tones prove who hears whom, the same-instant
 * join (glare) settles with either engine on the polite side, and mute, a lost microphone
 * and leaving work from the Firefox side. And what Safari needs for audio, which no engine
 * here enforces: the app starts its audio output inside the "Join voice" click.
 */

import { CROSS_ENGINE_TIMEOUT_MS, ENGINE_ORDERS, expect, LAT, LON, metresNorth, test, type MeshPeer } from './engine-fixture.ts';

test.describe.configure({ timeout: CROSS_ENGINE_TIMEOUT_MS });

async function joinVoice(peer: MeshPeer): Promise<void> {
  await peer.page.getByRole('button', { name: 'Join voice' }).click();
  await expect(peer.page.getByRole('button', { name: 'Leave voice' })).toBeVisible();
}

for (const [first, second] of ENGINE_ORDERS) {
  // The first spawned has the smaller relay id: the impolite side, whose offer wins a collision.
  test(`${first} and ${second} joining voice at the same instant hear each other (${second} gives way)`, async ({ spawnPeer }) => {
    const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, tone: 440, engine: first });
    const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(200), lon: LON, tone: 660, engine: second });
    await alice.expectNearby('Bob');
    await bob.expectNearby('Alice');
    await Promise.all([
      alice.page.getByRole('button', { name: 'Join voice' }).click(),
      bob.page.getByRole('button', { name: 'Join voice' }).click(),
    ]);
    await alice.expectToHear(660);
    await bob.expectToHear(440);
    const negotiations = async (): Promise<number> =>
      [...(await alice.framesReceived()), ...(await bob.framesReceived())].filter((frame) => frame.includes('"negotiate"')).length;
    const settled = await negotiations();
    for (let round = 0; round < 3; round += 1) {
      await bob.barrierFrom(alice);
      await alice.barrierFrom(bob);
    }
    expect(await negotiations()).toBe(settled);
  });
}

test('Chromium and Firefox hear each other; from Firefox, mute, a lost microphone and leaving work', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, tone: 440, engine: 'chromium' });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(200), lon: LON, tone: 660, engine: 'firefox' });
  await alice.expectNearby('Bob');
  await joinVoice(alice);
  await joinVoice(bob);
  await alice.expectToHear(660);
  await bob.expectToHear(440);
  await expect(alice.nearby.filter({ hasText: 'Bob' })).toHaveAttribute('data-speaking', 'true');
  await expect(bob.nearby.filter({ hasText: 'Alice' })).toHaveAttribute('data-speaking', 'true');

  await bob.page.getByRole('button', { name: 'Mute', exact: true }).click();
  await expect(bob.page.getByRole('button', { name: 'Unmute' })).toBeVisible();
  await expect.poll(() => alice.receivedAudioLevel()).toBeLessThan(0.001);
  await bob.page.getByRole('button', { name: 'Unmute' }).click();
  await alice.expectToHear(660);

  expect(await bob.loseMicrophone()).toBe(1);
  await expect(bob.page.getByRole('alert')).toContainText(/microphone/i);
  await alice.expectNotToHear(660);
  await joinVoice(bob);
  await alice.expectToHear(660);

  await bob.page.getByRole('button', { name: 'Leave voice' }).click();
  await expect(bob.page.getByRole('button', { name: 'Join voice' })).toBeVisible();
  await expect.poll(async () => (await bob.microphoneState()).live).toBe(0);
  await alice.expectNotToHear(660);
  await expect(alice.page.getByRole('slider', { name: 'Volume for Bob' })).toHaveCount(0);
});

test('joining voice starts the audio output inside the click, as Safari requires', async ({ spawnPeer }) => {
  // Alone in voice: nothing arrives, so whatever starts now is started by the click itself.
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, tone: 440 });
  await alice.page.evaluate(() => {
    const calls: string[] = [];
    // Only the app's own calls (its bundle under /assets/), made while the click's activation lasts.
    const record = (kind: string): void => {
      if (navigator.userActivation.isActive && (new Error().stack ?? '').includes('/assets/')) calls.push(kind);
    };
    const resume = AudioContext.prototype.resume;
    AudioContext.prototype.resume = function (this: AudioContext): Promise<void> {
      record('resume');
      return resume.call(this);
    };
    const play = HTMLMediaElement.prototype.play;
    HTMLMediaElement.prototype.play = function (this: HTMLMediaElement): Promise<void> {
      record('play');
      return play.call(this);
    };
    Object.defineProperty(window, '__neartalkGestureCalls', { value: calls });
  });
  await joinVoice(alice);
  const calls = await alice.page.evaluate(() => {
    const recorded: unknown = Reflect.get(window, '__neartalkGestureCalls');
    return Array.isArray(recorded) ? recorded.filter((call): call is string => typeof call === 'string') : [];
  });
  expect(calls).toContain('resume');
  expect(calls).toContain('play');
});
