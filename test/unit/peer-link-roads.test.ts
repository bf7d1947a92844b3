import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PeerLink } from '../../app/net/peer-link.ts';
import { quietLinkOptions } from './fake-mesh.ts';

/**
 * Just enough of a connection to answer an offer: ICE says "connected" and the channel
 * "open", as on the side that has not yet noticed its network is gone.
 */
function connectedConnection(channelSent: string[]): RTCPeerConnection {
  const channel = { readyState: 'open', bufferedAmount: 0, send: (text: string) => channelSent.push(text), close: () => {} };
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
      connection.localDescription = { type: 'answer', sdp: 'v=0 answer' };
      connection.signalingState = 'stable';
    },
    close: () => {},
  };
  return connection as unknown as RTCPeerConnection;
}

const OFFER = { description: { type: 'offer', sdp: 'v=0 restart' } };

for (const road of ['relay', 'channel'] as const) {
  test(`an offer that came through the ${road} is answered through the ${road}, though this side's ICE still says connected`, async (t) => {
    const viaRelay: unknown[] = [];
    const viaChannel: string[] = [];
    const link = new PeerLink(
      quietLinkOptions('a'.repeat(22), 'b'.repeat(22), {
        createPeerConnection: () => connectedConnection(viaChannel),
        sendViaRelay: (data) => {
          viaRelay.push(data);
          return true;
        },
      }),
    );
    t.after(() => link.close());
    await link.receiveSignal(OFFER, road);
    const answer = { description: { type: 'answer', sdp: 'v=0 answer' } };
    if (road === 'relay') {
      // The other side saw ICE go down and took the relay: the channel would carry nothing.
      assert.deepEqual(viaRelay, [answer]);
      assert.deepEqual(viaChannel, []);
    } else {
      assert.deepEqual(viaRelay, []);
      assert.deepEqual(viaChannel.map((text) => JSON.parse(text)), [answer]);
    }
  });
}
