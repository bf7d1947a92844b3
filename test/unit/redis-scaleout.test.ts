import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isPeerId, type PeerId } from '../../app/core/protocol.ts';
import { CellIndex } from '../../relay/cell-index.ts';
import { ConfigError, parseRelayConfig } from '../../relay/config.ts';
import { CellSubscriptions, MAX_BUFFERED_EVENTS } from '../../relay/redis/cell-subscriptions.ts';
import { RouteCache, watchedCellsOf } from '../../relay/redis/member-tables.ts';
import { cellOfPresenceChannel, isRelayId, presenceChannel, type RelayId } from '../../relay/redis/redis-keys.ts';
import { describeRedisUrl } from '../../relay/redis/redis-link.ts';
import {
  encodeEntry,
  encodePresenceEvent,
  encodeRefusal,
  encodeSignal,
  parseEntry,
  parsePresenceEvent,
  parseSignalChannelMessage,
  signalHeaderPrefix,
  type PresenceEvent,
} from '../../relay/redis/redis-messages.ts';

function peerId(text: string): PeerId {
  assert.ok(isPeerId(text), text);
  return text;
}
function relayId(text: string): RelayId {
  assert.ok(isRelayId(text), text);
  return text;
}
const ALICE = peerId('aliceAAAAAAAAAAAAAAAAA');
const BOB = peerId('bobBBBBBBBBBBBBBBBBBBB');
const RELAY = relayId('relayRRRRRRR');

describe('Redis messages', () => {
  test('presence events, refusals and snapshot entries survive a round trip', () => {
    const events: PresenceEvent[] = [
      { t: 'present', relay: RELAY, id: ALICE, home: 'u09tvw', watch: ['u09tv', 'u09ty'] },
      { t: 'absent', relay: RELAY, id: ALICE },
      { t: 'sync', relay: RELAY },
    ];
    for (const event of events) assert.deepEqual(parsePresenceEvent(encodePresenceEvent(event)), event);
    assert.deepEqual(parseSignalChannelMessage(encodeRefusal({ to: ALICE, peer: BOB, code: 'not-nearby' })), {
      t: 'refused', to: ALICE, peer: BOB, code: 'not-nearby',
    });
    assert.deepEqual(parseEntry(encodeEntry({ home: 'u09tvw', watch: ['u09tv'] })), { home: 'u09tvw', watch: ['u09tv'] });
  });

  test('a signal keeps the sender\'s frame byte for byte after its header', () => {
    const body = ` {"type":"signal","to":"${BOB}","data":{"sdp":"v=0\\r\\nline two","n":1.50}}`;
    const text = encodeSignal(signalHeaderPrefix(RELAY, ALICE, { home: 'u09tvw', watch: ['u09tv'] }), BOB, body);
    assert.deepEqual(parseSignalChannelMessage(text), { t: 'signal', relay: RELAY, from: ALICE, home: 'u09tvw', watch: ['u09tv'], to: BOB, body });
  });

  test('anything else read from Redis is refused, never thrown', () => {
    const header = signalHeaderPrefix(RELAY, ALICE, { home: 'u09tvw', watch: [] });
    const refused = [
      '', 'null', '[]', '{', 'not json', '{"v":1}', '{"v":2,"t":"sync","relay":"relayRRRRRRR"}',
      '{"v":1,"t":"sync","relay":"short"}',
      `{"v":1,"t":"present","relay":"relayRRRRRRR","id":"${ALICE}","home":"u09tv","watch":[]}`,
      `{"v":1,"t":"present","relay":"relayRRRRRRR","id":"${ALICE}","home":"u09tvw","watch":["a"]}`,
      `{"v":1,"t":"present","relay":"relayRRRRRRR","id":"${ALICE}","home":"u09tvw","watch":${JSON.stringify(Array(33).fill('u09tv'))}}`,
      '{"v":1,"t":"absent","relay":"relayRRRRRRR","id":"<script>"}',
    ];
    for (const text of refused) assert.equal(parsePresenceEvent(text), null, text);
    const refusedSignals = [
      encodeSignal(header, BOB, '{"type":"join","home":"u09tvw","watch":[]}'),
      encodeSignal(header, BOB, `{"type":"signal","to":"${ALICE}","data":1}`), // addressed to someone else
      encodeSignal(header, BOB, `{"type":"signal","to":"${BOB}","data":1,"from":"${BOB}"}`), // an extra field
      encodeSignal(header, BOB, 'not json'),
      `${header},"to":"${BOB}"}`, // no body
      `{"v":1,"t":"refused","to":"${ALICE}","peer":"${BOB}","code":"rate-limited"}`,
      `{"v":1,"t":"what","to":"${ALICE}"}`,
    ];
    for (const text of refusedSignals) assert.equal(parseSignalChannelMessage(text), null, text);
    for (const text of ['{"home":"u09tvw"}', '{"home":"u09tvw","watch":"u09tv"}', '[]', '']) assert.equal(parseEntry(text), null, text);
  });

  test('channels name their precision-5 cell; other names are not presence channels', () => {
    assert.equal(cellOfPresenceChannel(presenceChannel('u09tv')), 'u09tv');
    assert.equal(cellOfPresenceChannel('neartalk:presence:u09tvw'), null);
    assert.equal(cellOfPresenceChannel('neartalk:signals:relayRRRRRRR'), null);
    assert.deepEqual(watchedCellsOf(['u09tvw', 'u09tvx', 'u09ty']), ['u09tv', 'u09ty']);
  });

  test('log lines show where Redis is, never its credentials', () => {
    assert.equal(describeRedisUrl('redis://user:secret@redis.internal:6380/2'), 'redis://redis.internal:6380/2');
    assert.equal(describeRedisUrl('rediss://:secret@redis.internal'), 'rediss://redis.internal');
  });
});

