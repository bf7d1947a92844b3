import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthorRateLimit } from '../../app/core/author-rate-limit.ts';
import { MESSAGE_TTL_MS, MessageStore, type EvictionReason, type StoreTimers } from '../../app/core/message-store.ts';
import { AuthorNames, checkUsername, OwnUsername } from '../../app/core/username.ts';

/** A fake clock with timers, so expiry is tested without waiting. */
class FakeClock implements StoreTimers {
  nowMs = 1_700_000_000_000;
  private readonly pending = new Map<number, { dueMs: number; callback: () => void }>();
  private nextHandle = 1;
  readonly now = (): number => this.nowMs;
  get timerCount(): number {
    return this.pending.size;
  }
  setTimeout(callback: () => void, delayMs: number): unknown {
    const handle = this.nextHandle++;
    this.pending.set(handle, { dueMs: this.nowMs + delayMs, callback });
    return handle;
  }
  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.pending.delete(handle);
  }
  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, timer]) => timer.dueMs <= target).sort((a, b) => a[1].dueMs - b[1].dueMs)[0];
      if (due === undefined) break;
      this.pending.delete(due[0]);
      this.nowMs = due[1].dueMs;
      due[1].callback();
    }
    this.nowMs = target;
  }
}

const message = (id: string, sentAtMs: number) => ({ id, sentAtMs });

describe('MessageStore', () => {
  test('drops messages 30 minutes after they were sent, with one timer for the whole store', () => {
    const clock = new FakeClock();
    const evicted: Array<[string, EvictionReason]> = [];
    const store = new MessageStore({ maxMessages: 100, now: clock.now, timers: clock, onEvict: (m, reason) => evicted.push([m.id, reason]) });
    let changes = 0;
    store.subscribe(() => (changes += 1));
    for (let index = 0; index < 50; index += 1) store.add(message(`m${index}`, clock.nowMs - index * 1000));
    assert.equal(clock.timerCount, 1, 'never a timer per message');
    clock.advance(MESSAGE_TTL_MS - 49 * 1000 - 1);
    assert.equal(store.list().length, 50);
    clock.advance(1);
    assert.deepEqual(evicted, [['m49', 'expired']], 'the oldest goes exactly at 30 minutes');
    clock.advance(49 * 1000);
    assert.equal(evicted.length, 50);
    assert.equal(store.size, 0);
    assert.equal(clock.timerCount, 0);
    assert.ok(changes >= 51, 'listeners hear every add and expiry');
  });

  test('refuses expired and duplicate messages, and lists by send time', () => {
    const clock = new FakeClock();
    const store = new MessageStore({ maxMessages: 10, now: clock.now, timers: clock });
    assert.equal(store.add(message('old', clock.nowMs - MESSAGE_TTL_MS)), 'expired');
    assert.equal(store.add(message('b', clock.nowMs - 10)), 'added');
    assert.equal(store.add(message('a', clock.nowMs - 20)), 'added');
    assert.equal(store.add(message('c', clock.nowMs)), 'added');
    assert.equal(store.add(message('b', clock.nowMs)), 'duplicate');
    assert.deepEqual(store.list().map((m) => m.id), ['a', 'b', 'c']);
  });

  test('stays bounded: a full store evicts the oldest-sent message', () => {
    const clock = new FakeClock();
    const evicted: string[] = [];
    const store = new MessageStore({ maxMessages: 3, now: clock.now, timers: clock, onEvict: (m) => evicted.push(m.id) });
    for (const [id, age] of [['a', 30], ['b', 20], ['c', 10]] as const) store.add(message(id, clock.nowMs - age));
    assert.equal(store.add(message('d', clock.nowMs)), 'added');
    assert.deepEqual(evicted, ['a']);
    assert.equal(store.add(message('ancient', clock.nowMs - 1000)), 'too-old-for-full-store');
    assert.equal(store.size, 3);
  });

  test('expires lazily on read even if its timer has not run', () => {
    const clock = new FakeClock();
    const store = new MessageStore({ maxMessages: 3, now: clock.now, timers: clock });
    store.add(message('a', clock.nowMs));
    clock.nowMs += MESSAGE_TTL_MS; // time moves, the timer has not fired
    assert.equal(store.get('a'), undefined);
    assert.equal(store.has('a'), false);
  });

  test('dispose clears its timer and listeners; unbounded configuration is refused', () => {
    const clock = new FakeClock();
    const store = new MessageStore({ maxMessages: 3, now: clock.now, timers: clock });
    store.add(message('a', clock.nowMs));
    store.dispose();
    assert.equal(clock.timerCount, 0);
    assert.throws(() => store.add(message('b', clock.nowMs)));
    assert.throws(() => new MessageStore({ maxMessages: Number.POSITIVE_INFINITY, now: clock.now, timers: clock }), TypeError);
    assert.throws(() => new MessageStore({ maxMessages: 0, now: clock.now, timers: clock }), TypeError);
  });
});

