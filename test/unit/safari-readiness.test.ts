/**
 * What Safari needs that no engine here can show (WebKitGTK has no WebRTC and no "Add to
 * Home Screen"): checked on the sources and the page itself. See app/README.md, "Engines".
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INDEX = readFileSync(join(ROOT, 'app/index.html'), 'utf8');

function appSources(directory = join(ROOT, 'app')): Array<{ path: string; text: string }> {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return appSources(path);
    return entry.name.endsWith('.ts') ? [{ path, text: readFileSync(path, 'utf8') }] : [];
  });
}

test('the page carries what Safari reads for "Add to Home Screen"', () => {
  assert.match(INDEX, /<link rel="apple-touch-icon" href="\/icons\/apple-touch-icon\.png" \/>/);
  assert.match(INDEX, /<meta name="apple-mobile-web-app-capable" content="yes" \/>/);
  assert.match(INDEX, /<meta name="apple-mobile-web-app-title" content="NearTalk" \/>/);
  assert.match(INDEX, /<meta name="apple-mobile-web-app-status-bar-style" content="[a-z-]+" \/>/);
  // 180 × 180 PNG: the size iOS asks for.
  const icon = readFileSync(join(ROOT, 'public/icons/apple-touch-icon.png'));
  assert.equal(icon.readUInt32BE(16), 180);
  assert.equal(icon.readUInt32BE(20), 180);
});

test('nothing waits for beforeinstallprompt, which Safari and Firefox never fire', () => {
  for (const { path, text } of appSources()) assert.doesNotMatch(text, /beforeinstallprompt/, path);
});

test('location is asked for in one place, reached only from the "Allow location" action', () => {
  const askers = appSources().filter(({ text }) => /navigator\.geolocation\.(watchPosition|getCurrentPosition)/.test(text));
  assert.deepEqual(askers.map(({ path }) => path.slice(ROOT.length)), ['app/session/geo-tracker.ts']);
  const starters = appSources().filter(({ text }) => /\.geo\.start\(\)|\.requestLocation\(\)/.test(text));
  assert.deepEqual(starters.map(({ path }) => path.slice(ROOT.length)).sort(), ['app/controllers/session-controller.ts', 'app/session/neartalk-session.ts']);
});
