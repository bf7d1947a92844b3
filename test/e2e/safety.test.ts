import { flagPayload, type Flag, type FlagReason } from '../../app/core/flag.ts';
import { randomId, SessionIdentity } from '../../app/identity/session-identity.ts';
import { proofFor } from '../fixture/proofs.ts';
import { E2E_POW_DIFFICULTY_BITS, expect, test } from '../fixture/mesh-fixture.ts';
import { POW_DIFFICULTY_BITS } from '../../app/core/proof-of-work.ts';
import type { MeshPeer } from '../fixture/mesh-peer.ts';

// Paris. Offsets north: 0.0027° of latitude ≈ 300 m.
const LAT = 48.8566;
const LON = 2.3522;
const metresNorth = (metres: number): number => LAT + metres / 111_320;
/** Past the 2 minutes after which an identity's flags count. */
const AGED_MS = 150_000;

// Peers pay the fixture's cheaper price for their identities (block and flags do not depend
// on it), and the puppets' proofs made here match it; the last test shows the product's
// price is not lowered by it.

/** The list item of a message, by its text. */
const messageItem = (peer: MeshPeer, text: string) => peer.messages.filter({ hasText: text });

async function flagInUi(peer: MeshPeer, text: string): Promise<void> {
  await messageItem(peer, text).getByRole('button', { name: 'Flag message' }).click();
  const dialog = peer.page.getByRole('dialog', { name: 'Flag message' });
  await dialog.getByRole('radio', { name: 'Spam' }).check();
  await dialog.getByRole('button', { name: 'Send flag' }).click();
  await expect(messageItem(peer, text).getByText('flagged')).toBeVisible();
}

/** Blocks `name` from the Nearby list, through the confirm step. */
async function blockInUi(peer: MeshPeer, name: string): Promise<void> {
  await peer.nearby.filter({ hasText: name }).getByRole('button', { name: `Block ${name}` }).click();
  const confirm = peer.page.getByRole('dialog', { name: `Block ${name}?` });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Block', exact: true }).click();
  await expect(confirm).toHaveCount(0);
}

/** A flag signed in Node by an identity the test holds (a sock puppet, or a repeat flagger). */
async function signedFlag(identity: SessionIdentity, messageId: string, reason: FlagReason = 'spam'): Promise<Flag> {
  const sentAtMs = Date.now();
  const unsigned = { id: randomId(), messageId, flagger: identity.publicKey, reason, sentAtMs };
  return { ...unsigned, pow: proofFor(identity.publicKey, sentAtMs, E2E_POW_DIFFICULTY_BITS), signature: await identity.signText(flagPayload(unsigned)) };
}

/** The id of the message with `text`, from the chat and history frames the peer received. */
async function messageIdOf(peer: MeshPeer, text: string): Promise<string> {
  for (const frame of await peer.framesReceived()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(frame);
    } catch (err: unknown) {
      if (err instanceof SyntaxError) continue;
      throw err;
    }
    const history: unknown = Reflect.get(Object(parsed), 'messages');
    const candidates: unknown[] = [Reflect.get(Object(parsed), 'message'), ...(Array.isArray(history) ? history : [])];
    for (const candidate of candidates) {
      if (Reflect.get(Object(candidate), 'text') === text) return String(Reflect.get(Object(candidate), 'id'));
    }
  }
  throw new Error(`${peer.name} received no message ${JSON.stringify(text)}`);
}

