/**
 * Finding 3 of issue 17: one client within its rate limit must not make the relay send
 * without bound. The hub runs here on fake ports and a fake clock, so counts are exact.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isPeerId, type PeerId } from '../../app/core/protocol.ts';
import { FanoutQueue, type Recipient } from '../../relay/fanout-queue.ts';
import { RelayMetrics } from '../../relay/metrics.ts';
import { RelayHub, type Client, type ClientPort } from '../../relay/relay-hub.ts';
import { DEFAULT_RELAY_OPTIONS } from '../../relay/relay-options.ts';
import { waitFor } from './relay-harness.ts';

class FakePort implements ClientPort {
  readonly sent: string[] = [];
  send(text: string): void {
    this.sent.push(text);
  }
  close(): void {}
}

function peerId(index: number): PeerId {
  const id = `peer${String(index).padStart(18, '0')}`;
  if (!isPeerId(id)) throw new Error(`not a peer id: ${id}`);
  return id;
}

function makeHub(overrides: { maxQueuedBytes?: number } = {}): { hub: RelayHub; clock: { ms: number } } {
  const clock = { ms: 0 };
  const hub = new RelayHub(
    { ...DEFAULT_RELAY_OPTIONS, ...overrides, iceServers: [], turn: null, now: () => clock.ms },
    new RelayMetrics(() => ({})),
  );
  return { hub, clock };
}

/** Waits until every queued broadcast reached its port (each slice runs on the event loop). */
async function drained(hub: RelayHub): Promise<void> {
  await waitFor(() => !hub.outbox.isBusy, 'the outbox to drain');
}

const countOf = (port: FakePort, fragment: string): number => port.sent.filter((text) => text.includes(fragment)).length;

describe('finding 3: presence fan-out', () => {
  test('a burst of 600 joins at 500 watchers sends what the presence budget allows, and the last join still lands', async () => {
    const { hub, clock } = makeHub();
    const watchers: FakePort[] = [];
    for (let index = 0; index < 500; index += 1) {
      const port = new FakePort();
      watchers.push(port);
      hub.receive(hub.connect(peerId(index), port), '{"type":"join","home":"u09tvw","watch":["u09tv"]}');
      clock.ms += 2_000; // the watchers join over time, each within its own budget
    }
    await drained(hub);
    const flooderPort = new FakePort();
    const flooder = hub.connect(peerId(9_999), flooderPort);
    for (let index = 0; index < 600; index += 1) {
      hub.receive(flooder, `{"type":"join","home":"${index % 2 === 0 ? 'u09tvx' : 'u09tvy'}","watch":["u09tv"]}`);
    }
    const heard = (): number => watchers.reduce((sum, port) => sum + countOf(port, peerId(9_999)), 0);
    // Nothing went out in the flooder's turn: broadcasts wait for the outbox's slices.
    assert.equal(heard(), 0);
    await drained(hub);
    // Only the budgeted joins were applied (each answered), each sent to at most every watcher.
    const answers = (): number => flooderPort.sent.filter((text) => text.includes('"peers"')).length;
    assert.equal(answers(), DEFAULT_RELAY_OPTIONS.presenceBurst);
    assert.ok(heard() > 0 && heard() <= DEFAULT_RELAY_OPTIONS.presenceBurst * watchers.length, `the watchers heard ${heard()} frames`);
    assert.equal(hub.heldPresenceCount, 1, 'the latest join is held, not lost');
    clock.ms += 60_000;
    await waitFor(() => hub.heldPresenceCount === 0, 'the held join to be applied');
    await drained(hub);
    assert.equal(hub.cells.homeOf(flooder.id), 'u09tvy', 'where the flooder ends up is its last join');
    assert.equal(answers(), DEFAULT_RELAY_OPTIONS.presenceBurst + 1);
    hub.dispose();
  });

  test('holds presence changes while the outbox is past its cap, and never lets it grow past the cap by more than one broadcast', async () => {
    const maxQueuedBytes = 64 * 1024;
    const { hub, clock } = makeHub({ maxQueuedBytes });
    const clients: Client[] = [];
    for (let index = 0; index < 300; index += 1) {
      const client = hub.connect(peerId(index), new FakePort());
      clients.push(client);
    }
    let largest = 0;
    for (let round = 0; round < 4; round += 1) {
      for (const client of clients) {
        hub.receive(client, `{"type":"join","home":"${round % 2 === 0 ? 'u09tvw' : 'u09tvx'}","watch":["u09tv"]}`);
        largest = Math.max(largest, hub.outbox.queuedBytes);
      }
      clock.ms += 10_000;
    }
    // One broadcast to 300 watchers of a ~60-byte frame: the cap may be passed by that much.
    assert.ok(largest <= maxQueuedBytes + 300 * 80, `queued ${largest} bytes`);
    assert.ok(hub.heldPresenceCount > 0, 'some changes had to wait');
    await waitFor(() => hub.heldPresenceCount === 0 && !hub.outbox.isBusy, 'every held change to be applied');
    for (const client of clients) assert.equal(hub.cells.homeOf(client.id), 'u09tvx');
    hub.dispose();
  });

  test('keeps each client\'s frames in order: a direct frame waits behind its queued broadcasts', async () => {
    const { hub } = makeHub();
    const watcherPort = new FakePort();
    const watcher = hub.connect(peerId(1), watcherPort);
    hub.receive(watcher, '{"type":"join","home":"u09tvw","watch":["u09tv"]}');
    const mover = hub.connect(peerId(2), new FakePort());
    hub.receive(mover, '{"type":"join","home":"u09tvx","watch":["u09tv"]}');
    // The watcher re-joins elsewhere before the peer-joined above left the outbox.
    hub.receive(watcher, '{"type":"join","home":"u0bh2n","watch":["u0bh2"]}');
    await drained(hub);
    const kinds = watcherPort.sent.map((text) => /"type":"([a-z-]+)"/.exec(text)?.[1]);
    assert.deepEqual(kinds, ['welcome', 'peers', 'peer-joined', 'peers']);
    hub.dispose();
  });
});

describe('FanoutQueue', () => {
  test('yields to the event loop between slices: a callback queued after a large fan-out runs before it ends', async () => {
    let nowMs = 0;
    const queue = new FanoutQueue(4, () => (nowMs += 0.01));
    const port = new FakePort();
    const recipients: Recipient[] = Array.from({ length: 50_000 }, () => ({ port, queuedFrames: 0 }));
    queue.push('{"type":"peer-left","id":"x"}', recipients);
    let sentWhenTimerRan = -1;
    setImmediate(() => {
      sentWhenTimerRan = port.sent.length;
    });
    await waitFor(() => !queue.isBusy, 'the queue to drain');
    assert.equal(port.sent.length, 50_000);
    assert.ok(sentWhenTimerRan >= 0 && sentWhenTimerRan < 50_000, `the callback ran after ${sentWhenTimerRan} sends`);
    assert.equal(queue.queuedBytes, 0);
    assert.ok(recipients.every((recipient) => recipient.queuedFrames === 0));
  });
});
