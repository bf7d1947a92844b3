import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageStore, type Expiring } from '../../app/core/message-store.ts';
import { isPeerId, type PeerId } from '../../app/core/protocol.ts';
import { DeliveryTracker } from './delivery-tracker.ts';
import { FrameTally } from './frame-tally.ts';
import type { LinkProfile } from './link-profile.ts';
import { parseBenchArgs } from './mesh-bench-args.ts';
import { MemoryNetwork, type BridgeMessage } from './memory-network.ts';
import { PathTracer } from './path-tracer.ts';
import { PortBatcher } from './port-batcher.ts';
import { createRandom } from './prng.ts';
import { waitFor } from './wait-for.ts';
import { addCounts, addLinkCounts, addTallies, mergeTracers, tallyTotals, workerOfPeer, worstLoopDelay } from './worker-merge.ts';

function peerId(letter: string): PeerId {
  const id = letter.repeat(22);
  if (!isPeerId(id)) throw new TypeError(id);
  return id;
}

const A = peerId('A');
const B = peerId('B');
const PROFILE: LinkProfile = { connectDelayMs: 5, connectJitterMs: 0, latencyMs: 2, jitterMs: 0, lossRate: 0, rtoMs: 5, failRate: 0 };

/** Two networks as two workers would hold them: A's peer in worker 0, B's in worker 1, messages crossing in order. */
function twoWorkers(profile: LinkProfile, connectTimeoutMs = 20_000): [MemoryNetwork, MemoryNetwork] {
  const where = new Map<string, number>([[A, 0], [B, 1]]);
  const networks: MemoryNetwork[] = [];
  for (const self of [0, 1]) {
    networks.push(
      new MemoryNetwork({
        profile,
        random: createRandom(7).fork(`worker ${self}`),
        connectTimeoutMs,
        bridge: {
          self,
          workerOf: (relayId) => where.get(relayId),
          post: (to: number, message: BridgeMessage) => setImmediate(() => networks[to]?.receive(self, message)),
        },
      }),
    );
  }
  const [zero, one] = networks;
  if (zero === undefined || one === undefined) throw new Error('two networks');
  return [zero, one];
}

interface End {
  readonly frames: string[];
  readonly events: string[];
  readonly link: ReturnType<MemoryNetwork['createLink']>;
}

function end(network: MemoryNetwork, localId: PeerId, remoteId: PeerId): End {
  const frames: string[] = [];
  const events: string[] = [];
  const link = network.createLink({
    localId,
    remoteId,
    iceServers: [],
    sendViaRelay: () => true,
    onOpen: () => events.push('open'),
    onFrame: (text) => frames.push(text),
    onClose: (state) => events.push(state),
    onRemoteAudio: () => undefined,
    wrapNegotiation: () => '',
  });
  return { frames, events, link };
}

test('a link between peers of two workers opens, carries frames both ways in order, and its close follows the frames sent before it', async () => {
  const [zero, one] = twoWorkers({ ...PROFILE, lossRate: 0.3 });
  try {
    // B (worker 1) dials first: its end registers with worker 0, which holds the smaller id.
    const b = end(one, B, A);
    const a = end(zero, A, B);
    await waitFor(() => a.link.state === 'open' && b.link.state === 'open', { timeoutMs: 2_000, describe: () => `${a.link.state}/${b.link.state}` });
    const texts = Array.from({ length: 40 }, (_, index) => `frame ${index}`);
    for (const text of texts) {
      assert.ok(a.link.send(`a: ${text}`));
      assert.ok(b.link.send(`b: ${text}`));
    }
    a.link.close();
    await waitFor(() => b.events.includes('closed'), { timeoutMs: 5_000, describe: () => `B got ${b.frames.length} frames, events ${b.events.join(',')}` });
    assert.deepEqual(b.frames, texts.map((text) => `a: ${text}`), 'every frame of A, in order, before its close (loss only delays)');
    assert.deepEqual(b.events, ['open', 'closed']);
    assert.deepEqual(a.events, ['open', 'closed']);
  } finally {
    zero.dispose();
    one.dispose();
  }
});

test('an end that gave up before its partner existed does not open; the partner times out as on one thread', async () => {
  const [zero, one] = twoWorkers(PROFILE, 300);
  try {
    const b = end(one, B, A);
    b.link.close();
    const a = end(zero, A, B);
    await waitFor(() => a.events.length > 0, { timeoutMs: 3_000, describe: () => a.link.state });
    assert.deepEqual(a.events, ['failed']);
    assert.deepEqual(b.events, ['closed']);
  } finally {
    zero.dispose();
    one.dispose();
  }
});

test('a pair that is never to open fails on both workers', async () => {
  const [zero, one] = twoWorkers({ ...PROFILE, failRate: 1 }, 300);
  try {
    const a = end(zero, A, B);
    const b = end(one, B, A);
    await waitFor(() => a.events.length > 0 && b.events.length > 0, { timeoutMs: 3_000, describe: () => `${a.link.state}/${b.link.state}` });
    assert.deepEqual([a.events, b.events], [['failed'], ['failed']]);
  } finally {
    zero.dispose();
    one.dispose();
  }
});

