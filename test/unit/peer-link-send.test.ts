import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PeerLink } from '../../app/net/peer-link.ts';
import { quietLinkOptions } from './fake-mesh.ts';

/** Just enough of a connection for PeerLink: an open channel whose send does what `send` does. */
function fakeConnection(send: (text: string) => void): RTCPeerConnection {
  const channel = { readyState: 'open', bufferedAmount: 0, send, close: () => {} };
  return { createDataChannel: () => channel, close: () => {} } as unknown as RTCPeerConnection;
}

function linkOver(connection: RTCPeerConnection): PeerLink {
  return new PeerLink(quietLinkOptions('a'.repeat(22), 'b'.repeat(22), { createPeerConnection: () => connection }));
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