describe('CellSubscriptions', () => {
  const present = (id: PeerId): PresenceEvent => ({ t: 'present', relay: RELAY, id, home: 'u09tvw', watch: [] });

  test('follows a cell while anyone watches it, counting watchers', () => {
    const cells = new CellSubscriptions();
    assert.deepEqual(cells.add(['u09tv', 'u09ty']), ['u09tv', 'u09ty']);
    assert.deepEqual(cells.add(['u09tv']), []);
    assert.deepEqual(cells.remove(['u09tv', 'u09ty']), ['u09ty']);
    assert.deepEqual(cells.followed(), ['u09tv']);
    assert.deepEqual(cells.remove(['u09tv']), ['u09tv']);
    assert.equal(cells.size, 0);
  });

  test('buffers events while a snapshot loads, hands them over in order, and ignores superseded loads', async () => {
    const cells = new CellSubscriptions();
    cells.add(['u09tv']);
    assert.equal(cells.whenLoaded(['u09tv']), null, 'nothing to wait for before a load');
    const first = cells.beginLoad('u09tv');
    const loaded = cells.whenLoaded(['u09tv', 'u09ty']);
    assert.notEqual(loaded, null);
    assert.equal(cells.buffer('u09tv', present(ALICE)), true);
    const second = cells.beginLoad('u09tv'); // a sync event restarts the load
    assert.equal(cells.buffer('u09tv', present(BOB)), true);
    assert.equal(cells.finishLoad('u09tv', first), 'stale');
    assert.deepEqual(cells.finishLoad('u09tv', second), [present(BOB)]);
    await loaded;
    assert.equal(cells.buffer('u09tv', present(ALICE)), false, 'synced: apply at once');
  });

  test('an overflowing buffer asks for a reload; losing Redis releases every waiter', async () => {
    const cells = new CellSubscriptions();
    cells.add(['u09tv']);
    const token = cells.beginLoad('u09tv');
    for (let index = 0; index <= MAX_BUFFERED_EVENTS; index += 1) cells.buffer('u09tv', present(ALICE));
    assert.equal(cells.finishLoad('u09tv', token), 'reload');
    cells.beginLoad('u09tv');
    const waiting = cells.whenLoaded(['u09tv']);
    cells.markAllUnsynced();
    await waiting;
    assert.equal(cells.whenLoaded(['u09tv']), null, 'unsynced while down: joins are answered at once');
    assert.deepEqual(cells.unsynced(), ['u09tv'], 'to be loaded again');
  });
});

describe('scale-out pieces of the relay', () => {
  test('the route cache forgets its oldest entry past capacity', () => {
    const routes = new RouteCache(1);
    routes.set(ALICE, RELAY);
    routes.set(BOB, RELAY);
    assert.equal(routes.get(ALICE), undefined);
    assert.equal(routes.get(BOB), RELAY);
  });

  test('the cell index counts members held by other relays apart', () => {
    const index = new CellIndex();
    index.join(ALICE, 'u09tvw', ['u09tv']);
    const change = index.join(BOB, 'u09tvx', ['u09tvx'], true);
    assert.deepEqual(change.notifyJoined, [ALICE]);
    assert.equal(index.memberCount, 2);
    assert.equal(index.remoteMemberCount, 1);
    assert.equal(index.isRemote(BOB), true);
    assert.equal(index.watches(BOB, 'u09tvx'), true);
    assert.equal(index.watches(BOB, 'u09tvw'), false);
    assert.deepEqual(index.leave(BOB), [ALICE]);
    assert.equal(index.remoteMemberCount, 0);
  });

  test('--redis-url and REDIS_URL take redis:// URLs; an empty REDIS_URL means none', () => {
    assert.equal(parseRelayConfig(['--redis-url', 'redis://127.0.0.1:6379'], {}).options.redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(parseRelayConfig([], { REDIS_URL: 'rediss://:pw@redis.example:6380/1' }).options.redisUrl, 'rediss://:pw@redis.example:6380/1');
    assert.equal(parseRelayConfig([], { REDIS_URL: '' }).options.redisUrl, null);
    assert.equal(parseRelayConfig(['--redis-presence-ttl-ms', '3000'], {}).options.redisPresenceTtlMs, 3000);
    assert.throws(() => parseRelayConfig(['--redis-url', 'http://x'], {}), ConfigError);
    assert.throws(() => parseRelayConfig(['--redis-presence-ttl-ms', '10'], {}), /from 300 to 600000/);
  });
});
