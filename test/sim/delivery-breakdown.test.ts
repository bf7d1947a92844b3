import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUCKETS, breakDownDeliveries, hopBuckets, summarizeBreakdown } from './delivery-breakdown.ts';
import type { SentMessage } from './ground-truth.ts';
import { LoopLag } from './loop-lag.ts';
import { parseRunFigures, repeatLines, singleRunArgs } from './mesh-repeat.ts';
import { PathTracer } from './path-tracer.ts';
import { DEFAULT_AREA } from './placement.ts';

const body = (id: string): string => JSON.stringify({ type: 'chat', message: { id } });
const have = (id: string): string => JSON.stringify({ type: 'have', ids: [id] });
const want = (id: string): string => JSON.stringify({ type: 'want', ids: [id] });

/** A tracer on a clock the test sets before each recorded frame. */
function tracerAt(): { tracer: PathTracer; at: (ms: number) => PathTracer } {
  let nowMs = 0;
  const tracer = new PathTracer(() => nowMs);
  return {
    tracer,
    at: (ms) => {
      nowMs = ms;
      return tracer;
    },
  };
}

const sum = (buckets: Record<string, number>): number => BUCKETS.reduce((total, bucket) => total + (buckets[bucket] ?? 0), 0);

describe('delivery breakdown', () => {
  test('an eager hop splits into forward wait, transit and the receiver queue, summing to the hop', () => {
    const buckets = hopBuckets({ bodySentMs: 110, bodyReceivedMs: 140 }, 100, 150, 50, undefined);
    assert.deepEqual(
      { forwardWait: buckets.forwardWait, transit: buckets.transit, receiverQueue: buckets.receiverQueue, linkWait: buckets.linkWait },
      { forwardWait: 10, transit: 30, receiverQueue: 10, linkWait: 0 },
    );
    assert.equal(sum(buckets), 50);
  });

  test('a pulled hop counts the ask and the serve; a want that went elsewhere first is re-ask wait', () => {
    // S offered at 100, R first asked someone else at 105, asked S at 3,105, S served at 3,120.
    const buckets = hopBuckets({ haveSentMs: 100, wantSentMs: 3_105, bodySentMs: 3_120, bodyReceivedMs: 3_140 }, 100, 3_150, undefined, 105);
    assert.equal(buckets.reAskWait, 3_000);
    assert.equal(buckets.askWait, 5);
    assert.equal(buckets.serveWait, 15);
    assert.equal(sum(buckets), 3_050);
    const direct = hopBuckets({ haveSentMs: 100, wantSentMs: 130, bodySentMs: 160, bodyReceivedMs: 190 }, 100, 200, undefined, 130);
    assert.equal(direct.reAskWait, 0);
    assert.equal(direct.askWait, 30);
  });

  test('a link that opened after the sender held the message is link wait', () => {
    const buckets = hopBuckets({ haveSentMs: 2_000, wantSentMs: 2_030, bodySentMs: 2_060, bodyReceivedMs: 2_090 }, 100, 2_100, 1_990, 2_030);
    assert.equal(buckets.linkWait, 1_890);
    assert.equal(buckets.forwardWait, 10);
    assert.equal(sum(buckets), 2_000);
  });

  test('the simulator loop blocked during transit and the receiver queue is its own bucket, taken from the queue first', () => {
    const lag = new LoopLag(() => 0);
    lag.record(130, 25); // blocked over [105, 130]
    lag.record(300, 50); // outside the hop
    assert.equal(lag.blockedWithin(100, 150), 25);
    assert.equal(lag.blockedWithin(120, 150), 10);
    const buckets = hopBuckets({ bodySentMs: 100, bodyReceivedMs: 140 }, 100, 150, undefined, undefined, (from, to) => lag.blockedWithin(from, to));
    assert.equal(buckets.simulatorLoop, 25);
    assert.equal(buckets.receiverQueue, 0);
    assert.equal(buckets.transit, 25);
    assert.equal(sum(buckets), 50);
  });

  test('follows a delivery back to the author over two hops, and only for intended recipients', () => {
    const { tracer, at } = tracerAt();
    at(0).opened(0, 1);
    at(0).opened(1, 2);
    at(1_005).sent(0, 1, body('m'));
    at(1_030).received(1, 0, body('m'));
    at(1_041).sent(1, 2, have('m'));
    at(1_070).sent(2, 1, want('m'));
    at(1_100).sent(1, 2, body('m'));
    at(1_130).received(2, 1, body('m'));
    const message: SentMessage = { id: 'm', authorIndex: 0, sentAtMs: 1_000, position: DEFAULT_AREA.centre, radiusM: 500 };
    const stored = new Map([['m', new Map([[0, 1_000], [1, 1_040], [2, 1_150]])]]);
    const paths = breakDownDeliveries([message], stored, new Map([['m', new Set([1, 2])]]), tracer, 10_000);
    assert.equal(paths.length, 2);
    const far = paths.find((path) => path.recipient === 2);
    assert.equal(far?.hops, 2);
    assert.equal(far?.latencyMs, 150);
    assert.equal(far?.unexplainedMs, 0);
    assert.equal(far?.buckets.askWait, 29);
    assert.equal(far?.buckets.serveWait, 30);
    const onlyNear = breakDownDeliveries([message], stored, new Map([['m', new Set([1])]]), tracer, 10_000);
    assert.deepEqual(onlyNear.map((path) => path.recipient), [1]);
    const summary = summarizeBreakdown(paths);
    assert.deepEqual(summary.hopCounts, { 1: 1, 2: 1 });
    assert.equal(summary.meanTail.count, 1);
    assert.equal(summary.slowest[0]?.recipient, 2);
  });

  test("each hop's simulator queueing is its receiver's loop's, and the latency without it is summarised", () => {
    const { tracer, at } = tracerAt();
    at(0).opened(0, 1);
    at(0).opened(1, 2);
    at(1_000).sent(0, 1, body('m'));
    at(1_030).received(1, 0, body('m'));
    at(1_040).sent(1, 2, body('m'));
    at(1_100).received(2, 1, body('m'));
    const message: SentMessage = { id: 'm', authorIndex: 0, sentAtMs: 1_000, position: DEFAULT_AREA.centre, radiusM: 500 };
    const stored = new Map([['m', new Map([[0, 1_000], [1, 1_040], [2, 1_110]])]]);
    // Peer 1's loop was blocked for 20 ms of its hop, and later for 60 ms of peer 2's hop
    // (which does not delay peer 2); peer 2's loop for 50 ms of its own hop.
    const loops = new Map([[1, new LoopLag(() => 0)], [2, new LoopLag(() => 0)]]);
    loops.get(1)?.record(1_025, 20);
    loops.get(1)?.record(1_105, 60);
    loops.get(2)?.record(1_090, 50);
    const asked: number[] = [];
    const paths = breakDownDeliveries([message], stored, new Map([['m', new Set([1, 2])]]), tracer, 10_000, (from, to, receiver) => {
      asked.push(receiver);
      return loops.get(receiver)?.blockedWithin(from, to) ?? 0;
    });
    assert.deepEqual([...new Set(asked)].sort(), [1, 2]);
    const near = paths.find((path) => path.recipient === 1);
    const far = paths.find((path) => path.recipient === 2);
    assert.equal(near?.buckets.simulatorLoop, 20);
    assert.equal(far?.buckets.simulatorLoop, 70, "the far delivery carries both hops' queueing, each from its own receiver");
    const summary = summarizeBreakdown(paths);
    assert.deepEqual(summary.withoutSimulator, { p50: 20, p99: 40 }, 'latencies 40 and 110 less 20 and 70');
  });
});

