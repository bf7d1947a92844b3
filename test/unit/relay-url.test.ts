import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseRelayUrl, MAX_RELAY_URL_LENGTH, parseRelayUrl, sameOriginRelayUrl } from '../../app/core/relay-url.ts';

describe('parseRelayUrl', () => {
  it('accepts absolute ws: and wss: URLs and normalises them', () => {
    assert.equal(parseRelayUrl('ws://127.0.0.1:8080/ws'), 'ws://127.0.0.1:8080/ws');
    assert.equal(parseRelayUrl('wss://Relay.Example/ws'), 'wss://relay.example/ws');
    assert.equal(parseRelayUrl('wss://relay.example'), 'wss://relay.example/');
  });

  it('refuses other schemes, relative URLs and garbage', () => {
    for (const text of ['http://relay.example/ws', 'https://relay.example/ws', 'javascript:alert(1)', '/ws', 'relay.example', '', 'ws://', 'not a url']) {
      assert.equal(parseRelayUrl(text), null, text);
    }
  });

  it('refuses credentials and fragments, which WebSocket would refuse or leak', () => {
    assert.equal(parseRelayUrl('wss://user:secret@relay.example/ws'), null);
    assert.equal(parseRelayUrl('wss://relay.example/ws#x'), null);
    assert.equal(parseRelayUrl('wss://relay.example/ws#'), null);
  });

  it('refuses URLs longer than the limit', () => {
    const base = 'wss://relay.example/';
    assert.notEqual(parseRelayUrl(base + 'a'.repeat(MAX_RELAY_URL_LENGTH - base.length)), null);
    assert.equal(parseRelayUrl(base + 'a'.repeat(MAX_RELAY_URL_LENGTH - base.length + 1)), null);
  });
});

describe('sameOriginRelayUrl', () => {
  it('follows the page protocol and keeps host and port', () => {
    assert.equal(sameOriginRelayUrl('http://127.0.0.1:8090/'), 'ws://127.0.0.1:8090/ws');
    assert.equal(sameOriginRelayUrl('https://neartalk.example/some/page?x=1#top'), 'wss://neartalk.example/ws');
  });
});

describe('chooseRelayUrl', () => {
  it('uses the page origin when nothing overrides it', () => {
    assert.deepEqual(chooseRelayUrl('https://neartalk.example/'), { url: 'wss://neartalk.example/ws', source: 'same-origin', ignored: [] });
    assert.deepEqual(chooseRelayUrl('https://neartalk.example/', ''), { url: 'wss://neartalk.example/ws', source: 'same-origin', ignored: [] });
  });

  it('prefers the build-time URL to the page origin', () => {
    assert.deepEqual(chooseRelayUrl('https://neartalk.example/', 'wss://relay.example/ws'), {
      url: 'wss://relay.example/ws',
      source: 'build',
      ignored: [],
    });
  });

  it('prefers ?relay= to the build-time URL', () => {
    const page = `https://neartalk.example/?relay=${encodeURIComponent('ws://127.0.0.1:9000/ws')}`;
    assert.deepEqual(chooseRelayUrl(page, 'wss://relay.example/ws'), { url: 'ws://127.0.0.1:9000/ws', source: 'query', ignored: [] });
  });

  it('ignores invalid overrides, says so, and falls back', () => {
    const choice = chooseRelayUrl('http://localhost:8090/?relay=https://evil.example/', 'ftp://relay.example/');
    assert.equal(choice.url, 'ws://localhost:8090/ws');
    assert.equal(choice.source, 'same-origin');
    assert.equal(choice.ignored.length, 2);
  });

  it('falls back from an invalid ?relay= to a valid build-time URL', () => {
    const choice = chooseRelayUrl('http://localhost:8090/?relay=', 'wss://relay.example/ws');
    assert.equal(choice.url, 'wss://relay.example/ws');
    assert.equal(choice.source, 'build');
    assert.equal(choice.ignored.length, 1);
  });
});
