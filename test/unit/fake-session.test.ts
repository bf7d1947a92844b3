import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { FakeSession, parseDemoMode } from '../../app/session/fake-session.ts';

const STEP_MS = 100;

describe('demo session', () => {
  test('walks from the intro through locating and username to the chat', (context) => {
    context.mock.timers.enable({ apis: ['setTimeout'] });
    const session = new FakeSession({ stepDelayMs: STEP_MS });
    assert.equal(session.state.phase, 'intro');
    context.mock.timers.tick(STEP_MS);
    assert.equal(session.state.relay, 'connected');

    session.requestLocation();
    assert.equal(session.state.phase, 'locating');
    context.mock.timers.tick(STEP_MS);
    assert.equal(session.state.phase, 'username');

    session.setUsername('  ');
    assert.equal(session.state.phase, 'username');
    assert.notEqual(session.state.usernameError, null);
    session.setUsername('Zoë');
    assert.equal(session.state.phase, 'chat');
    assert.equal(session.state.usernameError, null);
    assert.deepEqual(
      session.state.nearby.map((person) => person.username),
      ['Ana', 'Bilal'],
    );
    session.dispose();
  });

  test('ends the location step as denied or unavailable when asked to', (context) => {
    context.mock.timers.enable({ apis: ['setTimeout'] });
    for (const [mode, phase] of [
      ['denied', 'location-denied'],
      ['unavailable', 'location-unavailable'],
    ] as const) {
      const session = new FakeSession({ mode: parseDemoMode(mode), stepDelayMs: STEP_MS });
      session.requestLocation();
      context.mock.timers.tick(STEP_MS);
      assert.equal(session.state.phase, phase);
      session.requestLocation();
      assert.equal(session.state.phase, 'locating', 'a retry asks again');
      session.dispose();
    }
  });

  test('the radius decides who is nearby and whose messages show', (context) => {
    context.mock.timers.enable({ apis: ['setTimeout'] });
    const session = new FakeSession({ stepDelayMs: STEP_MS });
    session.requestLocation();
    context.mock.timers.tick(STEP_MS);
    session.setUsername('Zoë');
    session.setRadius(100);
    assert.equal(session.state.nearby.length, 0);
    assert.equal(session.state.messages.length, 0);
    session.setRadius(2_000);
    assert.equal(session.state.nearby.length, 4);
    assert.equal(session.state.messages.length, 3);
    session.setRadius(99);
    assert.equal(session.state.radiusM, 2_000, 'an invalid radius is ignored');
    session.dispose();
  });

  test('refuses the fourth username change with a reason', (context) => {
    context.mock.timers.enable({ apis: ['setTimeout'] });
    const session = new FakeSession({ stepDelayMs: STEP_MS });
    session.requestLocation();
    context.mock.timers.tick(STEP_MS);
    session.setUsername('Zoë');
    for (const name of ['Zoë two', 'Zoë three', 'Zoë four']) session.setUsername(name);
    assert.equal(session.state.usernameChangesLeft, 0);
    session.setUsername('Zoë five');
    assert.equal(session.state.username, 'Zoë four');
    assert.match(session.state.usernameError ?? '', /all 3 username changes/);
    session.dispose();
  });

  test('sends own messages, refuses blank and oversized ones, and dispose stops the replies', (context) => {
    context.mock.timers.enable({ apis: ['setTimeout'] });
    const session = new FakeSession({ stepDelayMs: STEP_MS });
    session.requestLocation();
    context.mock.timers.tick(STEP_MS);
    session.setUsername('Zoë');
    const count = session.state.messages.length;
    session.send('   ');
    assert.notEqual(session.state.sendError, null);
    session.send('x'.repeat(501));
    assert.notEqual(session.state.sendError, null);
    session.send('<b>hi</b>');
    assert.equal(session.state.sendError, null);
    const own = session.state.messages.at(-1);
    assert.equal(own?.text, '<b>hi</b>');
    assert.equal(own?.isOwn, true);
    assert.equal(session.state.messages.length, count + 1);

    const listener = mock.fn();
    session.subscribe(listener);
    session.dispose();
    context.mock.timers.tick(10 * STEP_MS);
    assert.equal(listener.mock.callCount(), 0);
    assert.equal(session.state.messages.length, count + 1);
  });
});
