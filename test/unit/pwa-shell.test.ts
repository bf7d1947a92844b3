import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cacheKeyFor, isPrecached, SHELL_PAGE, shellCacheName, staleCaches } from '../../app/pwa/shell-routes.ts';

const ORIGIN = 'https://neartalk.example';
const PRECACHED = new Set(['/index.html', '/assets/index-abc.js', '/icons/icon-192.png', '/manifest.webmanifest']);

function key(url: string, mode = 'no-cors', method = 'GET'): string | null {
  return cacheKeyFor({ url, mode, method }, ORIGIN, PRECACHED);
}

describe('service worker routes', () => {
  test('answer every navigation to the app, whatever its query, with the cached shell', () => {
    assert.equal(key(`${ORIGIN}/`, 'navigate'), SHELL_PAGE);
    assert.equal(key(`${ORIGIN}/?demo=offline`, 'navigate'), SHELL_PAGE);
    assert.equal(key(`${ORIGIN}/index.html`, 'navigate'), SHELL_PAGE);
  });

  test('leave the relay\'s own pages and sockets to the network', () => {
    assert.equal(key(`${ORIGIN}/health`, 'navigate'), null);
    assert.equal(key(`${ORIGIN}/metrics`, 'navigate'), null);
    assert.equal(key(`${ORIGIN}/metrics`), null);
    assert.equal(key(`${ORIGIN}/ws`), null);
  });

  test('answer precached files from the cache, and nothing else', () => {
    assert.equal(key(`${ORIGIN}/assets/index-abc.js`, 'cors'), '/assets/index-abc.js');
    assert.equal(key(`${ORIGIN}/icons/icon-192.png`), '/icons/icon-192.png');
    assert.equal(key(`${ORIGIN}/assets/index-old.js`, 'cors'), null);
    assert.equal(key('https://elsewhere.example/assets/index-abc.js', 'cors'), null);
    assert.equal(key(`${ORIGIN}/assets/index-abc.js`, 'cors', 'POST'), null);
  });

  test('delete only this app\'s older shells on activation', () => {
    const names = [shellCacheName('old1'), shellCacheName('new'), 'someone-else', shellCacheName('old2')];
    assert.deepEqual(staleCaches(names, 'new'), [shellCacheName('old1'), shellCacheName('old2')]);
  });

  test('precache every built file but the worker itself and source maps', () => {
    assert.equal(isPrecached('/index.html', '/sw.js'), true);
    assert.equal(isPrecached('/assets/nt-chat-abc.js', '/sw.js'), true);
    assert.equal(isPrecached('/sw.js', '/sw.js'), false);
    assert.equal(isPrecached('/assets/index-abc.js.map', '/sw.js'), false);
  });
});
