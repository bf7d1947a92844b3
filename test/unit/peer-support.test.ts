import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectPeerSupport } from '../../app/core/peer-support.ts';

class WithChannels {
  createDataChannel(): void {}
}
class WithoutChannels {}

test('a scope with RTCPeerConnection and data channels is supported', () => {
  assert.equal(detectPeerSupport({ RTCPeerConnection: WithChannels }), 'supported');
});

test('no RTCPeerConnection at all (WebKitGTK, WebRTC removed by policy) is told apart', () => {
  assert.equal(detectPeerSupport({}), 'no-peer-connection');
  assert.equal(detectPeerSupport({ RTCPeerConnection: undefined }), 'no-peer-connection');
  assert.equal(detectPeerSupport({ RTCPeerConnection: 'stub' }), 'no-peer-connection');
});

test('a peer connection without data channels cannot chat', () => {
  assert.equal(detectPeerSupport({ RTCPeerConnection: WithoutChannels }), 'no-data-channel');
});

test('a getter that throws counts as missing instead of throwing', () => {
  const scope = Object.defineProperty({}, 'RTCPeerConnection', {
    get() {
      throw new Error('blocked by policy');
    },
  });
  assert.equal(detectPeerSupport(scope), 'no-peer-connection');
});

test('Node itself has no WebRTC', () => {
  assert.equal(detectPeerSupport(globalThis), 'no-peer-connection');
});
