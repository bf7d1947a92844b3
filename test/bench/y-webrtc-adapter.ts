/**
 * y-webrtc's signaling protocol, as its client speaks it: subscribe to a room topic, then
 * publish `{ type: 'signal', from, to, signal }` to the topic. The server sends every
 * publish to every subscriber, the sender included; receivers drop what is not for them.
 */

import { isJsonObject } from '../../app/core/json.ts';
import { BenchClient } from './bench-client.ts';
import { OTHER, readFrame, readSentAtMs, type Inbound, type SignalingAdapter } from './signaling-adapter.ts';

/** The room topic of group `n`. */
export function topicOf(group: number): string {
  return `neartalk-bench-${group}`;
}

/** Resolves once the server has handled everything sent before: it answers pings in order. */
export function pingPong(client: BenchClient, timeoutMs: number): Promise<true> {
  const pong = client.nextFrame((text) => (readFrame(text)?.type === 'pong' ? true : null), timeoutMs, 'pong');
  client.send('{"type":"ping"}');
  return pong;
}

/** Subscribes `client` to `topic` and waits until the server has handled it. */
export async function subscribe(client: BenchClient, topic: string, timeoutMs: number): Promise<void> {
  // The server never acknowledges a subscribe; the pong after it proves it was handled.
  client.send(subscribeFrame(topic));
  await pingPong(client, timeoutMs);
}

export function subscribeFrame(topic: string): string {
  return JSON.stringify({ type: 'subscribe', topics: [topic] });
}

/** What a y-webrtc client publishes on entering a room; the server sends it to every subscriber. */
export function announceFrame(topic: string, from: string): string {
  return JSON.stringify({ type: 'publish', topic, data: { type: 'announce', from } });
}

/** The `from` of a published announce, or null for any other frame. */
export function announceFrom(text: string): string | null {
  const read = readFrame(text);
  const data = read?.type === 'publish' ? read.frame['data'] : undefined;
  if (!isJsonObject(data) || data['type'] !== 'announce') return null;
  const from = data['from'];
  return typeof from === 'string' ? from : null;
}

export const yWebrtcAdapter: SignalingAdapter = {
  kind: 'y-webrtc',

  async register(port, index, group, pool, timeoutMs) {
    const client = pool.add(await BenchClient.open(`ws://127.0.0.1:${port}/`, timeoutMs));
    await subscribe(client, topicOf(group), timeoutMs);
    return { client, address: `c${index}`, group };
  },

  encodeSignal(from, to, payloadJson) {
    return (
      `{"type":"publish","topic":"${topicOf(from.group)}",` +
      `"data":{"type":"signal","from":"${from.address}","to":"${to.address}","signal":${payloadJson}}}`
    );
  },

  decode(text, self): Inbound {
    const read = readFrame(text);
    if (read?.type !== 'publish') return OTHER;
    const data = read.frame['data'];
    if (!isJsonObject(data) || data['to'] !== self) return OTHER;
    const from = data['from'];
    const sentAtMs = readSentAtMs(data['signal']);
    return typeof from === 'string' && sentAtMs !== null ? { kind: 'signal', from, sentAtMs } : OTHER;
  },
};
