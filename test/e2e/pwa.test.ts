/**
 * The installable, offline app: Chromium's own installability check, the shell opened
 * without any network or relay (through onboarding into the chat, so every lazily loaded
 * screen must come from the precache), the "reload to update" cycle between two builds,
 * and the status line while peers keep chatting without the relay.
 */

import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { createRelay } from '../../relay/create-relay.ts';
import { chromiumLaunchOptions } from '../fixture/chromium.ts';
import { expect, test } from '../fixture/mesh-fixture.ts';
import { APP_DIR } from '../fixture/relay-fixture.ts';
import { expectNoSeriousAxeViolations } from './page-checks.ts';

const LAT = 48.8566;
const LON = 2.3522;

/** Waits until the page is controlled by an activated service worker. */
async function waitForServiceWorker(page: Page): Promise<void> {
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state ?? 'none')).toBe('activated');
}

/**
 * A copy of the build as its next version would be: a marker in index.html, and the new
 * version in the worker (what a real rebuild changes). Returns the directory.
 */
async function nextBuild(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'neartalk-next-build-'));
  await cp(APP_DIR, directory, { recursive: true });
  const indexPath = join(directory, 'index.html');
  const index = await readFile(indexPath, 'utf8');
  await writeFile(indexPath, index.replace('<head>', '<head><meta name="neartalk-build" content="next" />'));
  const workerPath = join(directory, 'sw.js');
  const worker = await readFile(workerPath, 'utf8');
  const versioned = /(version:\s*["'`])([0-9a-f]{16})/;
  if (!versioned.test(worker)) throw new Error('sw.js has no version to bump');
  await writeFile(workerPath, worker.replace(versioned, '$1feedfacefeedface'));
  return directory;
}

test('Chromium finds the app installable: manifest, icons and service worker', async ({ relayServer }) => {
  // Chromium never offers to install from an incognito profile, which every
  // browser.newContext() is ("in-incognito"): this check needs a profile on disk.
  const profile = await mkdtemp(join(tmpdir(), 'neartalk-profile-'));
  const context = await chromium.launchPersistentContext(profile, { ...chromiumLaunchOptions(), headless: true, baseURL: relayServer.baseUrl });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto('/');
    await waitForServiceWorker(page);
    const cdp = await context.newCDPSession(page);
    const manifest = await cdp.send('Page.getAppManifest');
    expect(manifest.errors).toEqual([]);
    expect(manifest.url).toMatch(/\/manifest\.webmanifest$/);
    await expect
      .poll(async () => (await cdp.send('Page.getInstallabilityErrors')).installabilityErrors.map((error) => error.errorId))
      .toEqual([]);
    for (const icon of ['/icons/icon-192.png', '/icons/icon-512.png', '/icons/maskable-192.png', '/icons/maskable-512.png']) {
      const response = await page.request.get(icon);
      expect(response.headers()['content-type'], icon).toBe('image/png');
    }
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
});

test('opened without a network or relay, the shell says it is offline and still goes through to the chat', async ({ browser, relayServer }) => {
  const context = await browser.newContext({
    baseURL: relayServer.baseUrl,
    geolocation: { latitude: LAT, longitude: LON, accuracy: 10 },
    permissions: ['geolocation'],
  });
  try {
    const first = await context.newPage();
    await first.goto('/');
    await waitForServiceWorker(first);
    await first.close();

    await relayServer.relay.close();
    await context.setOffline(true);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto('/');
    await expect(page.getByRole('status')).toHaveText('Offline — no network');
    await expectNoSeriousAxeViolations(page, 'offline intro');
    await page.getByRole('button', { name: 'Allow location' }).click();
    await page.getByRole('textbox', { name: 'Username' }).fill('Zoë');
    await page.getByRole('button', { name: 'Join' }).click();
    await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
    await expect(page.getByRole('img', { name: /^Radar/ })).toBeVisible();

    await context.setOffline(false);
    await expect(page.getByRole('status')).toHaveText(/^(Connecting to relay…|Relay unreachable — reconnecting)$/);
    expect(pageErrors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('a new version waits for the person, and "Reload to update" brings it in', async ({ page, relayServer }) => {
  await page.goto('/');
  await waitForServiceWorker(page);
  const buildMarker = page.locator('meta[name="neartalk-build"]');
  const directory = await nextBuild();
  const { port } = relayServer.relay.address();
  await relayServer.relay.close();
  const next = createRelay({ port, host: '127.0.0.1', staticDir: directory });
  try {
    await next.ready;
    // The browser looks for a new worker on navigation; the page itself is still the old shell.
    await page.reload();
    const reload = page.getByRole('button', { name: 'Reload to update' });
    await expect(reload).toBeVisible();
    await expect(page.getByRole('region', { name: 'Update' })).toContainText('A new version of NearTalk is ready.');
    await expect(buildMarker).toHaveCount(0);
    await expectNoSeriousAxeViolations(page, 'update line');

    await reload.click();
    await expect(buildMarker).toHaveCount(1);
    await expect(page.getByRole('button', { name: 'Reload to update' })).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Allow location' })).toBeVisible();
  } finally {
    await next.close();
    await rm(directory, { recursive: true, force: true });
  }
});

test('without the relay the status says how many peers are still connected, and they keep chatting', async ({ spawnPeer, relayServer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON });
  const bob = await spawnPeer({ name: 'Bob', lat: LAT + 0.0027, lon: LON });
  await alice.expectNearby('Bob');
  await expect(alice.status).toHaveText('Connected to relay · 1 peer');
  await relayServer.relay.close();
  await expect(alice.status).toHaveText('Relay unreachable — reconnecting · still connected to 1 peer');
  await alice.say('Still here without the relay');
  await bob.expectMessage('Still here without the relay', { from: 'Alice' });
});
