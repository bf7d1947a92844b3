import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { tabAfterKey } from '../../app/components/chat-tabs.ts';
import { statusText } from '../../app/components/status-text.ts';
import { ClockController } from '../../app/controllers/clock-controller.ts';
import { LazyElementsController } from '../../app/controllers/lazy-elements-controller.ts';
import { SourceController } from '../../app/controllers/source-controller.ts';
import { NetworkStatus, type NetworkEnvironment } from '../../app/pwa/network-status.ts';

/** A Lit host reduced to what a controller uses; counts update requests. */
class FakeHost implements ReactiveControllerHost {
  readonly controllers: ReactiveController[] = [];
  updateRequests = 0;
  readonly updateComplete = Promise.resolve(true);

  addController(controller: ReactiveController): void {
    this.controllers.push(controller);
  }

  removeController(controller: ReactiveController): void {
    this.controllers.splice(this.controllers.indexOf(controller), 1);
  }

  requestUpdate(): void {
    this.updateRequests += 1;
  }

  connect(): void {
    for (const controller of this.controllers) controller.hostConnected?.();
  }

  disconnect(): void {
    for (const controller of this.controllers) controller.hostDisconnected?.();
  }
}

/** A window whose online state a test flips; counts its listeners. */
class FakeWindow implements NetworkEnvironment {
  readonly navigator = { onLine: true };
  readonly listeners = new Map<string, Set<() => void>>();

  addEventListener(type: string, listener: () => void): void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
  }

  removeEventListener(type: string, listener: () => void): void {
    this.listeners.get(type)?.delete(listener);
  }

  get listenerCount(): number {
    return [...this.listeners.values()].reduce((sum, set) => sum + set.size, 0);
  }

  go(isOnline: boolean): void {
    this.navigator.onLine = isOnline;
    for (const listener of this.listeners.get(isOnline ? 'online' : 'offline') ?? []) listener();
  }
}

describe('status line', () => {
  test('says whether the relay is there and how many peers keep the chat going', () => {
    assert.equal(statusText('connecting', 0, true), 'Connecting to relay…');
    assert.equal(statusText('connected', 0, true), 'Connected to relay');
    assert.equal(statusText('connected', 2, true), 'Connected to relay · 2 peers');
    assert.equal(statusText('reconnecting', 0, true), 'Relay unreachable — reconnecting');
    assert.equal(statusText('reconnecting', 1, true), 'Relay unreachable — reconnecting · still connected to 1 peer');
  });

  test('says offline first when the device has no network', () => {
    assert.equal(statusText('reconnecting', 0, false), 'Offline — no network');
    assert.equal(statusText('connected', 3, false), 'Offline — still connected to 3 peers');
  });

  test('says a browser without WebRTC cannot connect to anyone, whatever else holds', () => {
    assert.equal(statusText('connected', 3, true, false), 'Cannot connect to people nearby in this browser');
    assert.equal(statusText('connecting', 0, false, false), 'Cannot connect to people nearby in this browser');
  });
});

describe('chat tabs', () => {
  const order = ['chat', 'people'] as const;
  test('move with the arrow keys (wrapping), Home and End; other keys do nothing', () => {
    assert.equal(tabAfterKey('chat', 'ArrowRight', order), 'people');
    assert.equal(tabAfterKey('people', 'ArrowRight', order), 'chat');
    assert.equal(tabAfterKey('chat', 'ArrowLeft', order), 'people');
    assert.equal(tabAfterKey('people', 'Home', order), 'chat');
    assert.equal(tabAfterKey('chat', 'End', order), 'people');
    assert.equal(tabAfterKey('chat', 'Enter', order), null);
  });
});

describe('network status', () => {
  test('follows the window and listens to it only while someone is subscribed', () => {
    const window = new FakeWindow();
    const status = new NetworkStatus(window);
    assert.equal(window.listenerCount, 0);
    let calls = 0;
    const unsubscribe = status.subscribe(() => (calls += 1));
    const unsubscribeOther = status.subscribe(() => undefined);
    assert.equal(window.listenerCount, 2, 'one online and one offline listener, however many subscribers');
    window.go(false);
    assert.equal(status.isOnline, false);
    window.go(true);
    assert.equal(calls, 2);
    unsubscribe();
    assert.equal(window.listenerCount, 2);
    unsubscribeOther();
    assert.equal(window.listenerCount, 0);
  });
});

describe('source controller', () => {
  test('re-renders on changes only while the host is connected, and releases on removal', () => {
    const window = new FakeWindow();
    const host = new FakeHost();
    const controller = new SourceController(host, new NetworkStatus(window));
    assert.equal(window.listenerCount, 0, 'nothing is held before the host is in the document');
    host.connect();
    assert.equal(window.listenerCount, 2);
    const before = host.updateRequests;
    window.go(false);
    assert.equal(host.updateRequests, before + 1);
    host.disconnect();
    assert.equal(window.listenerCount, 0);
    host.connect();
    controller.attach(null);
    assert.equal(window.listenerCount, 0);
  });
});

describe('clock controller', () => {
  test('ticks the host with one timer while connected and leaves none behind', (context) => {
    context.mock.timers.enable({ apis: ['setInterval', 'Date'], now: 1_000 });
    const host = new FakeHost();
    const clock = new ClockController(host, { periodMs: 15_000 });
    assert.equal(clock.isTicking, false);
    host.connect();
    host.connect();
    assert.equal(clock.isTicking, true);
    context.mock.timers.tick(45_000);
    assert.equal(host.updateRequests, 3, 'one timer, even when connected twice');
    assert.equal(clock.now, 46_000);
    host.disconnect();
    assert.equal(clock.isTicking, false);
    context.mock.timers.tick(60_000);
    assert.equal(host.updateRequests, 3);
  });

  test('refuses a period that is not positive', () => {
    assert.throws(() => new ClockController(new FakeHost(), { periodMs: 0 }), RangeError);
  });
});

describe('lazy elements controller', () => {
  test('loads each element once, re-renders when it arrives, and reports a failed load', async () => {
    const host = new FakeHost();
    let chatLoads = 0;
    const lazy = new LazyElementsController(host, {
      'nt-chat': async () => {
        chatLoads += 1;
      },
      'nt-broken': () => Promise.reject(new Error('offline')),
    });
    host.connect();
    const warnings: unknown[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      assert.equal(lazy.state('nt-chat'), 'loading');
      assert.equal(await lazy.load('nt-chat'), true);
      assert.equal(lazy.state('nt-chat'), 'ready');
      assert.equal(await lazy.load('nt-broken'), false);
      assert.equal(lazy.state('nt-broken'), 'failed');
    } finally {
      console.warn = warn;
    }
    assert.equal(chatLoads, 1);
    assert.equal(warnings.length, 1);
    assert.ok(host.updateRequests >= 2);
  });
});
