import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PRESENCE_FANOUT, PRESENCE_FULL_VIEW, PRESENCE_SAMPLE_SIZE, type PeerId } from '../../app/core/protocol.ts';
import { CellIndex } from '../../relay/cell-index.ts';
import { ConfigError, parseRelayConfig } from '../../relay/config.ts';
import { maskIp } from '../../relay/logger.ts';
import { RelayMetrics } from '../../relay/metrics.ts';
import { resolveRelayOptions } from '../../relay/relay-options.ts';
import { TokenBucket } from '../../relay/token-bucket.ts';
import { silentLogger } from '../../relay/logger.ts';

const peer = (index: number): PeerId => `peer${String(index).padStart(18, '0')}` as PeerId;

describe('TokenBucket', () => {
  test('allows a burst, then refills at the configured rate', () => {
    let nowMs = 0;
    const bucket = new TokenBucket(3, 2, () => nowMs);
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false]);
    nowMs += 499;
    assert.equal(bucket.take(), false);
    nowMs += 1;
    assert.equal(bucket.take(), true, 'one token after 0.5 s at 2 per second');
    nowMs += 60_000;
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false], 'never above capacity');
  });

  test('refuses unbounded or nonsensical configuration at construction', () => {
    assert.throws(() => new TokenBucket(0, 1, () => 0), TypeError);
    assert.throws(() => new TokenBucket(Number.POSITIVE_INFINITY, 1, () => 0), TypeError);
    assert.throws(() => new TokenBucket(1, 0, () => 0), TypeError);
  });
});

describe('CellIndex', () => {
  test('reports who must hear joins, moves and leaves', () => {
    const cells = new CellIndex();
    assert.deepEqual(cells.join(peer(1), 'u09tvw', ['u09tvw']), { notifyJoined: [], notifyLeft: [] });
    assert.deepEqual(cells.join(peer(2), 'u09tvx', ['u09tv']), { notifyJoined: [], notifyLeft: [] });
    assert.deepEqual(cells.join(peer(3), 'u09tvw', ['u09tv']), { notifyJoined: [peer(1), peer(2)], notifyLeft: [] });
    assert.deepEqual(cells.join(peer(3), 'u09tvx', ['u09tv']), { notifyJoined: [peer(2)], notifyLeft: [peer(1)] });
    assert.deepEqual(cells.join(peer(3), 'u09tvx', ['u09tvx']), { notifyJoined: [], notifyLeft: [] });
    assert.deepEqual(new Set(cells.leave(peer(3))), new Set([peer(2)]));
    assert.deepEqual(cells.leave(peer(3)), [], 'leaving twice tells nobody');
  });

  test('nearby means one watches the other’s home cell', () => {
    const cells = new CellIndex();
    cells.join(peer(1), 'u09tvw', ['u09tvw']);
    cells.join(peer(2), 'u09tvx', ['u09tv']);
    cells.join(peer(3), 'gcpvj0', ['gcpvj']);
    assert.equal(cells.areNearby(peer(1), peer(2)), true);
    assert.equal(cells.areNearby(peer(2), peer(1)), true);
    assert.equal(cells.areNearby(peer(1), peer(3)), false);
    assert.equal(cells.areNearby(peer(1), peer(9)), false);
  });

  test('lists everyone in a small view; in a crowd a sample of 64, those in the same home cell first', () => {
    const small = new CellIndex();
    for (let index = 0; index < 40; index += 1) small.join(peer(index), 'u09tvx', []);
    small.join(peer(999), 'u09tvw', ['u09tv']);
    assert.deepEqual(small.answerFor(peer(999)), { peers: Array.from({ length: 40 }, (_, index) => ({ id: peer(index), home: 'u09tvx' })), isSampled: false });
    const cells = new CellIndex();
    for (let index = 0; index < 300; index += 1) cells.join(peer(index), 'u09tvx', []);
    for (let index = 300; index < 310; index += 1) cells.join(peer(index), 'u09tvw', []);
    cells.join(peer(999), 'u09tvw', ['u09tv']);
    const answer = cells.answerFor(peer(999));
    assert.equal(answer.isSampled, true);
    assert.equal(answer.peers.length, PRESENCE_SAMPLE_SIZE);
    assert.equal(new Set(answer.peers.map((presence) => presence.id)).size, PRESENCE_SAMPLE_SIZE, 'no one listed twice');
    assert.deepEqual(answer.peers.slice(0, 10).map((presence) => presence.home), Array(10).fill('u09tvw'));
    assert.equal(answer.peers.some((presence) => presence.id === peer(999)), false, 'not oneself');
  });

  test('in a crowd one arrival, move or departure is told to at most 64 watchers, and only those told hear it leave', () => {
    const cells = new CellIndex(() => 0);
    for (let index = 0; index < 2_000; index += 1) {
      cells.join(peer(index), 'u09tvw', ['u09tv']);
      cells.answerFor(peer(index));
    }
    const arrival = cells.join(peer(5_000), 'u09tvw', ['u09tv']);
    assert.ok(arrival.notifyJoined.length <= PRESENCE_FANOUT && arrival.notifyJoined.length > 0, `told ${arrival.notifyJoined.length}`);
    const move = cells.join(peer(5_000), 'u09tvx', ['u09tv']);
    assert.deepEqual(new Set(move.notifyJoined.slice(0, arrival.notifyJoined.length)), new Set(arrival.notifyJoined), 'those told hear the move');
    assert.ok(move.notifyJoined.length <= PRESENCE_FANOUT);
    assert.deepEqual(new Set(cells.leave(peer(5_000))), new Set(move.notifyJoined), 'exactly those told hear it leave');
    // A peer listed in many answers still has an audience of at most 64.
    for (let index = 0; index < 2_000; index += 1) assert.ok(cells.leave(peer(index)).length <= PRESENCE_FANOUT);
  });

  test('a client is told of at most a burst of arrivals, then about one a second', () => {
    let nowMs = 0;
    const cells = new CellIndex(() => nowMs);
    cells.join(peer(0), 'u09tvw', ['u09tvw']);
    cells.answerFor(peer(0));
    let told = 0;
    // Each comes and goes again, so it is not what peer 0 may know at once that runs out.
    const arrive = (index: number): void => {
      if (cells.join(peer(index), 'u09tvw', []).notifyJoined.includes(peer(0))) told += 1;
      cells.leave(peer(index));
    };
    for (let index = 1; index <= 100; index += 1) arrive(index);
    assert.equal(told, PRESENCE_FULL_VIEW);
    nowMs += 10_000;
    for (let index = 101; index <= 120; index += 1) arrive(index);
    assert.equal(told, PRESENCE_FULL_VIEW + 10);
  });

  test('holds nothing once everybody left', () => {
    const cells = new CellIndex();
    for (let round = 0; round < 1_000; round += 1) {
      const id = peer(round % 37);
      cells.join(id, round % 2 === 0 ? 'u09tvw' : 'u09ty0', ['u09tv', 'u09ty', `u09tv${'bcdef'.charAt(round % 5)}`]);
      if (round % 3 === 0) cells.answerFor(id);
      if (round % 7 === 0) cells.leave(id);
    }
    for (let index = 0; index < 37; index += 1) cells.leave(peer(index));
    assert.deepEqual([cells.memberCount, cells.homeCellCount, cells.watchedPrefixCount], [0, 0, 0]);
    assert.deepEqual(cells.sizes(), { audiences: 0, known: 0, budgets: 0 });
  });
});

