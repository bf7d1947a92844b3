import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { ChatMessage, DropReason } from '../../app/core/chat-message.ts';
import { parsePeerFrame, type PeerFrame, type PresenceClaim } from '../../app/core/peer-protocol.ts';
import { quantizePosition, type Position } from '../../app/core/position.ts';
import { randomId, SessionIdentity, verifyMessage } from '../../app/identity/session-identity.ts';
import type { Neighbour } from '../../app/net/mesh.ts';
import type { PeerId } from '../../app/core/protocol.ts';
import { ChatRouter, EAGER_FANOUT } from '../../app/session/chat-router.ts';
import { checkProofOfWork } from '../../app/core/proof-of-work.ts';
import { invalidProofFor, proofFor } from '../fixture/proofs.ts';

/** Proofs of work at a test difficulty: cheap to make, and still checked. */
const TEST_POW_BITS = 8;

const HERE = quantizePosition({ lat: 48.8566, lon: 2.3522 });
/** About 300 m north, 1.1 km north, 3 km north. */
const NEAR = quantizePosition({ lat: 48.8593, lon: 2.3522 });
const FAR = quantizePosition({ lat: 48.8665, lon: 2.3522 });
const AWAY = quantizePosition({ lat: 48.8836, lon: 2.3522 });

function neighbour(name: string, position: Position, radiusM: number): Neighbour {
  const presence: PresenceClaim = { key: `${name}`.padEnd(87, 'k'), seq: 1, username: name, position, radiusM, inVoice: false, pow: { windowStartMs: 0, nonce: 0 }, signature: 's'.repeat(86) };
  return { linkKey: `link-${name}`, remoteId: name.padEnd(22, 'x') as PeerId, presence };
}

interface Harness {
  readonly router: ChatRouter;
  readonly sent: Array<{ to: string; frame: PeerFrame }>;
  readonly drops: DropReason[];
  now: number;
}

const routers: ChatRouter[] = [];
afterEach(() => {
  for (const router of routers.splice(0)) router.dispose();
});

function harness(neighbours: Neighbour[], radiusM = 500): Harness {
  const sent: Harness['sent'] = [];
  const drops: DropReason[] = [];
  const state = { now: Date.now() };
  const router = new ChatRouter({
    now: () => state.now,
    self: () => ({ key: 'me'.padEnd(87, 'm'), position: HERE, radiusM }),
    neighbours: () => neighbours,
    sendTo: (to, frame) => {
      sent.push({ to, frame });
      return true;
    },
    verify: verifyMessage,
    acceptsProof: (key, proof, atMs) => checkProofOfWork(key, proof, atMs, TEST_POW_BITS) === 'ok',
    onDrop: (reason) => drops.push(reason),
  });
  routers.push(router);
  return Object.assign(state, { router, sent, drops });
}

/** Waits for a condition the router reaches through its own timer (bounded). */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 400 && !condition(); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition(), 'condition not reached within 4 s');
}

async function write(identity: SessionIdentity, overrides: Partial<ChatMessage> = {}): Promise<ChatMessage> {
  const sentAtMs = overrides.sentAtMs ?? Date.now();
  const pow = proofFor(identity.publicKey, sentAtMs, TEST_POW_BITS);
  return identity.sign({ id: randomId(), username: 'Alice', text: 'hello', sentAtMs, position: NEAR, radiusM: 500, pow, ...overrides });
}

