import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appAssetKey, embeddedAppSource, parseManifest, readEmbeddedManifest } from '../../relay/embedded-app.ts';
import { loadStaticTable, type StaticSource } from '../../relay/static-files.ts';

describe('static sources', () => {
  test('any source fills the table: paths as given, content types from the extension, hashed assets immutable', async () => {
    const source: StaticSource = {
      description: 'two files in memory',
      readFiles: async () => [
        { urlPath: '/index.html', body: Buffer.from('<!doctype html>') },
        { urlPath: '/assets/index-abc123.js', body: Buffer.from('export {}') },
      ],
    };
    const table = await loadStaticTable(source);
    assert.deepEqual([...table.keys()], ['/index.html', '/assets/index-abc123.js']);
    assert.equal(table.get('/index.html')?.contentType, 'text/html; charset=utf-8');
    assert.equal(table.get('/index.html')?.isImmutable, false);
    assert.equal(table.get('/assets/index-abc123.js')?.contentType, 'text/javascript; charset=utf-8');
    assert.equal(table.get('/assets/index-abc123.js')?.isImmutable, true);
  });

  test('a source that cannot be read stops the load', async () => {
    const broken: StaticSource = { description: 'broken', readFiles: async () => Promise.reject(new Error('gone')) };
    await assert.rejects(loadStaticTable(broken), /gone/);
  });
});

describe('the binary manifest', () => {
  test('reads the version and the app file list the build writes', () => {
    assert.deepEqual(parseManifest('{"version":"0.1.0","appFiles":["/index.html","/assets/a.js"]}'), {
      version: '0.1.0',
      appFiles: ['/index.html', '/assets/a.js'],
    });
    assert.equal(appAssetKey('/assets/a.js'), 'neartalk/app/assets/a.js');
  });

  test('refuses anything else', () => {
    for (const text of ['', '[]', '{"version":"","appFiles":[]}', '{"version":"1","appFiles":["index.html"]}', '{"version":"1","appFiles":[1]}', '{"version":1,"appFiles":[]}']) {
      assert.equal(parseManifest(text), null, text);
    }
  });

  test('outside the binary there is no manifest, and a manifest without files gives no app', () => {
    assert.equal(readEmbeddedManifest(), null);
    assert.equal(embeddedAppSource({ version: '0.1.0', appFiles: [] }), null);
  });
});