describe('relay configuration', () => {
  test('reads flags, falls back to the environment, and lets flags win', () => {
    const config = parseRelayConfig(['--port', '9000', '--trust-proxy', '--allowed-origins', 'https://a.example, https://b.example'], {
      PORT: '7000',
      MAX_CONNECTIONS: '500',
      LOG_LEVEL: 'warn',
      ICE_SERVERS: '[{"urls":"stun:stun.example.org"}]',
    });
    assert.deepEqual(config.options, {
      port: 9000,
      maxConnections: 500,
      allowedOrigins: ['https://a.example', 'https://b.example'],
      iceServers: [{ urls: 'stun:stun.example.org' }],
      trustProxy: true,
    });
    assert.equal(config.logLevel, 'warn');
    assert.equal(parseRelayConfig(['--allowed-origins', '*'], {}).options.allowedOrigins, '*');
  });

  test('names the flag or variable in every refusal', () => {
    assert.throws(() => parseRelayConfig(['--heartbeat-ms', '5'], {}), { name: 'ConfigError', message: /--heartbeat-ms must be/ });
    assert.throws(() => parseRelayConfig([], { MAX_PAYLOAD_BYTES: '1e4' }), { message: /MAX_PAYLOAD_BYTES must be a whole number/ });
    assert.throws(() => parseRelayConfig([], { TRUST_PROXY: 'maybe' }), { message: /TRUST_PROXY must be true or false/ });
    assert.throws(() => parseRelayConfig(['--static-dir', ' '], {}), { message: /--static-dir must not be empty/ });
    assert.throws(() => parseRelayConfig(['stray'], {}), ConfigError);
  });

  test('createRelay options are checked with TypeErrors naming the option', () => {
    assert.throws(() => resolveRelayOptions({ port: -1 }, silentLogger), { name: 'TypeError', message: /options\.port/ });
    assert.throws(() => resolveRelayOptions({ allowedOrigins: ['https://a.example/path'] }, silentLogger), /allowedOrigins/);
    assert.throws(() => resolveRelayOptions({ rateLimitBurst: 1.5 }, silentLogger), /rateLimitBurst/);
  });
});

describe('relay logging and metrics', () => {
  test('masks client addresses to their network', () => {
    assert.equal(maskIp('203.0.113.77'), '203.0.113.0/24');
    assert.equal(maskIp('::ffff:198.51.100.9'), '198.51.100.0/24');
    assert.equal(maskIp('2001:db8:85a3:8d3:1319:8a2e:370:7348'), '2001:db8:85a3::/48');
    assert.equal(maskIp('::1'), '0:0:0::/48');
    assert.equal(maskIp('fe80::1'), 'fe80:0:0::/48');
    assert.equal(maskIp('2001:db8::7'), '2001:db8:0::/48');
    assert.equal(maskIp('garbage'), 'unknown');
  });

  test('renders counters with labels and gauges in Prometheus text', () => {
    const metrics = new RelayMetrics(() => ({ neartalk_connections: { help: 'Open connections.', value: 3 } }));
    metrics.framesIn.inc('join');
    metrics.framesIn.inc('join');
    metrics.errors.inc('bad"json');
    const text = metrics.render();
    assert.match(text, /# TYPE neartalk_connections gauge\nneartalk_connections 3\n/);
    assert.match(text, /neartalk_frames_in_total\{type="join"\} 2\n/);
    assert.match(text, /neartalk_errors_total\{code="bad_json"\} 1\n/);
    assert.match(text, /neartalk_signals_forwarded_total 0\n/);
  });
});
