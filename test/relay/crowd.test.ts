import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PRESENCE_FANOUT, PRESENCE_FULL_VIEW, PRESENCE_SAMPLE_SIZE } from '../../app/core/protocol.ts';
import { startRelay, TestClient, type RunningRelay } from './relay-harness.ts';

// 2,000 people in one precision-6 cell, all watching it: a crowd in a square.
const CROWD = 2_000;
const HOME = 'u09tvw';
const WATCH = ['u09tv'];

describe('relay presence in a crowd (protocol 2)', () => {
  let running: RunningRelay;
  const crowd: TestClient[] = [];
  const presenceFramesSent = (): number => {
    const out = running.relay.metrics.framesOut;
    return out.get('peer-joined') + out.get('peer-left') + out.get('peers');
  };

  before(async () => {
    running = await startRelay({ maxConnectionsPerIp: CROWD + 500, rateLimitBurst: 10_000 });
    for (let start = 0; start < CROWD; start += 100) {
      const batch = await Promise.all(Array.from({ length: 100 }, () => TestClient.connect(running.url)));
      await Promise.all(batch.map((client) => client.sync(HOME, WATCH)));
      crowd.push(...batch);
    }
  });
  after(async () => {
    await Promise.all(crowd.map((client) => client.close()));
    await running.relay.close();
  });

  test('every client got its answer: everyone while the crowd was small, then a full sample', () => {
    for (const [index, client] of crowd.entries()) {
      const answer = client.all('peers')[0];
      assert.ok(answer !== undefined, `client ${index} has its answer`);
      if (index <= PRESENCE_FULL_VIEW) {
        assert.equal(answer.peers.length, index);
        assert.equal(answer.sampled, undefined);
      } else {
        assert.equal(answer.peers.length, PRESENCE_SAMPLE_SIZE, `client ${index}'s sample is full`);
        assert.equal(answer.sampled, true);
      }
    }
  });

  test('one arrival, move and departure each cost at most PRESENCE_FANOUT (128) presence frames besides the answer', async () => {
    const newcomer = await TestClient.connect(running.url);
    const before = presenceFramesSent();
    await newcomer.sync(HOME, WATCH);
    // The answer is one frame; the rest are peer-joined frames to watchers.
    const afterArrival = presenceFramesSent();
    assert.ok(afterArrival - before - 1 <= PRESENCE_FANOUT, `an arrival cost ${afterArrival - before - 1} frames`);
    assert.ok(afterArrival - before - 1 > 0, 'somebody was told');
    await newcomer.sync('u09tvx', WATCH);
    const afterMove = presenceFramesSent();
    assert.ok(afterMove - afterArrival - 1 <= PRESENCE_FANOUT, `a move cost ${afterMove - afterArrival - 1} frames`);
    await newcomer.close();
    // A barrier on a client: its own re-join is answered after the departure was handled.
    await crowd[0]?.sync(HOME, WATCH);
    const afterLeave = presenceFramesSent();
    assert.ok(afterLeave - afterMove - 1 <= PRESENCE_FANOUT, `a departure cost ${afterLeave - afterMove - 1} frames`);
  });

  test('signals still go through between any two clients of the cell, known to each other or not', async () => {
    const first = crowd[0];
    const last = crowd[CROWD - 1];
    assert.ok(first !== undefined && last !== undefined);
    const lastKnowsFirst = last.all('peers').some((frame) => frame.peers.some((peer) => peer.id === first.id));
    last.signal(first.id, { probe: 'from the far end of the crowd', lastKnowsFirst });
    const signal = await first.next('signal', (frame) => frame.from === last.id);
    assert.deepEqual(signal.data, { probe: 'from the far end of the crowd', lastKnowsFirst });
  });

  test('a client hears of at most its budget of arrivals however many arrive', async () => {
    const watcher = crowd[CROWD - 1];
    assert.ok(watcher !== undefined);
    const joinedBefore = watcher.all('peer-joined').length;
    const arrivals = await Promise.all(Array.from({ length: 200 }, () => TestClient.connect(running.url)));
    await Promise.all(arrivals.map((client) => client.sync(HOME, WATCH)));
    await watcher.sync(HOME, WATCH);
    assert.ok(watcher.all('peer-joined').length - joinedBefore <= PRESENCE_FANOUT, 'bounded by what it may know at once');
    await Promise.all(arrivals.map((client) => client.close()));
  });
});
