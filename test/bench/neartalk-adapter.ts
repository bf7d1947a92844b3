/** The NearTalk relay's protocol v1, as a bench client speaks it. */

import { GEOHASH_ALPHABET } from '../../app/core/geohash.ts';
import { RELAY_PATH } from '../../app/core/protocol.ts';
import { BenchClient } from './bench-client.ts';
import { OTHER, readFrame, readSentAtMs, type Inbound, type SignalingAdapter } from './signaling-adapter.ts';

/** The bench's cells: group `n` owns the precision-5 prefix `cellPrefix(n)`. */
export interface Cell {
  readonly prefix: string;
  /** Home cell where clients start (precision 6, inside `prefix`). */
  readonly home: string;
  /** Another home cell inside `prefix`: where a moving peer goes. */
  readonly otherHome: string;
}

/** Distinct precision-5 prefixes for up to 32⁴ groups, all starting with "u" (Europe). */
export function cellOf(group: number): Cell {
  let prefix = '';
  let rest = group;
  for (let digit = 0; digit < 4; digit += 1) {
    prefix = (GEOHASH_ALPHABET[rest % 32] ?? '0') + prefix;
    rest = Math.floor(rest / 32);
  }
  prefix = `u${prefix}`;
  return { prefix, home: `${prefix}0`, otherHome: `${prefix}1` };
}

/** A join frame placing a client in `home`, watching the whole prefix around it. */
export function joinFrame(home: string, prefix: string): string {
  return JSON.stringify({ type: 'join', home, watch: [prefix] });
}

/** Opens a relay connection and waits for `welcome`; resolves with the client and its id. */
export async function openRelayClient(
  port: number,
  timeoutMs: number,
  onOpen: (client: BenchClient) => void,
): Promise<{ client: BenchClient; id: string }> {
  const client = await BenchClient.open(`ws://127.0.0.1:${port}${RELAY_PATH}`, timeoutMs);
  onOpen(client);
  const id = await client.nextFrame(
    (text) => {
      const read = readFrame(text);
      const id = read?.type === 'welcome' ? read.frame['id'] : undefined;
      return typeof id === 'string' ? id : null;
    },
    timeoutMs,
    'welcome',
  );
  return { client, id };
}

/** Joins `cell` (its home, watching its prefix) and waits for the relay's `peers` answer. */
export async function joinCell(client: BenchClient, cell: Cell, timeoutMs: number): Promise<void> {
  const listed = client.nextFrame((text) => (readFrame(text)?.type === 'peers' ? true : null), timeoutMs, 'peers');
  client.send(joinFrame(cell.home, cell.prefix));
  await listed;
}

export const neartalkAdapter: SignalingAdapter = {
  kind: 'neartalk',

  async register(port, _index, group, pool, timeoutMs) {
    const { client, id } = await openRelayClient(port, timeoutMs, (opened) => pool.add(opened));
    await joinCell(client, cellOf(group), timeoutMs);
    return { client, address: id, group };
  },

  encodeSignal(_from, to, payloadJson) {
    return `{"type":"signal","to":"${to.address}","data":${payloadJson}}`;
  },

  decode(text): Inbound {
    const read = readFrame(text);
    if (read === null) return OTHER;
    if (read.type === 'error') return { kind: 'error', message: String(read.frame['code']) };
    if (read.type !== 'signal') return OTHER;
    const from = read.frame['from'];
    const sentAtMs = readSentAtMs(read.frame['data']);
    return typeof from === 'string' && sentAtMs !== null ? { kind: 'signal', from, sentAtMs } : OTHER;
  },
};
