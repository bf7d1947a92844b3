import { MESSAGE_TTL_MS } from '../../app/core/message-store.ts';
import { quantizePosition } from '../../app/core/position.ts';
import { randomId, SessionIdentity } from '../../app/identity/session-identity.ts';
import { createRelay } from '../../relay/create-relay.ts';
import { APP_DIR } from '../fixture/relay-fixture.ts';
import { invalidProofFor, proofFor } from '../fixture/proofs.ts';
import { expect, test } from '../fixture/mesh-fixture.ts';

// Paris. Offsets north: 0.0027° of latitude ≈ 300 m.
const LAT = 48.8566;
const LON = 2.3522;
const metresNorth = (metres: number): number => LAT + metres / 111_320;

test('peers 300 m apart see each other and chat; a peer 3 km away sees and receives nothing', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(300), lon: LON });
  const carol = await spawnPeer({ name: 'Carol', lat: metresNorth(3_000), lon: LON });
  await alice.expectNearby('Bob', '~300 m');
  await bob.expectNearby('Alice', '~300 m');
  await alice.say('Hello from Alice');
  await bob.expectMessage('Hello from Alice', { from: 'Alice', distance: '~300 m' });
  await bob.say('Hi Alice, Bob here');
  await alice.expectMessage('Hi Alice, Bob here', { from: 'Bob', distance: '~300 m' });

  await expect(carol.nearby).toHaveCount(0);
  expect(await carol.openChannelCount(), 'Carol has no link to anyone').toBe(0);
  const carolFrames = (await carol.framesReceived()).join('\n');
  expect(carolFrames).not.toContain('Hello from Alice');
  await carol.expectNoMessage('Hello from Alice');
  await carol.expectNoMessage('Hi Alice, Bob here');
  await expect(carol.page.getByText(/Nobody in range/)).toBeVisible();
});

test('asymmetric radii: 1 km apart with 2 km and 200 m radii, neither sees the other', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, radiusM: 2_000 });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(1_000), lon: LON, radiusM: 200 });
  // Erin is within range of both: what she receives proves the message was out and about.
  const erin = await spawnPeer({ name: 'Erin', lat: metresNorth(1_100), lon: LON, radiusM: 2_000 });
  await erin.expectNearby('Alice');
  await erin.expectNearby('Bob');
  await alice.say('Alice to everyone within 2 km');
  await bob.say('Bob to everyone within 200 m');
  await erin.expectMessage('Alice to everyone within 2 km');
  await erin.expectMessage('Bob to everyone within 200 m');
  await bob.barrierFrom(erin);
  await alice.barrierFrom(erin);
  await bob.expectNoMessage('Alice to everyone within 2 km');
  await alice.expectNoMessage('Bob to everyone within 200 m');
  await alice.expectNotNearby('Bob');
  await bob.expectNotNearby('Alice');
});

test('a late joiner gets the last 30 minutes of history from its neighbours', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(200), lon: LON });
  await bob.expectNearby('Alice');
  await alice.say('Said before Dave came');
  await bob.say('Also before Dave');
  await bob.expectMessage('Said before Dave came');
  const dave = await spawnPeer({ name: 'Dave', lat: metresNorth(100), lon: LON });
  await dave.expectMessage('Said before Dave came', { from: 'Alice' });
  await dave.expectMessage('Also before Dave', { from: 'Bob' });
});

test('a message disappears 30 minutes after it was sent, on every peer, without a reload', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(300), lon: LON });
  await bob.expectNearby('Alice');
  await alice.say('This will vanish');
  await bob.expectMessage('This will vanish');
  await alice.fastForward(MESSAGE_TTL_MS - 60_000);
  await bob.fastForward(MESSAGE_TTL_MS - 60_000);
  await alice.expectMessage('This will vanish');
  await bob.expectMessage('This will vanish');
  await alice.fastForward(61_000);
  await bob.fastForward(61_000);
  await alice.expectNoMessage('This will vanish');
  await bob.expectNoMessage('This will vanish');
});

test('moving out of range removes a peer and stops delivery; moving back restores both', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(300), lon: LON });
  await alice.expectNearby('Bob', '~300 m');
  await bob.moveTo(metresNorth(1_500), LON);
  await alice.expectNotNearby('Bob');
  await bob.expectNotNearby('Alice');
  await alice.say('Bob is too far for this');
  await bob.barrierFrom(alice);
  await bob.expectNoMessage('Bob is too far for this');
  expect((await bob.framesReceived()).join('\n')).not.toContain('Bob is too far for this');

  await bob.moveTo(metresNorth(250), LON);
  await alice.expectNearby('Bob', '~250 m');
  await alice.say('Welcome back, Bob');
  await bob.expectMessage('Welcome back, Bob', { from: 'Alice' });
});

