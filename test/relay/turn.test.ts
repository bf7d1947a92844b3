import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { turnPassword } from '../../relay/turn-credentials.ts';
import { TestClient, startRelay, type RunningRelay } from './relay-harness.ts';

const STUN = { urls: 'stun:stun.neartalk.test:3478' };
const TURN = { urls: ['turn:turn.neartalk.test:3478'], secret: 'north-wind', ttlSeconds: 10 };

describe('relay TURN credentials', () => {
  let running: RunningRelay | undefined;
  const clients: TestClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await running?.relay.close();
    running = undefined;
  });

  test('welcome carries the fixed servers and a TURN entry with credentials made for this client', async () => {
    running = await startRelay({ iceServers: [STUN], turn: TURN });
    const client = await TestClient.connect(running.url);
    clients.push(client);
    const welcome = client.received[0];
    assert.equal(welcome?.type, 'welcome');
    if (welcome?.type !== 'welcome') return;
    const [stun, turn] = welcome.iceServers;
    assert.deepEqual(stun, STUN);
    assert.deepEqual(turn?.urls, TURN.urls);
    const [expiry, id] = (turn?.username ?? '').split(':');
    assert.equal(id, client.id, 'the username names the peer');
    const secondsLeft = Number(expiry) - Date.now() / 1000;
    assert.ok(secondsLeft > 8 && secondsLeft <= 10, `expires in the TTL (${secondsLeft} s)`);
    assert.equal(turn?.credential, turnPassword(TURN.secret, turn?.username ?? ''));
    assert.equal(JSON.stringify(welcome).includes(TURN.secret), false, 'the secret never leaves the relay');
  });

  test('sends a fresh list in an ice-servers frame once half the TTL has passed, and again after that', async () => {
    // The relay's clock is ours: jump it instead of waiting five real seconds.
    let nowMs = 0;
    running = await startRelay({ turn: TURN, now: () => nowMs });
    const client = await TestClient.connect(running.url);
    clients.push(client);
    const quiet = await TestClient.connect(running.url);
    clients.push(quiet);
    nowMs = 4_000;
    await client.sync('u09tvw', ['u09tv']);
    assert.equal(client.all('ice-servers').length, 0, 'nothing before half the TTL');

    nowMs = 5_000;
    const renewed = await client.next('ice-servers');
    const [turn] = renewed.iceServers;
    assert.deepEqual(turn?.urls, TURN.urls);
    assert.equal(turn?.username?.endsWith(`:${client.id}`), true);
    assert.equal(turn?.credential, turnPassword(TURN.secret, turn?.username ?? ''));
    await quiet.next('ice-servers');

    nowMs = 10_000;
    await client.next('ice-servers');
  });

  test('without TURN nothing is ever renewed', async () => {
    let nowMs = 0;
    running = await startRelay({ iceServers: [STUN], now: () => nowMs });
    const client = await TestClient.connect(running.url);
    clients.push(client);
    nowMs = 3_600_000;
    await client.sync('u09tvw', ['u09tv']);
    assert.equal(client.all('ice-servers').length, 0);
  });

  test('a client that sends an ice-servers frame itself is refused as an unknown type', async () => {
    running = await startRelay({ turn: TURN });
    const client = await TestClient.connect(running.url);
    clients.push(client);
    client.send({ type: 'ice-servers', iceServers: [] });
    const error = await client.next('error');
    assert.equal(error.code, 'unknown-type');
  });
});
