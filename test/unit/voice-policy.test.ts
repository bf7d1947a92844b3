import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { distanceGain, EDGE_GAIN, selectVoicePeers, type VoiceCandidate } from '../../app/core/voice-policy.ts';

const person = (key: string, distanceM: number, isInVoice = true, radiusM = 500): VoiceCandidate => ({ key, distanceM, radiusM, isInVoice });

describe('selectVoicePeers', () => {
  test('picks the nearest in-range people in voice, at most the cap', () => {
    const candidates = [person('far', 450), person('near', 100), person('mid', 300), person('silent', 50, false), person('out', 700)];
    assert.deepEqual([...selectVoicePeers(candidates, 500, 2, new Set())], ['near', 'mid']);
    assert.deepEqual([...selectVoicePeers(candidates, 500, 6, new Set())], ['near', 'mid', 'far']);
  });

  test('uses the mutual range and keeps a heard person a little beyond it', () => {
    assert.equal(selectVoicePeers([person('a', 300, true, 200)], 2_000, 6, new Set()).size, 0, 'their radius is smaller');
    assert.equal(selectVoicePeers([person('a', 520)], 500, 6, new Set()).size, 0, 'not yet heard: enters inside the range');
    assert.equal(selectVoicePeers([person('a', 520)], 500, 6, new Set(['a'])).size, 1, 'heard: stays until 50 m beyond');
    assert.equal(selectVoicePeers([person('a', 560)], 500, 6, new Set(['a'])).size, 0);
  });
});

describe('distanceGain', () => {
  test('is full up close and falls to a quarter at the edge', () => {
    assert.equal(distanceGain(0, 500), 1);
    assert.equal(distanceGain(50, 500), 1);
    assert.ok(Math.abs(distanceGain(500, 500) - EDGE_GAIN) < 1e-9);
    let previous = 1;
    for (let distance = 60; distance <= 500; distance += 20) {
      const gain = distanceGain(distance, 500);
      assert.ok(gain < previous && gain >= EDGE_GAIN, `decreasing at ${distance} m`);
      previous = gain;
    }
    assert.ok(Math.abs(distanceGain(50 + 450 / 3, 500) - 0.75) < 0.01);
  });
});
