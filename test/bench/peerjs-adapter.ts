/**
 * The PeerJS server protocol: the client picks its id and token in the URL, waits for
 * OPEN, and sends `{ type: 'CANDIDATE', dst, payload }`; the server adds `src`. PeerJS has
 * no presence or rooms, so `group` means nothing to it.
 */

import { randomBytes } from 'node:crypto';
import { BenchClient } from './bench-client.ts';
import { OTHER, readFrame, readSentAtMs, type Inbound, type SignalingAdapter } from './signaling-adapter.ts';

export const peerjsAdapter: SignalingAdapter = {
  kind: 'peerjs',

  async register(port, index, group, pool, timeoutMs) {
    const id = `p${index}`;
    const token = randomBytes(8).toString('hex');
    const url = `ws://127.0.0.1:${port}/peerjs?key=peerjs&id=${id}&token=${token}`;
    const client = pool.add(await BenchClient.open(url, timeoutMs));
    const answer = await client.nextFrame(
      (text) => {
        const type = readFrame(text)?.type;
        return type === 'OPEN' || type === 'ERROR' || type === 'ID-TAKEN' ? text : null;
      },
      timeoutMs,
      'OPEN',
    );
    if (readFrame(answer)?.type !== 'OPEN') throw new Error(`PeerJS refused ${id}: ${answer.slice(0, 200)}`);
    return { client, address: id, group };
  },

  encodeSignal(_from, to, payloadJson) {
    return `{"type":"CANDIDATE","dst":"${to.address}","payload":${payloadJson}}`;
  },

  decode(text): Inbound {
    const read = readFrame(text);
    if (read === null) return OTHER;
    if (read.type === 'ERROR' || read.type === 'EXPIRE') return { kind: 'error', message: read.type };
    if (read.type !== 'CANDIDATE') return OTHER;
    const from = read.frame['src'];
    const sentAtMs = readSentAtMs(read.frame['payload']);
    return typeof from === 'string' && sentAtMs !== null ? { kind: 'signal', from, sentAtMs } : OTHER;
  },
};
