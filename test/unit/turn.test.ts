import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRelayFrame } from '../../app/core/parse-relay-frame.ts';
import type { PeerId } from '../../app/core/protocol.ts';
import { classifyIceCandidateError } from '../../app/core/turn-trouble.ts';
import { ConfigError, helpText, parseRelayConfig } from '../../relay/config.ts';
import { IceServerIssuer } from '../../relay/ice-server-issuer.ts';
import { silentLogger } from '../../relay/logger.ts';
import { resolveRelayOptions } from '../../relay/relay-options.ts';
import { turnIceServer, turnPassword, turnUsername } from '../../relay/turn-credentials.ts';

const ALICE = 'abcdefghijklmnopqrstuv' as PeerId;
const BOB = 'ABCDEFGHIJKLMNOPQRSTU_' as PeerId;
const TURN = { urls: ['turn:turn.example:3478', 'turn:turn.example:3478?transport=tcp'], secret: 'north-wind', ttlSeconds: 3600 };

describe('TURN REST credentials', () => {
  test('the password is base64 HMAC-SHA1 of the username under the secret (RFC 2202 and openssl vectors)', () => {
    // RFC 2202 test case 2: HMAC-SHA1("Jefe", "what do ya want for nothing?") = effcdf6a…c259a7c79.
    assert.equal(turnPassword('Jefe', 'what do ya want for nothing?'), Buffer.from('effcdf6ae5eb2fa2d27416d5f184df9c259a7c79', 'hex').toString('base64'));
    // `printf %s 1700003600:abcdefghijklmnopqrstuv | openssl dgst -sha1 -hmac north-wind -binary | base64`
    assert.equal(turnPassword('north-wind', `1700003600:${ALICE}`), '5z84s1lERDLP68kjMOXrfDvlS8w=');
  });

  test('the username is the expiry in unix seconds, a colon, and the peer id', () => {
    assert.equal(turnUsername(ALICE, 1_700_000_000_999, 3600), `1700003600:${ALICE}`);
  });

  test('a TURN entry carries every URL and credentials made for that peer', () => {
    assert.deepEqual(turnIceServer(TURN, ALICE, 1_700_000_000_000), {
      urls: TURN.urls,
      username: `1700003600:${ALICE}`,
      credential: '5z84s1lERDLP68kjMOXrfDvlS8w=',
    });
  });
});

describe('IceServerIssuer', () => {
  const FIXED = [{ urls: 'stun:stun.example:3478' }];

  test('without TURN every client gets the fixed list and nothing is ever renewed', () => {
    const issuer = new IceServerIssuer(FIXED, null, () => 0);
    assert.deepEqual(issuer.issue(ALICE), FIXED);
    assert.equal(issuer.sweepIntervalMs, null);
    assert.deepEqual(issuer.due(), []);
    assert.equal(issuer.scheduledCount, 0);
  });

  test('with TURN a client is due for fresh credentials once half their lifetime has passed, oldest first', () => {
    let nowMs = 0;
    let wallMs = 1_700_000_000_000;
    const issuer = new IceServerIssuer(FIXED, TURN, () => nowMs, () => wallMs);
    const first = issuer.issue(ALICE);
    assert.deepEqual(first[0], FIXED[0]);
    assert.equal(first[1]?.username, `1700003600:${ALICE}`);
    nowMs = 1_000;
    issuer.issue(BOB);
    nowMs = 1_800_000 - 1;
    assert.deepEqual(issuer.due(), []);
    nowMs = 1_800_000 + 1_000;
    assert.deepEqual(issuer.due(), [ALICE, BOB]);
    wallMs += 1_801_000;
    assert.equal(issuer.issue(ALICE)[1]?.username, `1700005401:${ALICE}`);
    assert.deepEqual(issuer.due(), [BOB], 'a renewed client waits for its next half-life');
    issuer.forget(BOB);
    assert.deepEqual(issuer.due(), []);
    assert.equal(issuer.scheduledCount, 1);
  });

  test('the sweep runs every tenth of the TTL, between half a second and a minute', () => {
    assert.equal(new IceServerIssuer([], { ...TURN, ttlSeconds: 3600 }, () => 0).sweepIntervalMs, 60_000);
    assert.equal(new IceServerIssuer([], { ...TURN, ttlSeconds: 60 }, () => 0).sweepIntervalMs, 6_000);
    assert.equal(new IceServerIssuer([], { ...TURN, ttlSeconds: 10 }, () => 0).sweepIntervalMs, 1_000);
  });
});

