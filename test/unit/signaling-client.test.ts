import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import { SignalingClient, type SignalingEvents } from '../../app/net/signaling-client.ts';

const ID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** The part of a WebSocket the signaling client uses: what it sends, and frames we deliver. */
class FakeSocket extends EventTarget {
  readonly sent: string[] = [];
  isClosed = false;
  send(text: string): void {
    this.sent.push(text);
  }
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.dispatchEvent(new Event('close'));
  }
  deliver(frame: unknown): void {
    this.dispatchEvent(new MessageEvent('message', { data: JSON.stringify(frame) }));
  }
  joins(): number {
    return this.sent.filter((text) => text.includes('"type":"join"')).length;
  }
}

const quietEvents: SignalingEvents = {
  onState: () => undefined,
  onWelcome: () => undefined,
  onIceServers: () => undefined,
  onPeers: () => undefined,
  onPeerJoined: () => undefined,
  onPeerLeft: () => undefined,
  onSignal: () => undefined,
  onRelayError: () => undefined,
};

function connect(): { client: SignalingClient; sockets: FakeSocket[] } {
  const sockets: FakeSocket[] = [];
  const client = new SignalingClient({
    url: 'ws://relay.test/ws',
    events: quietEvents,
    // FakeSocket has every member of WebSocket the client uses.
    createSocket: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket as unknown as WebSocket;
    },
  });
  return { client, sockets };
}

describe('signaling client', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  test('in a crowd (a sampled answer) it joins again about a minute later for a fresh sample, and not otherwise', () => {
    const { client, sockets } = connect();
    const socket = sockets[0];
    assert.ok(socket !== undefined);
    socket.deliver({ type: 'welcome', id: ID, iceServers: [], protocol: 2 });
    client.join('u09tvw', ['u09tv']);
    socket.deliver({ type: 'peers', peers: [], sampled: true });
    mock.timers.tick(47_000);
    assert.equal(socket.joins(), 1, 'not before 48 s');
    mock.timers.tick(25_000);
    assert.equal(socket.joins(), 2, 'by 72 s');
    socket.deliver({ type: 'peers', peers: [] });
    mock.timers.tick(200_000);
    assert.equal(socket.joins(), 2, 'a full answer needs no refresh');
    client.dispose();
  });

  test('works with relays of protocol 1 and 2, and leaves one of a later version', () => {
    for (const protocol of [1, 2]) {
      const { client, sockets } = connect();
      sockets[0]?.deliver({ type: 'welcome', id: ID, iceServers: [], protocol });
      assert.equal(sockets[0]?.isClosed, false, `protocol ${protocol}`);
      client.dispose();
    }
    const warn = mock.method(console, 'warn', () => undefined);
    const { client, sockets } = connect();
    sockets[0]?.deliver({ type: 'welcome', id: ID, iceServers: [], protocol: 3 });
    assert.equal(sockets[0]?.isClosed, true);
    assert.equal(warn.mock.callCount(), 1);
    warn.mock.restore();
    client.dispose();
  });

  test('dispose stops a pending refresh', () => {
    const { client, sockets } = connect();
    const socket = sockets[0];
    assert.ok(socket !== undefined);
    socket.deliver({ type: 'welcome', id: ID, iceServers: [], protocol: 2 });
    client.join('u09tvw', ['u09tv']);
    socket.deliver({ type: 'peers', peers: [], sampled: true });
    client.dispose();
    mock.timers.tick(200_000);
    assert.equal(socket.joins(), 1);
  });
});
