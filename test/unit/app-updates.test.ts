import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppUpdates } from '../../app/pwa/app-updates.ts';
import { SKIP_WAITING } from '../../app/pwa/shell-routes.ts';

/** A service worker as the page sees it: a state that changes, and messages it was sent. */
class FakeWorker extends EventTarget {
  state: ServiceWorkerState = 'installing';
  readonly messages: unknown[] = [];

  postMessage(message: unknown): void {
    this.messages.push(message);
  }

  become(state: ServiceWorkerState): void {
    this.state = state;
    this.dispatchEvent(new Event('statechange'));
  }
}

class FakeRegistration extends EventTarget {
  installing: FakeWorker | null = null;
  waiting: FakeWorker | null = null;
  updateChecks = 0;

  async update(): Promise<void> {
    this.updateChecks += 1;
  }

  /** The browser found a new worker script. */
  find(worker: FakeWorker): void {
    this.installing = worker;
    this.dispatchEvent(new Event('updatefound'));
  }
}

class FakeContainer extends EventTarget {
  controller: FakeWorker | null = null;
  readonly registration = new FakeRegistration();

  async register(): Promise<FakeRegistration> {
    return this.registration;
  }
}

class FakeDocument extends EventTarget {
  visibilityState: DocumentVisibilityState = 'visible';
}

function setUp(options: { controlled: boolean }) {
  const container = new FakeContainer();
  if (options.controlled) container.controller = new FakeWorker();
  const document = new FakeDocument();
  let reloads = 0;
  const updates = new AppUpdates({
    // The fakes carry only what AppUpdates touches.
    container: container as unknown as ServiceWorkerContainer,
    scriptUrl: '/sw.js',
    document: document as unknown as Document,
    reload: () => (reloads += 1),
  });
  return { container, document, updates, reloads: () => reloads };
}

describe('app updates', () => {
  test('a new worker installed while an older one controls the page is offered, not applied', async () => {
    const { container, updates, reloads } = setUp({ controlled: true });
    let changes = 0;
    updates.subscribe(() => (changes += 1));
    await updates.start();
    const next = new FakeWorker();
    container.registration.find(next);
    assert.equal(updates.isUpdateReady, false);
    next.become('installed');
    container.registration.waiting = next;
    assert.equal(updates.isUpdateReady, true);
    assert.equal(changes, 1);
    assert.deepEqual(next.messages, [], 'it waits for the person');
    assert.equal(reloads(), 0);
  });

  test('reloads only after the person asked and the new worker took over', async () => {
    const { container, updates, reloads } = setUp({ controlled: true });
    await updates.start();
    container.dispatchEvent(new Event('controllerchange'));
    assert.equal(reloads(), 0, 'a takeover nobody asked for does not reload');
    const next = new FakeWorker();
    container.registration.find(next);
    next.become('installed');
    container.registration.waiting = next;
    updates.applyUpdate();
    assert.deepEqual(next.messages, [SKIP_WAITING]);
    assert.equal(reloads(), 0);
    container.dispatchEvent(new Event('controllerchange'));
    assert.equal(reloads(), 1);
  });

  test('the first install is not an update', async () => {
    const { container, updates } = setUp({ controlled: false });
    await updates.start();
    const first = new FakeWorker();
    container.registration.find(first);
    first.become('installed');
    assert.equal(updates.isUpdateReady, false);
  });

  test('a version already waiting when the page opens is offered at once', async () => {
    const { container, updates } = setUp({ controlled: true });
    container.registration.waiting = new FakeWorker();
    await updates.start();
    assert.equal(updates.isUpdateReady, true);
  });

  test('checks for a new version when the page becomes visible, and stops listening once disposed', async () => {
    const { container, document, updates } = setUp({ controlled: true });
    await updates.start();
    document.dispatchEvent(new Event('visibilitychange'));
    assert.equal(container.registration.updateChecks, 1);
    updates.dispose();
    document.dispatchEvent(new Event('visibilitychange'));
    const next = new FakeWorker();
    container.registration.find(next);
    next.become('installed');
    assert.equal(container.registration.updateChecks, 1);
    assert.equal(updates.isUpdateReady, false);
  });

  test('does nothing where there are no service workers', async () => {
    const updates = new AppUpdates({ container: undefined, scriptUrl: '/sw.js', document: new FakeDocument() as unknown as Document, reload: () => undefined });
    await updates.start();
    assert.equal(updates.isUpdateReady, false);
    updates.applyUpdate();
  });
});