describe('the ice-servers frame', () => {
  test('parses a fresh list and refuses a malformed one', () => {
    const frame = { type: 'ice-servers', iceServers: [{ urls: ['turn:t.example:3478'], username: '1:x', credential: 'c' }] };
    assert.deepEqual(parseRelayFrame(JSON.stringify(frame)), frame);
    for (const bad of [
      '{"type":"ice-servers"}',
      '{"type":"ice-servers","iceServers":{}}',
      '{"type":"ice-servers","iceServers":[{"urls":"https://t.example"}]}',
      JSON.stringify({ type: 'ice-servers', iceServers: Array(17).fill({ urls: 'stun:s.example' }) }),
    ]) {
      assert.equal(parseRelayFrame(bad), null, bad);
    }
  });
});

describe('what an ICE candidate error says about TURN', () => {
  test('401 and other refusals from a TURN URL are "refused"; 701 is "unreachable"; anything else is not TURN trouble', () => {
    assert.equal(classifyIceCandidateError('turn:127.0.0.1:3478?transport=udp', 401), 'refused');
    assert.equal(classifyIceCandidateError('turns:turn.example:5349', 441), 'refused');
    assert.equal(classifyIceCandidateError('turn:turn.example:3478', 701), 'unreachable');
    assert.equal(classifyIceCandidateError('stun:stun.example:3478', 701), null);
    assert.equal(classifyIceCandidateError('turn:turn.example:3478', 500), null);
  });
});

describe('TURN and app configuration', () => {
  test('reads --turn-url, --turn-secret and --turn-ttl (or their variables) into one TURN setting', () => {
    const config = parseRelayConfig(['--turn-url', 'turn:turn.example:3478, turn:turn.example:3478?transport=tcp', '--turn-ttl', '600'], {
      TURN_SECRET: 'north-wind',
    });
    assert.deepEqual(config.options.turn, {
      urls: ['turn:turn.example:3478', 'turn:turn.example:3478?transport=tcp'],
      secret: 'north-wind',
      ttlSeconds: 600,
    });
    assert.equal(parseRelayConfig([], { TURN_URL: 'turns:turn.example:5349', TURN_SECRET: 's' }).options.turn?.ttlSeconds, 3600);
    assert.equal(parseRelayConfig([], {}).options.turn, undefined);
  });

  test('refuses incomplete or wrong TURN settings, naming the flags', () => {
    const refusals: ReadonlyArray<readonly [readonly string[], Record<string, string>, RegExp]> = [
      [['--turn-url', 'turn:t.example'], {}, /--turn-url \(TURN_URL\) needs --turn-secret/],
      [['--turn-secret', 's'], {}, /--turn-secret \(TURN_SECRET\) needs --turn-url/],
      [['--turn-ttl', '600'], {}, /--turn-ttl \(TURN_TTL\) applies only with/],
      [['--turn-url', 'stun:s.example', '--turn-secret', 's'], {}, /"stun:s.example" is not a TURN URL.*--ice-servers/],
      [['--turn-url', 'turn:t.example', '--turn-secret', ''], {}, /--turn-secret must not be empty/],
      [['--turn-url', 'turn:t.example', '--turn-secret', 's', '--turn-ttl', '5'], {}, /--turn-ttl must be a whole number from 10 to 604800/],
    ];
    for (const [argv, env, message] of refusals) assert.throws(() => parseRelayConfig(argv, env), { name: 'ConfigError', message }, argv.join(' '));
  });

  test('--no-app turns the app off and contradicts --static-dir', () => {
    assert.equal(parseRelayConfig(['--no-app'], {}).isAppDisabled, true);
    assert.equal(parseRelayConfig([], { NO_APP: 'true' }).isAppDisabled, true);
    assert.equal(parseRelayConfig([], {}).isAppDisabled, false);
    assert.equal('noApp' in parseRelayConfig(['--no-app'], {}).options, false, 'not a relay option');
    assert.throws(() => parseRelayConfig(['--no-app', '--static-dir', 'dist/app'], {}), ConfigError);
  });

  test('--help lists the new flags with their variables', () => {
    for (const text of ['--turn-url', 'TURN_SECRET', '--turn-ttl', '--no-app', 'NO_APP']) assert.ok(helpText().includes(text), text);
  });

  test('createRelay checks TURN options and the total number of ICE servers', () => {
    assert.throws(() => resolveRelayOptions({ turn: { ...TURN, urls: [] } }, silentLogger), /options\.turn\.urls/);
    assert.throws(() => resolveRelayOptions({ turn: { ...TURN, secret: '' } }, silentLogger), /options\.turn\.secret/);
    assert.throws(() => resolveRelayOptions({ turn: { ...TURN, ttlSeconds: 1.5 } }, silentLogger), /options\.turn\.ttlSeconds/);
    const sixteen = Array.from({ length: 16 }, () => ({ urls: 'stun:s.example' }));
    assert.doesNotThrow(() => resolveRelayOptions({ iceServers: sixteen }, silentLogger));
    assert.throws(() => resolveRelayOptions({ iceServers: sixteen, turn: TURN }, silentLogger), /at most 16 ICE servers/);
  });
});
