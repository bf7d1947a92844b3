import { expect, test, type MeshPeer } from '../fixture/mesh-fixture.ts';

// Paris; 0.0009° of latitude ≈ 100 m.
const LAT = 48.8566;
const LON = 2.3522;
const metresNorth = (metres: number): number => LAT + metres / 111_320;
const metresEast = (metres: number): number => LON + metres / (111_320 * Math.cos((LAT * Math.PI) / 180));

async function joinVoice(peer: MeshPeer): Promise<void> {
  await peer.page.getByRole('button', { name: 'Join voice' }).click();
  await expect(peer.page.getByRole('button', { name: 'Leave voice' })).toBeVisible();
}

type SpawnPeer = Parameters<Parameters<typeof test>[2]>[0]['spawnPeer'];

/** Alice (440 Hz) and Bob (660 Hz), 200 m apart, both in voice and hearing each other. */
async function twoInVoice(spawnPeer: SpawnPeer): Promise<{ alice: MeshPeer; bob: MeshPeer }> {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, tone: 440 });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(200), lon: LON, tone: 660 });
  await alice.expectNearby('Bob');
  await joinVoice(alice);
  await joinVoice(bob);
  await bob.expectToHear(440);
  await alice.expectToHear(660);
  return { alice, bob };
}

test('two people in range hear each other; someone 3 km away hears nobody and is heard by nobody', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, tone: 440 });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(200), lon: LON, tone: 660 });
  const carol = await spawnPeer({ name: 'Carol', lat: metresNorth(3_000), lon: LON, tone: 880 });
  await alice.expectNearby('Bob');
  for (const peer of [alice, bob, carol]) await joinVoice(peer);
  // The microphone is asked for with the processing people expect from a call.
  expect(JSON.parse((await alice.microphoneState()).lastAudioConstraints ?? 'null')).toEqual({
    echoCancellation: true,
    noiseSuppression: true,
    autoGainControl: true,
  });
  await bob.expectToHear(440);
  await alice.expectToHear(660);
  await expect(alice.nearby.filter({ hasText: 'Bob' })).toContainText(/in voice/i);
  // Bob's tone never pauses: the indicator, driven by the received level, says he speaks.
  await expect(alice.nearby.filter({ hasText: 'Bob' })).toHaveAttribute('data-speaking', 'true');
  await expect(alice.page.getByRole('slider', { name: 'Volume for Bob' })).toBeVisible();
  expect(await carol.heardFrequencies()).toEqual([]);
  await alice.expectNotToHear(880);
  await bob.expectNotToHear(880);
});

test('two people joining voice at the same instant both hear each other', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, tone: 440 });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(200), lon: LON, tone: 660 });
  await alice.expectNearby('Bob');
  await Promise.all([
    alice.page.getByRole('button', { name: 'Join voice' }).click(),
    bob.page.getByRole('button', { name: 'Join voice' }).click(),
  ]);
  await alice.expectToHear(660);
  await bob.expectToHear(440);
  // Negotiation settles: no offers or answers keep flowing once both hear each other.
  const negotiations = async (): Promise<number> =>
    [...(await alice.framesReceived()), ...(await bob.framesReceived())].filter((frame) => frame.includes('"negotiate"')).length;
  const settled = await negotiations();
  for (let round = 0; round < 3; round += 1) {
    await bob.barrierFrom(alice);
    await alice.barrierFrom(bob);
  }
  expect(await negotiations()).toBe(settled);
});

test('mute silences at once and unmute restores; leaving voice removes the track and releases the microphone', async ({ spawnPeer }) => {
  const { alice, bob } = await twoInVoice(spawnPeer);
  await alice.page.getByRole('button', { name: 'Mute', exact: true }).click();
  await expect(alice.page.getByRole('button', { name: 'Unmute' })).toBeVisible();
  await expect.poll(() => bob.receivedAudioLevel(), { timeout: 1_000 }).toBeLessThan(0.001);
  await expect(bob.nearby.filter({ hasText: 'Alice' })).not.toHaveAttribute('data-speaking', 'true');
  await alice.page.getByRole('button', { name: 'Unmute' }).click();
  await bob.expectToHear(440);

  expect((await alice.microphoneState()).live).toBe(1);
  await alice.page.getByRole('button', { name: 'Leave voice' }).click();
  await expect(alice.page.getByRole('button', { name: 'Join voice' })).toBeVisible();
  await expect.poll(async () => (await alice.microphoneState()).live).toBe(0);
  await bob.expectNotToHear(440);
  await expect(bob.page.getByRole('slider', { name: 'Volume for Alice' })).toHaveCount(0);
});

