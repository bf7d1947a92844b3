import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseChatMessage, type ChatMessage } from '../../app/core/chat-message.ts';
import { quantizePosition } from '../../app/core/position.ts';
import { randomId, SessionIdentity, verifyMessage } from '../../app/identity/session-identity.ts';

async function signedMessage(identity: SessionIdentity, overrides: Partial<ChatMessage> = {}): Promise<ChatMessage> {
  return identity.sign({
    id: randomId(),
    username: 'Alice',
    text: 'Hello, square!',
    sentAtMs: 1_700_000_000_000,
    position: quantizePosition({ lat: 48.8566, lon: 2.3522 }),
    radiusM: 500,
    pow: { windowStartMs: 1_699_999_800_000, nonce: 0 },
    ...overrides,
  });
}

describe('chat messages', () => {
  test('a signed message parses and verifies', async () => {
    const identity = await SessionIdentity.create();
    const message = await signedMessage(identity);
    const wire: unknown = JSON.parse(JSON.stringify(message));
    const parsed = parseChatMessage(wire);
    assert.deepEqual(parsed, message);
    assert.equal(await verifyMessage(message), true);
  });

  test('any altered field, or another author key, fails verification', async () => {
    const identity = await SessionIdentity.create();
    const other = await SessionIdentity.create();
    const message = await signedMessage(identity);
    const alterations: Array<Partial<ChatMessage>> = [
      { text: 'Hello, square?' },
      { username: 'Mallory' },
      { sentAtMs: message.sentAtMs + 1 },
      { radiusM: 2_000 },
      { position: quantizePosition({ lat: 48.86, lon: 2.35 }) },
      { id: randomId() },
      { author: other.publicKey },
      { signature: (await signedMessage(other)).signature },
    ];
    for (const change of alterations) assert.equal(await verifyMessage({ ...message, ...change }), false, JSON.stringify(change));
    assert.equal(await verifyMessage({ ...message, author: 'A'.repeat(87) }), false, 'a key that is not on the curve');
  });

  test('malformed and oversized messages are refused by shape', async () => {
    const identity = await SessionIdentity.create();
    const good = JSON.parse(JSON.stringify(await signedMessage(identity))) as Record<string, unknown>;
    const cases: Array<[string, unknown, string]> = [
      ['not an object', 'hi', 'malformed'],
      ['no signature', { ...good, signature: undefined }, 'malformed'],
      ['a short signature', { ...good, signature: 'abc' }, 'malformed'],
      ['a bad id', { ...good, id: 'x' }, 'malformed'],
      ['501 characters', { ...good, text: 'é'.repeat(501) }, 'too-long'],
      ['blank text', { ...good, text: '   ' }, 'malformed'],
      ['a radius of 5 km', { ...good, radiusM: 5_000 }, 'malformed'],
      ['a raw position', { ...good, position: { lat: 48.856613, lon: 2.352222 } }, 'malformed'],
      ['a position off the globe', { ...good, position: { lat: 123, lon: 0 } }, 'malformed'],
      ['a fractional time', { ...good, sentAtMs: 1.5 }, 'malformed'],
      ['an invalid username', { ...good, username: '<b>' }, 'malformed'],
    ];
    for (const [what, value, reason] of cases) {
      const wire: unknown = JSON.parse(JSON.stringify(value));
      assert.equal(parseChatMessage(wire), reason, what);
    }
    const emoji = { ...good, text: '👋'.repeat(500) };
    assert.notEqual(typeof parseChatMessage(emoji), 'string', '500 emoji are 500 characters');
  });
});
