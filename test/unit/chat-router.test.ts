import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { ChatMessage, DropReason } from '../../app/core/chat-message.ts';
import { parsePeerFrame, type PeerFrame, type PresenceClaim } from '../../app/core/peer-protocol.ts';
import { quantizePosition, type Position } from '../../app/core/position.ts';
import { randomId, SessionIdentity, verifyMessage } from '../../app/identity/session-identity.ts';
import type { Neighbour } from '../../app/net/mesh.ts';
import type { PeerId } from '../../app/core/protocol.ts';
import { ChatRouter } from '../../app/session/chat-router.ts';

const HERE = quantizePosition({ lat: 48.8566, lon: 2.3522 });
/** About 300 m north, 1.1 km north, 3 km north. */
const NEAR = quantizePosition({ lat: 48.8593, lon: 2.3522 });
const FAR = quantizePosition({ lat: 48.8665, lon: 2.3522 });
const AWAY = quantizePosition({ lat: 48.8836, lon: 2.3522 });

function neighbour(name: string, position: Position, radiusM: number): Neighbour {
  const presence: PresenceClaim = { key: `${name}`.padEnd(87, 'k'), seq: 1, username: name, position, radiusM, inVoice: false, signature: 's'.repeat(86) };
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
    onDrop: (reason) => drops.push(reason),
  });
  routers.push(router);
  return Object.assign(state, { router, sent, drops });
}

async function write(identity: SessionIdentity, overrides: Partial<ChatMessage> = {}): Promise<ChatMessage> {
  return identity.sign({ id: randomId(), username: 'Alice', text: 'hello', sentAtMs: Date.now(), position: NEAR, radiusM: 500, ...overrides });
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
    await h.router.receive(source, { type: 'chat', message: await write(alice, { position: FAR, radiusM: 2000 }) });
    await h.router.receive(source, { type: 'chat', message: await write(alice, { position: AWAY, radiusM: 2000 }) });
    for (let index = 0; index < 12; index += 1) await h.router.receive(source, { type: 'chat', message: await write(mallory, { username: 'Mallory' }) });
    await h.router.receive(source, { type: 'chat', message: genuine });
    const wire = parsePeerFrame(JSON.stringify({ type: 'chat', message: genuine } satisfies PeerFrame));
    assert.ok(wire.ok && wire.frame.type === 'chat' && wire.frame.message.id === genuine.id, 'a chat frame survives the wire');
    assert.deepEqual(h.drops, ['bad-signature', 'bad-signature', 'expired', 'future', 'out-of-range', 'out-of-range', 'rate-limited', 'rate-limited']);
    assert.equal(h.router.store.list().filter((m) => m.author === mallory.publicKey).length, 10);
    assert.ok(h.router.store.has(genuine.id), 'a forged copy did not shadow the genuine message');
  });

  test('ignores a fifth username from one author', async () => {
    const source = neighbour('Src', NEAR, 500);
    const h = harness([source]);
    const alice = await SessionIdentity.create();
    for (const username of ['Alice', 'Alicia', 'Ali', 'Lis', 'Elsa']) await h.router.receive(source, { type: 'chat', message: await write(alice, { username }) });
    assert.deepEqual(h.drops, ['username-changes']);
  });

  test('sends a new neighbour the history it may see, in bounded chunks', async () => {
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
    const items = h.sent.flatMap(({ frame }) => (frame.type === 'history' ? frame.messages : []));
    assert.equal(items.length, 30);
    assert.ok(h.sent.every(({ frame }) => frame.type === 'history' && frame.messages.length <= 20));
    // What goes on the wire comes back through the receiving parser intact.
    for (const { frame } of h.sent) {
      const parsed = parsePeerFrame(JSON.stringify(frame));
      assert.ok(parsed.ok && parsed.frame.type === 'history' && parsed.frame.messages.length === (frame.type === 'history' ? frame.messages.length : -1));
    }
    h.sent.length = 0;
    h.router.sendHistory(neighbour('Distant', AWAY, 100));
    assert.deepEqual(h.sent, [], 'nothing for someone out of range of every author');
  });
});
