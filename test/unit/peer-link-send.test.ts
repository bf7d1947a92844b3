import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PeerId } from '../../app/core/protocol.ts';
import { PeerLink } from '../../app/net/peer-link.ts';

/** Just enough of a connection for PeerLink: an open channel whose send does what `send` does. */
function fakeConnection(send: (text: string) => void): RTCPeerConnection {
  const channel = { readyState: 'open', bufferedAmount: 0, send, close: () => {} };
  return { createDataChannel: () => channel, close: () => {} } as unknown as RTCPeerConnection;
}

function linkOver(connection: RTCPeerConnection): PeerLink {
  return new PeerLink({
    localId: 'a'.repeat(22) as PeerId,
    remoteId: 'b'.repeat(22) as PeerId,
    iceServers: [],
    sendViaRelay: () => true,
    onOpen: () => {},
    onFrame: () => {},
    onClose: () => {},
    onRemoteAudio: () => {},
    wrapNegotiation: (data) => JSON.stringify(data),
    createPeerConnection: () => connection,
  });
}

test('a frame the channel refuses is reported unsent, not thrown at the sender', (t) => {
  const sent: string[] = [];
  const working = linkOver(fakeConnection((text) => sent.push(text)));
  t.after(() => working.close());
  assert.equal(working.send('hello'), true);
  assert.deepEqual(sent, ['hello']);

  const broken = linkOver(
    fakeConnection(() => {
      throw new Error('libdatachannel error while sending data channel message: Sending failed, errno=32');
    }),
  );
  t.after(() => broken.close());
  assert.equal(broken.send('hello'), false);
});