test('the fourth username change is refused with a clear message', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(300), lon: LON });
  await bob.expectNearby('Alice');
  for (const [name, left] of [['Alicia', 2], ['Ali', 1], ['Lis', 0]] as const) {
    await alice.changeUsername(name);
    await expect(alice.page.getByText(left === 0 ? 'No changes left' : `${left} change${left === 1 ? '' : 's'} left`)).toBeVisible();
  }
  await bob.expectNearby('Lis');
  await alice.changeUsername('Elsa');
  await expect(alice.page.getByRole('alert')).toContainText('used all 3 username changes');
  await alice.say('Still Lis');
  await bob.expectMessage('Still Lis', { from: 'Lis' });
});

test('a hostile peer cannot get forged, malformed, stale, distant or flooding messages shown', async ({ spawnPeer, powDifficultyBits }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(300), lon: LON });
  const mallory = await spawnPeer({ name: 'Mallory', lat: metresNorth(150), lon: LON });
  await alice.expectNearby('Mallory');
  await bob.expectNearby('Mallory');
  const forger = await SessionIdentity.create();
  const now = await mallory.page.evaluate(() => Date.now());
  const here = quantizePosition({ lat: metresNorth(150), lon: LON });
  const write = (text: string, extra: { sentAtMs?: number; position?: { lat: number; lon: number }; radiusM?: number } = {}) =>
    forger.sign({
      id: randomId(),
      username: 'Forger',
      text,
      sentAtMs: extra.sentAtMs ?? now,
      position: extra.position ?? here,
      radiusM: extra.radiusM ?? 500,
      // A real proof of work (at the peers' difficulty): these are refused for what else is wrong with them.
      pow: proofFor(forger.publicKey, extra.sentAtMs ?? now, powDifficultyBits),
    });
  const chat = (message: unknown): string => JSON.stringify({ type: 'chat', message });

  const genuine = await write('genuine text');
  const hostile = [
    chat({ ...genuine, text: 'forged text' }),
    chat({ ...(await write('unsigned text')), signature: undefined }),
    chat({ ...(await write('x')), text: 'oversized text '.repeat(40) }),
    chat(await write('expired text', { sentAtMs: now - MESSAGE_TTL_MS - 1_000 })),
    chat(await write('future text', { sentAtMs: now + 5 * 60_000 })),
    chat(await write('distant text', { position: quantizePosition({ lat: metresNorth(5_000), lon: LON }), radiusM: 2_000 })),
    // Validly signed, but the key's proof of work is missing its bits, or 40 minutes stale.
    chat({ ...(await write('unproven text')), pow: invalidProofFor(forger.publicKey, now, powDifficultyBits) }),
    chat({ ...(await write('stale proof text')), pow: proofFor(forger.publicKey, now - 40 * 60_000, powDifficultyBits) }),
    '{"type":"chat","message":',
    JSON.stringify({ type: 'history', messages: [{ text: 'history junk' }] }),
    'x'.repeat(100_000),
  ];
  for (const frame of hostile) await mallory.injectRaw(frame);
  for (let index = 0; index < 15; index += 1) await mallory.injectRaw(chat(await write(`flood ${index}`)));

  await alice.barrierFrom(mallory);
  await bob.barrierFrom(mallory);
  for (const peer of [alice, bob]) {
    for (const text of ['forged text', 'unsigned text', 'oversized text', 'expired text', 'future text', 'distant text', 'history junk', 'unproven text', 'stale proof text']) {
      await peer.expectNoMessage(text);
    }
    await expect(peer.messages.filter({ hasText: /flood \d+/ })).toHaveCount(10);
    await peer.openDebug();
    await expect(peer.dropCount('rate-limited')).toHaveText('5');
    await expect(peer.dropCount('no-proof')).toHaveText('2');
  }
  await alice.say('Honest peers still talk');
  await bob.expectMessage('Honest peers still talk', { from: 'Alice' });
});

