import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IDENTITY_IDLE_MS, PRESENCE_SEQ_BLOCK } from '../../app/core/identity-record.ts';
import { IdentityKeeper } from '../../app/identity/identity-keeper.ts';
import { MemoryIdentityStore, type StoredIdentityRecord } from '../../app/identity/identity-store.ts';
import { SessionIdentity, verifyText } from '../../app/identity/session-identity.ts';

const START = 1_700_000_000_000;

/** A store that keeps what was saved, for tests to look at. */
class WatchedStore extends MemoryIdentityStore {
  saves: StoredIdentityRecord[] = [];
  override async save(record: StoredIdentityRecord): Promise<void> {
    this.saves.push(record);
    await super.save(record);
  }
}

describe('identity keeper', () => {
  test('a reload within 30 minutes is the same person: key, name, changes left', async () => {
    let nowMs = START;
    const store = new MemoryIdentityStore();
    const first = await IdentityKeeper.open({ store, now: () => nowMs });
    assert.equal(first.isRestored, false);
    assert.equal(first.username, null);
    first.saveUsername('Alice', 2);
    first.dispose();
    nowMs += IDENTITY_IDLE_MS - 1_000;
    const second = await IdentityKeeper.open({ store, now: () => nowMs });
    assert.equal(second.isRestored, true);
    assert.equal(second.identity.publicKey, first.identity.publicKey);
    assert.equal(second.username, 'Alice');
    assert.equal(second.usernameChangesLeft, 2);
    const payload = 'signed after the reload';
    assert.equal(await verifyText(first.identity.publicKey, payload, await second.identity.signText(payload)), true);
    assert.equal(second.identity.privateKey.extractable, false, 'the stored private key stays non-extractable');
  });

  test('after 30 minutes without use the identity is dropped and a new one made', async () => {
    let nowMs = START;
    const store = new MemoryIdentityStore();
    const first = await IdentityKeeper.open({ store, now: () => nowMs });
    first.saveUsername('Alice', 3);
    nowMs += IDENTITY_IDLE_MS;
    const second = await IdentityKeeper.open({ store, now: () => nowMs });
    assert.equal(second.isRestored, false);
    assert.notEqual(second.identity.publicKey, first.identity.publicKey);
    assert.equal(second.username, null);
    assert.equal(second.usernameChangesLeft, 3);
  });

  test('use refreshes the 30 minutes: touched at 25 minutes, still the same person at 50', async () => {
    let nowMs = START;
    const store = new MemoryIdentityStore();
    const first = await IdentityKeeper.open({ store, now: () => nowMs });
    nowMs += 25 * 60_000;
    first.touch();
    await Promise.resolve();
    nowMs += 25 * 60_000;
    const second = await IdentityKeeper.open({ store, now: () => nowMs });
    assert.equal(second.identity.publicKey, first.identity.publicKey);
  });

  test('presence numbers keep growing across reloads, and each block is saved before it is used', async () => {
    const store = new WatchedStore();
    const first = await IdentityKeeper.open({ store, now: () => START });
    const firstNumbers = [await first.nextPresenceSeq(), await first.nextPresenceSeq(), await first.nextPresenceSeq()];
    assert.deepEqual(firstNumbers, [0, 1, 2]);
    assert.equal(store.saves.at(-1)?.presenceSeqCeiling, PRESENCE_SEQ_BLOCK);
    const second = await IdentityKeeper.open({ store, now: () => START + 1_000 });
    const next = await second.nextPresenceSeq();
    assert.ok(next > 2, `${next} follows 2`);
    assert.equal(store.saves.at(-1)?.presenceSeqCeiling, next + PRESENCE_SEQ_BLOCK);
  });

  test('numbers asked for at once come back in order, each distinct', async () => {
    const keeper = await IdentityKeeper.open({ store: new MemoryIdentityStore(), now: () => START });
    const numbers = await Promise.all(Array.from({ length: 5 }, () => keeper.nextPresenceSeq()));
    assert.deepEqual(numbers, [0, 1, 2, 3, 4]);
  });

  test('"Start fresh" deletes the record at once: the next page is someone new', async () => {
    const store = new MemoryIdentityStore();
    const first = await IdentityKeeper.open({ store, now: () => START });
    first.saveUsername('Alice', 3);
    await first.forget();
    first.touch();
    assert.equal(await store.load(), null, 'nothing written after forgetting');
    const second = await IdentityKeeper.open({ store, now: () => START + 1_000 });
    assert.notEqual(second.identity.publicKey, first.identity.publicKey);
  });

  test('a corrupted or foreign record is not used: a new identity is made and stored', async () => {
    const store = new MemoryIdentityStore();
    store.putRaw({ version: 1, privateKey: 'not a key', publicKey: 'A'.repeat(87) });
    const keeper = await IdentityKeeper.open({ store, now: () => START });
    assert.equal(keeper.isRestored, false);
    assert.equal((await store.load())?.publicKey, keeper.identity.publicKey);
  });

  test('a record whose public key is not its private key\'s is refused', async () => {
    const store = new MemoryIdentityStore();
    const mine = await IdentityKeeper.open({ store, now: () => START });
    const stranger = await SessionIdentity.create();
    const stored = await store.load();
    assert.ok(stored !== null);
    await store.save({ ...stored, publicKey: stranger.publicKey });
    const keeper = await IdentityKeeper.open({ store, now: () => START + 1_000 });
    assert.equal(keeper.isRestored, false);
    assert.notEqual(keeper.identity.publicKey, stranger.publicKey);
    assert.notEqual(keeper.identity.publicKey, mine.identity.publicKey);
  });

  test('storage that refuses writes still gives a working identity', async () => {
    class FullStore extends MemoryIdentityStore {
      override async save(): Promise<void> {
        throw new Error('QuotaExceededError');
      }
    }
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
    try {
      const keeper = await IdentityKeeper.open({ store: new FullStore(), now: () => START });
      assert.equal(await keeper.nextPresenceSeq(), 0);
      assert.ok(warnings.some((line) => line.includes('could not be stored')));
    } finally {
      console.warn = warn;
    }
  });
});