describe('AuthorRateLimit', () => {
  test('allows 10 messages per minute per author and no 11th', () => {
    const limit = new AuthorRateLimit(100);
    const start = 1_000_000;
    for (let index = 0; index < 10; index += 1) assert.equal(limit.allow('alice', start + index * 1000), true);
    assert.equal(limit.allow('alice', start + 10_000), false);
    assert.equal(limit.allow('bob', start + 10_000), true, 'authors are counted apart');
    assert.equal(limit.allow('alice', start + 60_000), true, 'a minute after the first, one more');
  });

  test('judges late history by send time, in any arrival order', () => {
    const limit = new AuthorRateLimit(100);
    const times = [50, 10, 40, 0, 30, 20, 55, 5, 45, 15].map((seconds) => seconds * 1000);
    for (const time of times) assert.equal(limit.allow('alice', time), true);
    assert.equal(limit.allow('alice', 25_000), false, 'an 11th inside the same minute');
    assert.equal(limit.allow('alice', 200_000), true, 'much later is fine');
  });

  test('a steady 10 per minute is never refused', () => {
    const limit = new AuthorRateLimit(10);
    for (let index = 0; index < 100; index += 1) assert.equal(limit.allow('alice', index * 6_000), true, `message ${index}`);
  });
});

describe('usernames', () => {
  test('3 to 20 letters of any script, digits and spaces, trimmed', () => {
    for (const [input, expected] of [
      ['  Ana  ', 'Ana'],
      ['José  Luis', 'José Luis'],
      ['दीपक', 'दीपक'],
      ['小明同学', '小明同学'],
      ['R2D2', 'R2D2'],
    ] as const) {
      assert.deepEqual(checkUsername(input), { ok: true, username: expected });
    }
    for (const bad of ['ab', '   ', 'x'.repeat(21), '<img src=x>', 'a_b_c', 'tab\tname\u200b', 42]) {
      const result = checkUsername(bad);
      assert.equal(result.ok, false, String(bad));
    }
  });

  test('the sender allows three changes and refuses the fourth with a reason', () => {
    const own = new OwnUsername();
    assert.equal(own.set('First').ok, true);
    assert.equal(own.changesLeft, 3);
    for (const name of ['Second', 'Third', 'Fourth']) assert.equal(own.set(name).ok, true);
    assert.equal(own.changesLeft, 0);
    assert.equal(own.set('Fourth').ok, true, 'the same name again is no change');
    const refused = own.set('Fifth');
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.reason, /all 3 username changes/);
    assert.equal(own.current, 'Fourth');
  });

  test('receivers accept at most four distinct names per author, in any order', () => {
    const names = new AuthorNames();
    for (const name of ['D', 'A', 'C', 'B', 'A', 'D']) assert.equal(names.accept(name), true);
    assert.equal(names.accept('E'), false);
  });
});