describe('ChatRouter', () => {
  test('stores a valid message once and forwards it once to each neighbour in range of its author', async () => {
    const source = neighbour('Src', NEAR, 500);
    const inRange = neighbour('Bob', HERE, 2000);
    const outOfRange = neighbour('Far', AWAY, 2000);
    const { router, sent, drops } = harness([source, inRange, outOfRange]);
    const alice = await SessionIdentity.create();
    const message = await write(alice);
    await router.receive(source, { type: 'chat', message });
    await router.receive(inRange, { type: 'chat', message });
    assert.deepEqual(router.store.list().map((m) => m.id), [message.id]);
    assert.deepEqual(sent.map(({ to }) => to), ['link-Bob'], 'not back to the source, not out of range, only once');
    assert.deepEqual(drops, []);
  });

  test('drops forged, expired, future, out-of-range and flooding messages, counting each', async () => {
    const source = neighbour('Src', NEAR, 500);
    const h = harness([source]);
    const alice = await SessionIdentity.create();
    const mallory = await SessionIdentity.create();
    const genuine = await write(alice);
    const forged = { ...(await write(alice)), text: 'altered' };
    const signedByOther = { ...(await write(alice)), signature: (await write(mallory)).signature };
    await h.router.receive(source, { type: 'chat', message: forged });
    await h.router.receive(source, { type: 'chat', message: signedByOther });
    await h.router.receive(source, { type: 'chat', message: await write(alice, { sentAtMs: h.now - 31 * 60_000 }) });
    await h.router.receive(source, { type: 'chat', message: await write(alice, { sentAtMs: h.now + 3 * 60_000 }) });
    // 1.1 km away with a 2 km radius: we (500 m) do not show it, but we are inside its
    // circle, so we carry it on as a bridge. 3 km away: beyond the circle and its margin.
    const bridged = await write(alice, { position: FAR, radiusM: 2000 });
    await h.router.receive(source, { type: 'chat', message: bridged });
    await h.router.receive(source, { type: 'chat', message: await write(alice, { position: AWAY, radiusM: 2000 }) });
    await h.router.receive(source, { type: 'chat', message: await write(alice, { position: AWAY, radiusM: 500 }) });
    for (let index = 0; index < 12; index += 1) await h.router.receive(source, { type: 'chat', message: await write(mallory, { username: 'Mallory' }) });
    await h.router.receive(source, { type: 'chat', message: genuine });
    const wire = parsePeerFrame(JSON.stringify({ type: 'chat', message: genuine } satisfies PeerFrame));
    assert.ok(wire.ok && wire.frame.type === 'chat' && wire.frame.message.id === genuine.id, 'a chat frame survives the wire');
    assert.deepEqual(h.drops, ['bad-signature', 'bad-signature', 'expired', 'future', 'out-of-range', 'out-of-range', 'rate-limited', 'rate-limited']);
    assert.equal(h.router.store.list().filter((m) => m.author === mallory.publicKey).length, 10);
    assert.ok(h.router.store.has(genuine.id), 'a forged copy did not shadow the genuine message');
    assert.ok(h.router.store.has(bridged.id), 'a bridge keeps what it carries');
  });

  test('drops a message whose author key has no valid proof of work, without shadowing a good copy', async () => {
    const source = neighbour('Src', NEAR, 500);
    const inRange = neighbour('Bob', HERE, 2000);
    const h = harness([source, inRange]);
    const alice = await SessionIdentity.create();
    const genuine = await write(alice);
    const unproven = { ...genuine, pow: invalidProofFor(alice.publicKey, genuine.sentAtMs, TEST_POW_BITS) };
    const stale = { ...genuine, pow: proofFor(alice.publicKey, genuine.sentAtMs - 40 * 60_000, TEST_POW_BITS) };
    // Another key's proof (one that does not happen to meet the bits for Alice's key too).
    let othersProof = proofFor((await SessionIdentity.create()).publicKey, genuine.sentAtMs, TEST_POW_BITS);
    while (checkProofOfWork(alice.publicKey, othersProof, genuine.sentAtMs, TEST_POW_BITS) === 'ok') {
      othersProof = proofFor((await SessionIdentity.create()).publicKey, genuine.sentAtMs, TEST_POW_BITS);
    }
    const otherKeys = { ...genuine, pow: othersProof };
    for (const message of [unproven, stale]) await h.router.receive(source, { type: 'chat', message });
    await h.router.receive(source, { type: 'history', messages: [otherKeys] });
    assert.deepEqual(h.drops, ['no-proof', 'no-proof', 'no-proof']);
    assert.equal(h.router.store.size, 0);
    assert.deepEqual(h.sent, [], 'nothing passed on');
    await h.router.receive(source, { type: 'chat', message: genuine });
    assert.deepEqual(h.router.store.list().map((m) => m.id), [genuine.id], 'the good copy under the same id is taken');
  });

  test('ignores a fifth username from one author', async () => {
    const source = neighbour('Src', NEAR, 500);
    const h = harness([source]);
    const alice = await SessionIdentity.create();
    for (const username of ['Alice', 'Alicia', 'Ali', 'Lis', 'Elsa']) await h.router.receive(source, { type: 'chat', message: await write(alice, { username }) });
    assert.deepEqual(h.drops, ['username-changes']);
  });

  test('offers a new neighbour the ids it may see, then sends only the bodies it asks for, in bounded chunks', async () => {
    const source = neighbour('Src', NEAR, 2000);
    const h = harness([source], 2000);
    const authors = await Promise.all([1, 2, 3].map(() => SessionIdentity.create()));
    for (const [index, author] of authors.entries()) {
      for (let count = 0; count < 10; count += 1) {
        await h.router.receive(source, { type: 'chat', message: await write(author, { sentAtMs: h.now - (index * 10 + count) * 1000, radiusM: 2000 }) });
      }
    }
    assert.equal(h.router.store.size, 30);
    h.sent.length = 0;
    const newcomer = neighbour('New', HERE, 2000);
    h.router.sendHistory(newcomer);
    const offered = h.sent.flatMap(({ frame }) => (frame.type === 'have' ? frame.ids : []));
    assert.equal(offered.length, 30);
    assert.ok(h.sent.every(({ frame }) => frame.type === 'have'), 'ids first, no bodies');
    h.sent.length = 0;
    // The newcomer already holds ten of them: it asks for the other twenty only.
    const asked = offered.slice(10);
    await h.router.receive(newcomer, { type: 'want', ids: asked });
    const items = h.sent.flatMap(({ frame }) => (frame.type === 'history' ? frame.messages : []));
    assert.deepEqual(items.map((item) => (item as ChatMessage).id).sort(), [...asked].sort());
    assert.ok(h.sent.every(({ frame }) => frame.type === 'history' && frame.messages.length <= 20));
    // What goes on the wire comes back through the receiving parser intact.
    for (const { frame } of h.sent) {
      const parsed = parsePeerFrame(JSON.stringify(frame));
      assert.ok(parsed.ok && parsed.frame.type === 'history' && parsed.frame.messages.length === (frame.type === 'history' ? frame.messages.length : -1));
    }
    h.sent.length = 0;
    h.router.sendHistory(newcomer);
    assert.deepEqual(h.sent, [], 'nothing offered twice on one link');
    h.router.sendHistory(neighbour('Distant', AWAY, 100));
    assert.deepEqual(h.sent, [], 'nothing for someone out of range of every author');
    await h.router.receive(neighbour('Distant', AWAY, 100), { type: 'want', ids: offered });
    assert.deepEqual(h.sent, [], 'asking is not enough: bodies go only to those they concern');
  });

  test('a forwarder sends the body to a few neighbours and the id to the rest; an author sends the body to all', async () => {
    const source = neighbour('Src', NEAR, 2000);
    const others = ['B1', 'B2', 'B3', 'B4', 'B5'].map((name) => neighbour(name, HERE, 2000));
    const h = harness([source, ...others], 2000);
    const alice = await SessionIdentity.create();
    const message = await write(alice, { radiusM: 2000 });
    await h.router.receive(source, { type: 'chat', message });
    await Promise.resolve();
    const bodies = h.sent.filter(({ frame }) => frame.type === 'chat').map(({ to }) => to);
    const announced = h.sent.flatMap(({ to, frame }) => (frame.type === 'have' ? frame.ids.map((id) => `${to}:${id}`) : []));
    assert.equal(bodies.length, EAGER_FANOUT);
    assert.equal(announced.length, others.length - EAGER_FANOUT);
    assert.ok(announced.every((entry) => entry.endsWith(message.id)));
    assert.deepEqual(new Set([...bodies, ...announced.map((entry) => entry.split(':')[0])]), new Set(others.map((other) => other.linkKey)));
    h.sent.length = 0;
    const own = await write(await SessionIdentity.create(), { position: HERE, radiusM: 2000 });
    h.router.publish(own);
    assert.equal(h.sent.filter(({ frame }) => frame.type === 'chat').length, others.length + 1, 'the first hop carries bodies to everyone');
  });

  test('pulls an announced body once, and from the next announcer when the first does not answer', async () => {
    const first = neighbour('First', NEAR, 2000);
    const second = neighbour('Second', NEAR, 2000);
    const h = harness([first, second], 2000);
    const message = await write(await SessionIdentity.create(), { radiusM: 2000 });
    await h.router.receive(first, { type: 'have', ids: [message.id] });
    await h.router.receive(second, { type: 'have', ids: [message.id] });
    const wants = (): string[] => h.sent.filter(({ frame }) => frame.type === 'want').map(({ to }) => to);
    assert.deepEqual(wants(), ['link-First'], 'asked of one announcer only');
    // First never answers: after the timeout the router asks Second.
    h.now += 3_001;
    await waitFor(() => wants().length === 2);
    assert.deepEqual(wants(), ['link-First', 'link-Second']);
    await h.router.receive(second, { type: 'history', messages: [message] });
    assert.ok(h.router.store.has(message.id));
    await h.router.receive(first, { type: 'have', ids: [message.id] });
    assert.equal(wants().length, 2, 'a held message is not asked for again');
  });

  test('never passes on a message once it has expired, whether it arrives late or is asked for late', async () => {
    const source = neighbour('Src', NEAR, 2000);
    const next = neighbour('Next', HERE, 2000);
    const h = harness([source, next], 2000);
    const author = await SessionIdentity.create();
    const late = await write(author, { radiusM: 2000, sentAtMs: h.now - 30 * 60_000 + 10 });
    h.now += 20;
    await h.router.receive(source, { type: 'chat', message: late });
    assert.deepEqual(h.drops, ['expired']);
    assert.equal(h.sent.length, 0);
    const fresh = await write(author, { radiusM: 2000, sentAtMs: h.now });
    await h.router.receive(source, { type: 'chat', message: fresh });
    assert.equal(h.sent.filter(({ frame }) => frame.type === 'chat').length, 1, 'passed on while alive');
    h.sent.length = 0;
    h.now += 30 * 60_000;
    await h.router.receive(neighbour('Late', HERE, 2000), { type: 'want', ids: [fresh.id] });
    h.router.sendHistory(neighbour('Newcomer', HERE, 2000));
    assert.deepEqual(h.sent, [], 'an expired message is neither sent when asked for nor offered');
  });
});