test('Alice blocks Bob: his messages vanish for her at once, the next never shows, Carol still sees it; no link; Bob is not told', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(100), lon: LON });
  const carol = await spawnPeer({ name: 'Carol', lat: metresNorth(200), lon: LON });
  await alice.expectNearby('Bob');
  await alice.expectNearby('Carol');
  await bob.say('before the block');
  await alice.expectMessage('before the block', { from: 'Bob' });
  await expect.poll(() => alice.openChannelCount()).toBe(2);

  await blockInUi(alice, 'Bob');

  await alice.expectNoMessage('before the block');
  await alice.expectNotNearby('Bob');
  const blockedList = alice.page.getByRole('list', { name: 'Blocked people' });
  await expect(blockedList.getByRole('listitem')).toHaveText([/Bob/]);
  await expect.poll(() => alice.openChannelCount(), { message: 'Alice keeps only her link to Carol' }).toBe(1);

  await bob.say('after the block');
  await carol.expectMessage('after the block', { from: 'Bob' });
  // Carol passes Bob's message on to Alice before her own: once Alice shows Carol's, she had Bob's.
  await carol.say('Carol after Bob');
  await alice.expectMessage('Carol after Bob');
  await alice.expectNoMessage('after the block');
  expect(await alice.openChannelCount(), 'still no link between Alice and Bob').toBe(1);
  expect(await bob.openChannelCount(), 'Bob keeps only his link to Carol').toBe(1);
  // Nothing on Bob's screen speaks of it.
  await expect(bob.page.getByText(/blocked/i)).toHaveCount(0);
  await expect(bob.page.getByRole('alert')).toHaveCount(0);
  await expect(bob.page.getByRole('dialog')).toHaveCount(0);
  await expect(messageItem(bob, 'before the block')).toHaveCount(1);

  // Unblocking lists her again as someone she may link to, and shows his messages again.
  await blockedList.getByRole('button', { name: 'Unblock Bob' }).click();
  await alice.expectMessage('after the block', { from: 'Bob' });
});

test('a block outlives a reload: Bob stays blocked, his messages (history included) never show, and he is not linked', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(100), lon: LON });
  const carol = await spawnPeer({ name: 'Carol', lat: metresNorth(200), lon: LON });
  await alice.expectNearby('Bob');
  await bob.say('said before the block');
  await alice.expectMessage('said before the block', { from: 'Bob' });
  await blockInUi(alice, 'Bob');
  await alice.expectNoMessage('said before the block');

  // Same identity after the reload, so the same blocks; history from Carol brings Bob's
  // earlier message back to Alice's store, and it must stay hidden.
  await alice.reload();
  const blockedList = alice.page.getByRole('list', { name: 'Blocked people' });
  await expect(blockedList.getByRole('listitem')).toHaveText([/Bob/]);
  await alice.expectNearby('Carol');
  await bob.say('said after the reload');
  await carol.expectMessage('said after the reload', { from: 'Bob' });
  await carol.say('Carol after the reload');
  await alice.expectMessage('Carol after the reload', { from: 'Carol' });
  await alice.barrierFrom(carol);
  await alice.expectNoMessage('said after the reload');
  await alice.expectNoMessage('said before the block');
  await alice.expectNotNearby('Bob');
  await expect.poll(() => alice.openChannelCount(), { message: 'Alice links only to Carol' }).toBe(1);
});

