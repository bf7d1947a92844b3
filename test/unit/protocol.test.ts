import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exceedsJsonDepth, rawJsonMember } from '../../app/core/json.ts';
import { parseClientFrame } from '../../app/core/parse-client-frame.ts';
import { parseRelayFrame } from '../../app/core/parse-relay-frame.ts';
import { MAX_LISTED_PEERS } from '../../app/core/protocol.ts';

const ID = 'abcdefghijklmnopqrstuv';
const OTHER = 'ABCDEFGHIJKLMNOPQRSTU_';

describe('parseClientFrame', () => {
  test('accepts the three client frames and drops duplicate watch prefixes', () => {
    assert.deepEqual(parseClientFrame('{"type":"join","home":"u09tvw","watch":["u09tv","u09tv","u09tvw"]}'), {
      ok: true,
      frame: { type: 'join', home: 'u09tvw', watch: ['u09tv', 'u09tvw'] },
      hasOnlyKnownFields: true,
    });
    assert.deepEqual(parseClientFrame(`{"type":"signal","to":"${ID}","data":{"sdp":"v=0"}}`), {
      ok: true,
      frame: { type: 'signal', to: ID, data: { sdp: 'v=0' } },
      hasOnlyKnownFields: true,
    });
    assert.deepEqual(parseClientFrame('{"type":"leave"}'), { ok: true, frame: { type: 'leave' }, hasOnlyKnownFields: true });
  });

  test('ignores fields it does not know, including a client-written "from"', () => {
    const parsed = parseClientFrame(`{"type":"signal","to":"${ID}","from":"${OTHER}","data":1,"extra":true}`);
    assert.deepEqual(parsed, { ok: true, frame: { type: 'signal', to: ID, data: 1 }, hasOnlyKnownFields: false });
  });

  test('refuses garbage with a code and a sentence, never a throw', () => {
    const inputs = ['', '{', '[]', '"join"', 'null', '{"type":null}', '{"type":"join","home":"u09tvw"}', '\u0000'];
    for (const input of inputs) {
      const parsed = parseClientFrame(input);
      assert.equal(parsed.ok, false, input);
      if (!parsed.ok) assert.ok(parsed.message.endsWith('.'), input);
    }
    const longType = parseClientFrame(JSON.stringify({ type: 'x'.repeat(10_000) }));
    assert.ok(!longType.ok && longType.message.length < 120, 'client text quoted back is truncated');
  });
});

describe('parseRelayFrame', () => {
  test('accepts every relay frame', () => {
    const frames = [
      { type: 'welcome', id: ID, iceServers: [{ urls: ['stun:s.example:3478'] }, { urls: 'turn:t.example', username: 'u', credential: 'c' }], protocol: 1 },
      { type: 'peers', peers: [{ id: ID, home: 'u09tvw' }] },
      { type: 'peer-joined', id: ID, home: 'u09tvw' },
      { type: 'peer-left', id: ID },
      { type: 'signal', from: ID, data: { candidate: '' } },
      { type: 'error', code: 'not-nearby', message: 'That peer is not near you.' },
    ];
    for (const frame of frames) assert.deepEqual(parseRelayFrame(JSON.stringify(frame)), frame);
  });

  test('returns null for anything malformed', () => {
    const bad = [
      'nope',
      '{"type":"welcome","id":"short","iceServers":[],"protocol":1}',
      `{"type":"welcome","id":"${ID}","iceServers":[{"urls":"http://x"}],"protocol":1}`,
      `{"type":"welcome","id":"${ID}","iceServers":[{"urls":"stun:x","username":5}],"protocol":1}`,
      `{"type":"peers","peers":[{"id":"${ID}","home":"u09tv"}]}`,
      `{"type":"peers","peers":"all"}`,
      JSON.stringify({ type: 'peers', peers: Array(MAX_LISTED_PEERS + 1).fill({ id: ID, home: 'u09tvw' }) }),
      `{"type":"signal","from":"${ID}"}`,
      '{"type":"error","code":"made-up","message":"x"}',
      '{"type":"peer-left"}',
    ];
    for (const text of bad) assert.equal(parseRelayFrame(text), null, text.slice(0, 80));
  });
});

describe('JSON depth and raw members', () => {
  test('exceedsJsonDepth counts objects and arrays, not brackets inside strings', () => {
    assert.equal(exceedsJsonDepth('{"a":[[1]]}', 3), false);
    assert.equal(exceedsJsonDepth('{"a":[[[1]]]}', 3), true);
    assert.equal(exceedsJsonDepth('{"a":"[[[[[[\\"[[["}', 1), false);
    assert.equal(exceedsJsonDepth('['.repeat(100_000), 32), true);
  });

  test('rawJsonMember returns the sender\'s text of a top-level member, decoded keys and last duplicate', () => {
    assert.equal(rawJsonMember('{"type":"signal","data": 1e400 ,"x":1}', 'data'), '1e400');
    assert.equal(rawJsonMember('{"d\\u0061ta":{"a":[1,{"data":2}]}}', 'data'), '{"a":[1,{"data":2}]}');
    assert.equal(rawJsonMember('{"data":1,"data":"a,}b"}', 'data'), '"a,}b"');
    assert.equal(rawJsonMember('{"x":{"data":1}}', 'data'), undefined);
  });
});