test('measurements from workers add up as one process would count them', () => {
  const first = new FrameTally();
  first.record(A, B, JSON.stringify({ type: 'chat', message: { id: 'm1' } }));
  first.record(A, B, JSON.stringify({ type: 'have', ids: ['m1'] }));
  const second = new FrameTally();
  second.record(B, A, JSON.stringify({ type: 'history', messages: [{ id: 'm1' }, { id: 'm2' }] }));
  const merged = addTallies(new FrameTally(), [tallyTotals(first), tallyTotals(second)]);
  assert.deepEqual([merged.bodies, merged.bodyFrames, merged.controlFrames, merged.frames], [3, 2, 1, 3]);
  assert.deepEqual(Object.fromEntries(merged.framesByType), { chat: 1, have: 1, history: 1 });

  assert.deepEqual(
    addLinkCounts([
      { made: 3, opened: 2, failed: 1, retired: 0, setupMs: [10, 20], firstLinkMs: [30] },
      { made: 4, opened: 4, failed: 0, retired: 2, setupMs: [5, 6, 7, 8], firstLinkMs: [40, 50] },
    ]),
    { made: 7, opened: 6, failed: 1, retired: 2, setupMs: [10, 20, 5, 6, 7, 8], firstLinkMs: [30, 40, 50] },
  );
  assert.deepEqual(worstLoopDelay([{ p50: 1, p99: 30, max: 50 }, { p50: 2, p99: 10, max: 90 }]), { p50: 2, p99: 30, max: 90 });
  assert.deepEqual(Object.fromEntries(addCounts([new Map([['expired', 2]]), new Map([['expired', 1], ['bad-signature', 1]])])), { expired: 3, 'bad-signature': 1 });
  assert.deepEqual([0, 1, 2, 3, 4].map((index) => workerOfPeer(index, 2)), [0, 1, 0, 1, 0]);
});

test('path tracers of two workers merge: the sender side and the receiver side of a hop, each time the earliest', () => {
  let nowMs = 0;
  const senderSide = new PathTracer(() => nowMs);
  const receiverSide = new PathTracer(() => nowMs);
  nowMs = 10;
  senderSide.opened(1, 2);
  senderSide.sent(1, 2, JSON.stringify({ type: 'have', ids: ['m'] }));
  nowMs = 12;
  receiverSide.opened(2, 1);
  receiverSide.sent(2, 1, JSON.stringify({ type: 'want', ids: ['m'] }));
  nowMs = 20;
  senderSide.sent(1, 2, JSON.stringify({ type: 'chat', message: { id: 'm' } }));
  nowMs = 30;
  receiverSide.received(2, 1, JSON.stringify({ type: 'chat', message: { id: 'm' } }));
  nowMs = 40;
  senderSide.sent(1, 2, JSON.stringify({ type: 'chat', message: { id: 'm' } }));
  const merged = mergeTracers([senderSide, receiverSide]);
  assert.deepEqual(merged.hops.get('m')?.get('1>2'), { haveSentMs: 10, wantSentMs: 12, bodySentMs: 20, bodyReceivedMs: 30 });
  assert.equal(merged.firstWant.get('m')?.get(2), 12);
  assert.deepEqual(Object.fromEntries(merged.linkOpenedMs), { '1>2': 10, '2>1': 12 });
});

test('--workers: N workers with the in-process relay (threads in memory, processes over WebRTC); refused with the ws relay', () => {
  assert.equal(parseBenchArgs([]).workers, 1);
  assert.equal(parseBenchArgs(['--workers', '2', '--loss', '0.01']).workers, 2);
  assert.equal(parseBenchArgs(['--workers', '2', '--transport', 'webrtc']).workers, 2);
  assert.throws(() => parseBenchArgs(['--workers', '2', '--relay', 'ws']), /--workers needs --relay hub/);
  assert.throws(() => parseBenchArgs(['--workers', '0']), /--workers/);
});

test('a port batcher posts one turn of messages as one array, in order, and nothing after it is closed', async () => {
  const posts: (readonly number[])[] = [];
  const batcher = new PortBatcher<number>({ postMessage: (batch) => posts.push(batch) });
  batcher.post(1);
  batcher.post(2);
  assert.deepEqual(posts, [], 'nothing is posted within the turn');
  await new Promise((resolve) => setImmediate(resolve));
  batcher.post(3);
  batcher.close();
  batcher.post(4);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(posts, [[1, 2], [3]]);
});

test('over processes, a copy stored before the note that its message was sent keeps its arrival time', () => {
  let nowMs = 0;
  const timers = { setTimeout: () => undefined, clearTimeout: () => undefined };
  const storeOf = (): MessageStore<Expiring> => new MessageStore<Expiring>({ maxMessages: 10, now: () => nowMs, timers });
  const early = storeOf();
  const author = storeOf();
  const announcing = new DeliveryTracker(() => nowMs, 5_000, true);
  const plain = new DeliveryTracker(() => nowMs, 5_000);
  for (const tracker of [announcing, plain]) {
    tracker.watch(1, early);
    tracker.watch(0, author);
  }
  nowMs = 100;
  author.add({ id: 'm', sentAtMs: 90 });
  nowMs = 120;
  early.add({ id: 'm', sentAtMs: 90 }); // the body, before the note
  nowMs = 180;
  const note = { id: 'm', authorIndex: 0, sentAtMs: 90, position: { lat: 0, lon: 0 }, radiusM: 500 };
  announcing.sent(note);
  plain.sent(note);
  assert.deepEqual([...(announcing.firstStored.get('m') ?? [])], [[1, 120]], 'timed when it was stored; the author not counted');
  assert.deepEqual([...(plain.firstStored.get('m') ?? [])], [[1, 180]], 'without the option it is timed at the note');
  assert.equal(announcing.storedBeforeNote, 1);
  assert.equal(plain.storedBeforeNote, 1);
});
