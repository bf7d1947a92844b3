import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TabLock, type LockManagerLike } from '../../app/identity/tab-lock.ts';

/** One lock, as the browser keeps it for a profile: a holder, waiters, and stealing. */
class FakeLocks implements LockManagerLike {
  private holder: { release: () => void; reject: (err: unknown) => void } | null = null;
  private readonly waiting: Array<() => void> = [];

  async request(_name: string, options: LockOptions, callback: (lock: Lock | null) => unknown): Promise<unknown> {
    if (this.holder !== null && options.steal === true) {
      this.holder.reject(new DOMException('stolen', 'AbortError'));
      this.holder = null;
    }
    if (this.holder !== null) {
      await new Promise<void>((resolve, reject) => {
        this.waiting.push(resolve);
        options.signal?.addEventListener('abort', () => reject(new DOMException('timed out', 'TimeoutError')));
      });
    }
    return new Promise((resolve, reject) => {
      const release = (): void => {
        this.holder = null;
        this.waiting.shift()?.();
      };
      this.holder = { release, reject };
      void Promise.resolve(callback({ name: 'neartalk-identity', mode: 'exclusive' })).then(
        (value) => {
          release();
          resolve(value);
        },
        reject,
      );
    });
  }
}

/** Waits (bounded) until `condition` holds: the lock's answers come on later turns. */
async function until(condition: () => boolean): Promise<void> {
  for (let round = 0; round < 500 && !condition(); round += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition());
}

describe('one tab per profile', () => {
  test('the first tab runs; a second waits, then says NearTalk is open elsewhere; "Use here" moves it', async () => {
    const locks = new FakeLocks();
    const events: string[] = [];
    const first = new TabLock(locks, () => events.push('first runs'), () => events.push('first stops'));
    first.start();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(first.state, 'here');
    const second = new TabLock(locks, () => events.push('second runs'), () => events.push('second stops'));
    second.start();
    await until(() => second.state === 'elsewhere');
    second.useHere();
    await until(() => second.state === 'here');
    await until(() => first.state === 'elsewhere');
    assert.deepEqual(events, ['first runs', 'second runs', 'first stops']);
    first.dispose();
    second.dispose();
  });

  test('a tab that starts while the old page is letting go (a reload) gets the lock', async () => {
    const locks = new FakeLocks();
    const old = new TabLock(locks, () => undefined, () => undefined);
    old.start();
    await new Promise((resolve) => setImmediate(resolve));
    const reloaded = new TabLock(locks, () => undefined, () => undefined);
    reloaded.start();
    old.dispose();
    await until(() => reloaded.state === 'here');
    reloaded.dispose();
  });
});
