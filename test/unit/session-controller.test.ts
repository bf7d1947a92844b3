import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { SessionController } from '../../app/controllers/session-controller.ts';
import { FakeSession } from '../../app/session/fake-session.ts';

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

function setUp(): { host: FakeHost; controller: SessionController; session: FakeSession } {
  const host = new FakeHost();
  const controller = new SessionController(host);
  const session = new FakeSession({ stepDelayMs: 60_000 });
  return { host, controller, session };
}

/** A connected controller on a demo session that has its position: at the username form. */
function atUsernameForm(context: TestContext): ReturnType<typeof setUp> {
  context.mock.timers.enable({ apis: ['setTimeout'] });
  const parts = setUp();
  parts.host.connect();
  parts.controller.attach(parts.session);
  parts.session.requestLocation();
  context.mock.timers.tick(60_000);
  return parts;
}

describe('session controller', () => {
  test('subscribes only while the host is connected, and re-renders on every change', () => {
    const { host, controller, session } = setUp();
    controller.attach(session);
    assert.equal(session.listenerCount, 0, 'a detached host holds no subscription');

    host.connect();
    assert.equal(session.listenerCount, 1);
    const before = host.updateRequests;
    session.setRadius(800);
    assert.equal(host.updateRequests, before + 1);
    assert.equal(controller.state?.radiusM, 800);

    host.disconnect();
    assert.equal(session.listenerCount, 0);
    session.setRadius(900);
    assert.equal(host.updateRequests, before + 1, 'no updates after the host left');
    session.dispose();
  });

  test('removing and re-appending the host many times leaves one subscription', () => {
    const { host, controller, session } = setUp();
    controller.attach(session);
    for (let round = 0; round < 5; round += 1) {
      host.connect();
      host.disconnect();
    }
    host.connect();
    assert.equal(session.listenerCount, 1);
    host.disconnect();
    assert.equal(session.listenerCount, 0);
    session.dispose();
  });

  test('switching sessions moves the subscription', () => {
    const { host, controller, session } = setUp();
    const other = new FakeSession({ stepDelayMs: 60_000 });
    host.connect();
    controller.attach(session);
    controller.attach(other);
    assert.equal(session.listenerCount, 0);
    assert.equal(other.listenerCount, 1);
    controller.attach(null);
    assert.equal(other.listenerCount, 0);
    assert.equal(controller.state, null);
    session.dispose();
    other.dispose();
  });

  test('reports a refused action so the form keeps its input', (context) => {
    const { controller, session } = atUsernameForm(context);
    assert.equal(controller.state?.phase, 'username');
    assert.equal(controller.perform({ kind: 'set-username', name: 'x' }), false);
    assert.equal(controller.perform({ kind: 'set-username', name: 'Zoë' }), true);
    assert.equal(controller.state?.phase, 'chat');
    assert.equal(controller.perform({ kind: 'send', text: 'a'.repeat(501) }), false);
    assert.equal(controller.perform({ kind: 'send', text: 'hello' }), true);
    assert.equal(controller.perform({ kind: 'set-radius', radiusM: 1_000 }), true);
    assert.equal(controller.state?.radiusM, 1_000);
    session.dispose();
  });

  test('performs the voice actions', (context) => {
    const { controller, session } = atUsernameForm(context);
    controller.perform({ kind: 'set-username', name: 'Zoë' });
    assert.equal(controller.perform({ kind: 'join-voice' }), true);
    assert.equal(controller.state?.voice.status, 'starting');
    context.mock.timers.tick(60_000);
    assert.equal(controller.state?.voice.status, 'on');
    assert.equal(controller.perform({ kind: 'set-muted', isMuted: true }), true);
    assert.equal(controller.state?.voice.isMuted, true);
    assert.equal(controller.perform({ kind: 'set-person-volume', key: 'demo-ana', volume: 0.3 }), true);
    assert.equal(controller.state?.nearby[0]?.volume, 0.3);
    assert.equal(controller.perform({ kind: 'set-distance-volume', isOn: false }), true);
    assert.equal(controller.state?.voice.isDistanceVolumeOn, false);
    assert.equal(controller.perform({ kind: 'leave-voice' }), true);
    assert.equal(controller.state?.voice.status, 'off');
    session.dispose();
  });
});
