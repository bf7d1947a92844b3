import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SignalRoad } from '../../app/core/ice-restart.ts';
import { PeerLink } from '../../app/net/peer-link.ts';
import { quietLinkOptions } from './fake-mesh.ts';

interface FakeChannel {
  readyState: string;
  onopen: (() => void) | null;
}

/**
 * Just enough of a connection to answer offers, with ICE saying "connected" throughout, as
 * on the side that has not yet noticed its network is gone.
 */
function connectedConnection(channelSent: string[]): { connection: RTCPeerConnection; channel: FakeChannel; negotiationNeeded: () => void } {
  const channel = { readyState: 'connecting', bufferedAmount: 0, onopen: null, send: (text: string) => channelSent.push(text), close: () => {} };
  const connection = {
    iceConnectionState: 'connected',
    signalingState: 'stable',
    localDescription: null as RTCSessionDescriptionInit | null,
    createDataChannel: () => channel,
    getTransceivers: () => [],
    setRemoteDescription: async () => {
      connection.signalingState = 'have-remote-offer';
    },
    setLocalDescription: async () => {
      const isAnswering = connection.signalingState === 'have-remote-offer';
      connection.localDescription = isAnswering ? { type: 'answer', sdp: 'v=0 answer' } : { type: 'offer', sdp: 'v=0 our offer' };
      connection.signalingState = isAnswering ? 'stable' : 'have-local-offer';
    },
    onnegotiationneeded: null as (() => void) | null,
    close: () => {},
  };
  return { connection: connection as unknown as RTCPeerConnection, channel, negotiationNeeded: () => connection.onnegotiationneeded?.() };
}

const offer = (sdp: string) => ({ description: { type: 'offer', sdp } });
const ANSWER = { description: { type: 'answer', sdp: 'v=0 answer' } };

/** A link answering offers: what it sent through the relay and over its channel. */
function answeringLink(t: { after: (fn: () => void) => void }): {
  link: PeerLink;
  open: () => void;
  negotiationNeeded: () => void;
  viaRelay: unknown[];
  viaChannel: () => unknown[];
} {
  const viaRelay: unknown[] = [];
  const channelSent: string[] = [];
  const { connection, channel, negotiationNeeded } = connectedConnection(channelSent);
  const link = new PeerLink(
    quietLinkOptions('a'.repeat(22), 'b'.repeat(22), {
      createPeerConnection: () => connection,
      sendViaRelay: (data) => {
        viaRelay.push(data);
        return true;
      },
    }),
  );
  t.after(() => link.close());
  const open = (): void => {
    channel.readyState = 'open';
    channel.onopen?.();
  };
  return { link, open, negotiationNeeded, viaRelay, viaChannel: () => channelSent.map((text) => JSON.parse(text)) };
}

for (const road of ['relay', 'channel'] as const satisfies readonly SignalRoad[]) {
  test(`on an open link, an offer that came through the ${road} is answered through the ${road}, though this side's ICE still says connected`, async (t) => {
    const { link, open, viaRelay, viaChannel } = answeringLink(t);
    open();
    await link.receiveSignal(offer('v=0 restart'), road);
    // Through the relay: the other side saw ICE go down, and the channel would carry nothing.
    assert.deepEqual(viaRelay, road === 'relay' ? [ANSWER] : []);
    assert.deepEqual(viaChannel(), road === 'channel' ? [ANSWER] : []);
  });
}

test('the offer that set the link up came through the relay, yet once the link is open its own offers (audio) go in-band', async (t) => {
  const { link, open, negotiationNeeded, viaRelay, viaChannel } = answeringLink(t);
  await link.receiveSignal(offer('v=0 first'), 'relay');
  assert.deepEqual(viaRelay, [ANSWER], 'before the channel opens everything goes through the relay');
  open();
  negotiationNeeded();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(viaChannel(), [{ description: { type: 'offer', sdp: 'v=0 our offer' } }]);
  assert.equal(viaRelay.length, 1);
});
