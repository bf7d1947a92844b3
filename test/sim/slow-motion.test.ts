import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBenchArgs } from './mesh-bench-args.ts';
import { SlowMotion } from './slow-motion.ts';

describe('slow motion', () => {
  it('slows every clock and timer of the thread by its factor, and gives real time back when stopped', async () => {
    const realDateNow = Date.now;
    const realPerformanceNow = performance.now;
    const realSetTimeout = setTimeout;
    const realStartMs = performance.now();
    const slow = SlowMotion.start(4, Date.now());
    assert.ok(slow !== null);
    try {
      const simulatedStartMs = performance.now();
      const simulatedStartEpochMs = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 25));
      const realElapsedMs = realPerformanceNow.call(performance) - realStartMs;
      const simulatedElapsedMs = performance.now() - simulatedStartMs;
      // A 25 ms timer waits 100 ms of real time, and the clocks saw a quarter of what passed.
      assert.ok(realElapsedMs >= 99, `real ${realElapsedMs} ms`);
      assert.ok(simulatedElapsedMs >= 24.5 && simulatedElapsedMs <= realElapsedMs / 4 + 1, `simulated ${simulatedElapsedMs} ms of ${realElapsedMs} real`);
      assert.ok(Math.abs(Date.now() - simulatedStartEpochMs - simulatedElapsedMs) <= 2, 'Date.now and performance.now agree');
      assert.equal(slow.toSimulatedMs(100), 25);
      assert.throws(() => SlowMotion.start(2, Date.now()), /already on/);
    } finally {
      slow.stop();
    }
    assert.equal(Date.now, realDateNow);
    assert.equal(performance.now, realPerformanceNow);
    assert.equal(setTimeout, realSetTimeout);
  });

  it('patches nothing at a factor of 1 and refuses a factor below it', () => {
    const realSetTimeout = setTimeout;
    assert.equal(SlowMotion.start(1, Date.now()), null);
    assert.equal(setTimeout, realSetTimeout);
    assert.throws(() => SlowMotion.start(0.5, Date.now()), TypeError);
    assert.throws(() => SlowMotion.start(Number.NaN, Date.now()), TypeError);
  });

  it('is a bench flag for the memory links only', () => {
    assert.equal(parseBenchArgs(['--slow-motion', '4']).sim.slowMotion, 4);
    assert.equal(parseBenchArgs([]).sim.slowMotion, 1);
    assert.throws(() => parseBenchArgs(['--slow-motion', '4', '--transport', 'webrtc']), /memory transport only/);
    assert.throws(() => parseBenchArgs(['--slow-motion', '0']), /--slow-motion/);
    assert.throws(() => parseBenchArgs(['--slow-motion', 'fast']), /--slow-motion/);
  });
});
