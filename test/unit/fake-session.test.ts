import assert from 'node:assert/strict';
import { describe, mock, test, type TestContext } from 'node:test';
import { FakeSession, parseDemoMode } from '../../app/session/fake-session.ts';

const STEP_MS = 100;

/** A demo session in the chat, its pretend timers under the test's control. */
function inChat(context: TestContext, mode = 'normal'): FakeSession {
  context.mock.timers.enable({ apis: ['setTimeout'] });
  const session = new FakeSession({ mode: parseDemoMode(mode), stepDelayMs: STEP_MS });
  session.requestLocation();
  context.mock.timers.tick(STEP_MS);
  session.setUsername('Zoë');
  return session;
}

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

  test('joins voice through starting, then hears the nearby people in voice', (context) => {
    const session = inChat(context);
    assert.equal(session.state.voice.status, 'off');
    assert.equal(session.state.nearby.some((person) => person.isHeard), false, 'nobody is heard before joining');
    session.joinVoice();
    assert.equal(session.state.voice.status, 'starting');
    context.mock.timers.tick(STEP_MS);
    assert.equal(session.state.voice.status, 'on');
    const [ana, bilal] = session.state.nearby;
    assert.deepEqual(
      [ana?.username, ana?.isInVoice, ana?.isHeard, ana?.isSpeaking, ana?.volume],
      ['Ana', true, true, true, 1],
    );
    assert.deepEqual([bilal?.username, bilal?.isInVoice, bilal?.isHeard, bilal?.isSpeaking], ['Bilal', false, false, false]);

    session.leaveVoice();
    assert.equal(session.state.voice.status, 'off');
    assert.equal(session.state.nearby.some((person) => person.isHeard || person.isSpeaking), false);
    assert.equal(session.state.nearby[0]?.isInVoice, true, 'others stay in voice');
    session.dispose();
  });

  test('voice waits for the chat, and leaving while starting wins over the late answer', (context) => {
    const early = new FakeSession({ stepDelayMs: STEP_MS });
    early.joinVoice();
    assert.equal(early.state.voice.status, 'off');
    early.dispose();

    const session = inChat(context);
    session.joinVoice();
    session.leaveVoice();
    context.mock.timers.tick(10 * STEP_MS);
    assert.equal(session.state.voice.status, 'off');
    session.dispose();
  });

  test('mutes, sets a person\'s volume within 0..1, and turns distance attenuation off', (context) => {
    const session = inChat(context);
    session.joinVoice();
    context.mock.timers.tick(STEP_MS);
    session.setMuted(true);
    assert.equal(session.state.voice.isMuted, true);
    session.setPersonVolume('demo-ana', 0.4);
    assert.equal(session.state.nearby[0]?.volume, 0.4);
    session.setPersonVolume('demo-ana', 7);
    assert.equal(session.state.nearby[0]?.volume, 1);
    session.setPersonVolume('demo-ana', Number.NaN);
    assert.equal(session.state.nearby[0]?.volume, 1, 'a non-number is ignored');
    assert.equal(session.state.voice.isDistanceVolumeOn, true);
    session.setDistanceVolume(false);
    assert.equal(session.state.voice.isDistanceVolumeOn, false);
    assert.equal(session.state.voice.status, 'on');
    session.dispose();
  });

  test('a refused microphone ends in mic-denied, and joining again asks again', (context) => {
    const session = inChat(context, 'mic-denied');
    session.joinVoice();
    context.mock.timers.tick(STEP_MS);
    assert.equal(session.state.voice.status, 'mic-denied');
    assert.equal(session.state.nearby.some((person) => person.isHeard), false);
    session.joinVoice();
    assert.equal(session.state.voice.status, 'starting');
    session.send('Still chatting');
    assert.equal(session.state.messages.at(-1)?.text, 'Still chatting');
    session.dispose();
  });

  test('a lost microphone ends in mic-lost, and joining again brings voice back', (context) => {
    const session = inChat(context, 'mic-lost');
    session.joinVoice();
    context.mock.timers.tick(STEP_MS);
    assert.equal(session.state.voice.status, 'on');
    context.mock.timers.tick(10 * STEP_MS);
    assert.equal(session.state.voice.status, 'mic-lost');
    session.joinVoice();
    context.mock.timers.tick(20 * STEP_MS);
    assert.equal(session.state.voice.status, 'on');
    session.dispose();
  });
});