test('flags: three aged identities collapse a message for Erin; two do not, three young ones do not, one person twice counts once', async ({ spawnPeer }) => {
  const dan = await spawnPeer({ name: 'Dan', lat: LAT, lon: LON });
  const erin = await spawnPeer({ name: 'Erin', lat: metresNorth(60), lon: LON });
  const ann = await spawnPeer({ name: 'Ann', lat: metresNorth(120), lon: LON });
  const ben = await spawnPeer({ name: 'Ben', lat: metresNorth(180), lon: LON });
  const cat = await spawnPeer({ name: 'Cat', lat: metresNorth(240), lon: LON });
  for (const name of ['Dan', 'Ann', 'Ben', 'Cat']) await erin.expectNearby(name);
  for (const text of ['first offer', 'second offer', 'third offer']) await dan.say(text);
  for (const peer of [erin, ann, ben, cat]) for (const text of ['first offer', 'second offer', 'third offer']) await peer.expectMessage(text, { from: 'Dan' });
  const secondId = await messageIdOf(ann, 'second offer');
  const thirdId = await messageIdOf(ann, 'third offer');

  // Three sock puppets, made a second ago, flag the third offer (through Ann's links), and
  // one more identity flags the second offer: Erin meets all four now.
  const puppets = await Promise.all([1, 2, 3].map(() => SessionIdentity.create()));
  const repeater = await SessionIdentity.create();
  for (const puppet of puppets) await ann.injectRaw(JSON.stringify({ type: 'flag', flag: await signedFlag(puppet, thirdId) }));
  await ann.injectRaw(JSON.stringify({ type: 'flag', flag: await signedFlag(repeater, secondId) }));
  await erin.barrierFrom(ann);
  await expect(messageItem(erin, 'third offer').getByText('third offer')).toBeVisible();
  await expect(erin.messages.filter({ hasText: 'Hidden by people nearby' })).toHaveCount(0);

  // Two minutes on, for Erin: everyone she has met is old enough, the puppets too.
  await erin.fastForward(AGED_MS);
  await expect(messageItem(erin, 'third offer'), 'the puppets were held back by their age alone').toHaveCount(0);

  // Two aged flags do not collapse the first offer; a third does.
  await flagInUi(ann, 'first offer');
  await flagInUi(ben, 'first offer');
  await erin.barrierFrom(ann);
  await erin.barrierFrom(ben);
  await expect(messageItem(erin, 'first offer').getByText('first offer')).toBeVisible();
  await flagInUi(cat, 'first offer');
  await expect(messageItem(erin, 'first offer')).toHaveCount(0);
  const collapsed = erin.messages.filter({ hasText: 'Hidden by people nearby' });
  await expect(collapsed).toHaveCount(2);

  // The repeater flags the second offer again, and Ann once: two people, not three.
  await ann.injectRaw(JSON.stringify({ type: 'flag', flag: await signedFlag(repeater, secondId, 'harassment') }));
  await flagInUi(ann, 'second offer');
  await erin.barrierFrom(ann);
  await expect(messageItem(erin, 'second offer').getByText('second offer')).toBeVisible();

  // Erin can choose to see a collapsed message.
  await collapsed.first().getByRole('button', { name: 'Show' }).click();
  await expect(messageItem(erin, 'first offer').getByText('first offer')).toBeVisible();
});

test("a page whose difficulty a test driver lowered makes proofs that peers at the product's price refuse", async ({ spawnPeer }) => {
  // What keeps the fixture's cheaper proofs (app/session/page-difficulty.ts) from being a
  // way in: Bob's page asks less of keys, but Alice and Carol still ask the product's price.
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON, powDifficultyBits: POW_DIFFICULTY_BITS });
  const bob = await spawnPeer({ name: 'Bob', lat: metresNorth(100), lon: LON, powDifficultyBits: E2E_POW_DIFFICULTY_BITS });
  const carol = await spawnPeer({ name: 'Carol', lat: metresNorth(200), lon: LON, powDifficultyBits: POW_DIFFICULTY_BITS });
  await alice.expectNearby('Carol');
  await bob.say('from a cheap identity');
  await carol.say('from Carol');
  await alice.expectMessage('from Carol', { from: 'Carol' });
  await alice.expectNoMessage('from a cheap identity');
  await carol.expectNoMessage('from a cheap identity');
  // Bob did reach them and was refused for his proof (not merely never met)...
  for (const peer of [alice, carol]) {
    await peer.openDebug();
    await expect(peer.dropCount('no-proof')).not.toHaveText('0');
  }
  await alice.expectNotNearby('Bob');
  await carol.expectNotNearby('Bob');
  // ...and, refused, he is answered busy rather than linked again: the links settle without him.
  await expect.poll(() => alice.openChannelCount(), { message: 'Alice links only to Carol' }).toBe(1);
  await expect.poll(() => bob.openChannelCount(), { message: 'nobody links to Bob' }).toBe(0);
});