test('markup in a message is shown as text, never run', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(300), lon: LON });
  await bob.expectNearby('Alice');
  const payloads = ['<img src=x onerror="window.__pwned=1">', '<script>window.__pwned=2</script>', '<b>bold</b> & <i>'];
  for (const text of payloads) await alice.say(text);
  for (const text of payloads) await bob.expectMessage(text);
  for (const peer of [alice, bob]) {
    expect(await peer.page.evaluate(() => Reflect.get(window, '__pwned'))).toBeUndefined();
    await expect(peer.page.locator('img[src="x"], b')).toHaveCount(0);
  }
});

test('peers keep chatting without the relay, and a newcomer finds them once it is back', async ({ spawnPeer, relayServer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(300), lon: LON });
  await alice.expectNearby('Bob');
  const { port } = relayServer.relay.address();
  await relayServer.relay.close();
  await expect(alice.status).toContainText(/reconnecting|unreachable/i);
  await alice.say('No relay needed');
  await bob.expectMessage('No relay needed');
  await bob.say('Still here');
  await alice.expectMessage('Still here');

  const revived = createRelay({ port, host: '127.0.0.1', staticDir: APP_DIR });
  try {
    await revived.ready;
    const startedAt = Date.now();
    const dave = await spawnPeer({ name: 'Dave', lat: metresNorth(150), lon: LON });
    await expect(dave.nearby.filter({ hasText: 'Alice' })).toHaveCount(1, { timeout: 5_000 });
    await expect(dave.nearby.filter({ hasText: 'Bob' })).toHaveCount(1, { timeout: 5_000 });
    test.info().annotations.push({ type: 'newcomer found both after', description: `${Date.now() - startedAt} ms` });
  } finally {
    await revived.close();
  }
});

test('the relay never receives message text, usernames or coordinates', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(300), lon: LON });
  await bob.expectNearby('Alice');
  await alice.say('A secret for Bob');
  await bob.expectMessage('A secret for Bob');
  await bob.say('A secret for Alice');
  await alice.expectMessage('A secret for Alice');
  const sent = [...alice.relayFramesSent, ...bob.relayFramesSent].join('\n');
  expect(sent.length).toBeGreaterThan(0);
  for (const secret of ['A secret for', 'Alice', 'Bob', '48.85', '48.86', '2.35']) expect(sent).not.toContain(secret);
});

test('with a degree of 2, every message reaches all six peers in range', async ({ spawnPeer }) => {
  const names = ['Ann', 'Ben', 'Cat', 'Dan', 'Eve', 'Fay'];
  const peers = [];
  for (const [index, name] of names.entries()) {
    peers.push(await spawnPeer({ name, lat: metresNorth(index * 40), lon: LON + (index % 2) * 0.0005, degree: 2 }));
  }
  for (const peer of peers) await expect.poll(() => peer.openChannelCount()).toBeGreaterThan(0);
  for (const [index, peer] of peers.entries()) await peer.say(`Round from ${names[index]}`);
  for (const peer of peers) {
    for (const name of names) await peer.expectMessage(`Round from ${name}`);
    // At most the high mark (twice the degree): with five others in range, everyone misses
    // someone directly, so these messages crossed at least one forwarding hop.
    expect(await peer.openChannelCount()).toBeLessThanOrEqual(4);
  }
});

test('location refused: the app says what to do, and retrying after allowing it works', async ({ browser, relayServer }) => {
  const context = await browser.newContext({ baseURL: relayServer.baseUrl, permissions: [] });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto('/');
    await page.getByRole('button', { name: 'Allow location' }).click();
    const retry = page.getByRole('button', { name: 'Try again' });
    await expect(retry).toBeVisible();
    await context.grantPermissions(['geolocation']);
    await context.setGeolocation({ latitude: LAT, longitude: LON, accuracy: 10 });
    await retry.click();
    await expect(page.getByRole('textbox', { name: 'Username' })).toBeVisible();
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('an eleventh message within a minute is refused by the sender and the text is kept', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON });
  for (let index = 1; index <= 10; index += 1) await alice.say(`Message ${index} of ten`);
  await alice.messageBox.fill('One too many');
  await alice.page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(alice.page.getByRole('alert')).toContainText('10 messages a minute');
  await expect(alice.messageBox).toHaveValue('One too many');
  await alice.expectNoMessage('One too many');
  await alice.fastForward(61_000);
  await alice.page.getByRole('button', { name: 'Send', exact: true }).click();
  await alice.expectMessage('One too many');
});