test('with a cap of 2, a person hears exactly the two nearest in voice and sends only to them', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, tone: 440, query: { 'voice-cap': '2' } });
  const others = [
    await spawnPeer({ name: 'Ben', lat: metresNorth(50), lon: LON, tone: 520 }),
    await spawnPeer({ name: 'Cat', lat: metresNorth(-100), lon: LON, tone: 600 }),
    await spawnPeer({ name: 'Dan', lat: LAT, lon: metresEast(150), tone: 700 }),
    await spawnPeer({ name: 'Eve', lat: LAT, lon: metresEast(-200), tone: 800 }),
  ];
  for (const name of ['Ben', 'Cat', 'Dan', 'Eve']) await alice.expectNearby(name);
  await joinVoice(alice);
  for (const peer of others) await joinVoice(peer);
  const [ben, cat, dan, eve] = others as [MeshPeer, MeshPeer, MeshPeer, MeshPeer];
  await alice.expectToHear(520);
  await alice.expectToHear(600);
  await ben.expectToHear(440);
  await cat.expectToHear(440);
  // Dan and Eve hear each other and Ben or Cat: by then Alice's choice is settled.
  await dan.expectToHear(800);
  await eve.expectToHear(700);
  expect((await alice.heardFrequencies()).filter((hz) => hz > 650)).toEqual([]);
  await dan.expectNotToHear(440);
  await eve.expectNotToHear(440);
});

test('moving out of range stops audio both ways; moving back restores it', async ({ spawnPeer }) => {
  const { alice, bob } = await twoInVoice(spawnPeer);
  await bob.moveTo(metresNorth(1_500), LON);
  await alice.expectNotNearby('Bob');
  await alice.expectNotToHear(660);
  await bob.expectNotToHear(440);
  await bob.moveTo(metresNorth(250), LON);
  await alice.expectToHear(660);
  await bob.expectToHear(440);
});

test('a refused microphone is shown with a way back, and chat keeps working', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, microphone: 'denied' });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(200), lon: LON, tone: 660 });
  await alice.expectNearby('Bob');
  await alice.page.getByRole('button', { name: 'Join voice' }).click();
  await expect(alice.page.getByRole('alert')).toContainText(/microphone/i);
  await expect(alice.page.getByRole('button', { name: 'Join voice' })).toBeVisible();
  await alice.say('I can still type');
  await bob.expectMessage('I can still type', { from: 'Alice' });
});

test('a missing microphone is told apart from a refused one', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, microphone: 'missing' });
  await alice.page.getByRole('button', { name: 'Join voice' }).click();
  await expect(alice.page.getByRole('alert')).toContainText('No microphone could be started');
  await expect(alice.page.getByRole('button', { name: 'Join voice' })).toBeVisible();
});

test('a lost microphone is shown, and one tap brings voice back', async ({ spawnPeer }) => {
  const { alice, bob } = await twoInVoice(spawnPeer);
  await alice.loseMicrophone();
  await expect(alice.page.getByRole('alert')).toContainText(/microphone/i);
  await bob.expectNotToHear(440);
  await joinVoice(alice);
  await bob.expectToHear(440);
});

test('a far voice plays quieter than a near one, unless distance attenuation is turned off', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, radiusM: 2_000, tone: 440 });
  const near = await spawnPeer({ name: 'Nina', lat: metresNorth(100), lon: LON, radiusM: 2_000, tone: 520 });
  const far = await spawnPeer({ name: 'Fred', lat: metresNorth(1_500), lon: LON, radiusM: 2_000, tone: 700 });
  await alice.expectNearby('Nina');
  await alice.expectNearby('Fred');
  for (const peer of [alice, near, far]) await joinVoice(peer);
  await alice.expectToHear(520);
  await alice.expectToHear(700);
  const volumeOf = async (hz: number): Promise<number> =>
    (await alice.playbackVolumes()).find((entry) => Math.abs(entry.hz - hz) < 15)?.volume ?? Number.NaN;
  // The documented curve: full within 10 % of the range, 1 / (1 + 3x²) beyond: 0.39 at 1.5 of 2 km.
  await expect.poll(() => volumeOf(520)).toBeCloseTo(1, 2);
  await expect.poll(() => volumeOf(700)).toBeCloseTo(0.39, 2);
  await alice.page.getByRole('checkbox', { name: 'Quieter with distance' }).uncheck();
  await expect.poll(() => volumeOf(700)).toBeCloseTo(1, 2);
  await alice.page.getByRole('slider', { name: 'Volume for Fred' }).fill('40');
  await expect.poll(() => volumeOf(700)).toBeCloseTo(0.4, 2);
});

test('a voice participant beyond the link degree gets a link because of voice', async ({ spawnPeer }) => {
  test.setTimeout(90_000);
  // Degree 2 (high mark 4): Alice's wanted links are the nearest in each half of the
  // plane and then the nearest, and four people sit nearer to her than Erin does, in the
  // same direction. Only voice gives Alice and Erin a link of their own.
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, tone: 440, degree: 2 });
  const fillers = [];
  for (const [index, name] of ['Finn', 'Gail', 'Hugo', 'Iris'].entries()) {
    fillers.push(await spawnPeer({ name, lat: metresNorth(15 + index * 10), lon: metresEast(10), degree: 2 }));
  }
  const erin = await spawnPeer({ name: 'Erin', lat: metresNorth(350), lon: metresEast(30), tone: 660, degree: 2 });
  await joinVoice(alice);
  await joinVoice(erin);
  await alice.expectToHear(660, undefined, 45_000);
  await erin.expectToHear(440, undefined, 45_000);
  for (const peer of [alice, erin, ...fillers]) expect(await peer.openChannelCount(), `${peer.name}'s links`).toBeLessThanOrEqual(4);
});