describe('mesh bench --repeat', () => {
  test('each run takes the command without the repeat, seed and json flags', () => {
    assert.deepEqual(singleRunArgs(['--peers', '200', '--repeat', '5', '--seed=3', '--transport', 'webrtc', '--seeds', 'fresh', '--json', 'x.json']), [
      '--peers',
      '200',
      '--transport',
      'webrtc',
    ]);
  });
  test('the summary gives the median and the worst of the runs', () => {
    const run = (p99Ms: number, deliveryRatio = 1) => ({ seed: 1, deliveryRatio, p50Ms: 40, p99Ms, maxConns: 12, loopP99Ms: 10, load: [0.1, 1.5] as const, withoutSimulator: null });
    const last = repeatLines([run(130), run(600, 0.998), run(150)]).at(-1) ?? '';
    assert.match(last, /p99 median=150ms worst=600ms/);
    assert.match(last, /delivery median=100\.00% worst=99\.80%/);
  });
  test("with breakdowns, the summary also gives the latency without the simulator's queueing, read from each run's report", () => {
    const report = (p50: number, p99: number): string =>
      JSON.stringify({
        report: { seed: 1, deliveryRatio: 1, latencyMs: { p50: 100, p99: 500 }, maxConns: 12, eventLoopDelayMs: { p99: 40 }, loadAverage: [0.1, 1], breakdown: { withoutSimulator: { p50, p99 } } },
      });
    const runs = [report(30, 120), report(35, 240), report(28, 150)].map((text) => parseRunFigures(text));
    assert.ok(runs.every((run) => run !== null));
    const lines = repeatLines(runs.filter((run) => run !== null));
    assert.match(lines[1] ?? '', /without the simulator's queueing p50 35ms, p99 240ms/);
    assert.match(lines.at(-1) ?? '', /without the simulator's queueing: p50 median=30ms worst=35ms p99 median=150ms worst=240ms/);
  });
});
