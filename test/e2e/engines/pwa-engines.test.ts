/**
 * The PWA beyond Chromium: in Firefox the service worker installs and the app opens and
 * goes through to the chat without a network, with no serious accessibility violation;
 * and a browser without WebRTC (Chromium with RTCPeerConnection deleted, the fast twin of
 * the WebKit test) is told plainly that it cannot connect, never contacts the relay, and
 * leaves its neighbours undisturbed.
 */

import type { Page } from '@playwright/test';
import { NO_PEERS_HEADING } from '../../../app/components/no-peers-text.ts';
import { NO_PEERS_TEXT } from '../../../app/components/status-text.ts';
import { isRelayDownReport } from '../../fixture/mesh-peer.ts';
import { expectNoSeriousAxeViolations } from '../page-checks.ts';
import { CROSS_ENGINE_TIMEOUT_MS, expect, LAT, LON, metresNorth, test } from './engine-fixture.ts';

test.describe.configure({ timeout: CROSS_ENGINE_TIMEOUT_MS });

async function waitForServiceWorker(page: Page): Promise<void> {
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller?.state ?? 'none')).toBe('activated');
}

/** Uncaught errors and console errors, except each engine's own report of a relay that is down. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => {
    if (!isRelayDownReport(error.message)) errors.push(error.message);
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && !isRelayDownReport(message.text())) errors.push(`console.error: ${message.text()}`);
  });
  return errors;
}

test('Firefox: the service worker installs, and without a network the app still goes through to the chat', async ({ engineBrowsers, relayServer }) => {
  const browser = await engineBrowsers.get('firefox');
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
    const errors = collectErrors(page);
    await page.goto('/');
    await expect(page.getByRole('status')).toHaveText('Offline — no network');
    await expectNoSeriousAxeViolations(page, 'Firefox offline intro');
    await page.getByRole('button', { name: 'Allow location' }).click();
    await page.getByRole('textbox', { name: 'Username' }).fill('Renard');
    await page.getByRole('button', { name: 'Join' }).click();
    await expect(page.getByRole('textbox', { name: 'Message', exact: true })).toBeVisible();
    await expect(page.getByRole('img', { name: /^Radar/ })).toBeVisible();
    await expectNoSeriousAxeViolations(page, 'Firefox offline chat');
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('without WebRTC (Chromium, RTCPeerConnection removed) the chat screen says this browser cannot connect, and nothing reaches the relay', async ({ spawnPeer, browser, relayServer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: LAT, lon: LON });
  const context = await browser.newContext({
    baseURL: relayServer.baseUrl,
    geolocation: { latitude: metresNorth(100), longitude: LON, accuracy: 10 },
    permissions: ['geolocation'],
  });
  try {
    // What a policy, an extension or an old browser leaves: no WebRTC constructors at all.
    await context.addInitScript(() => {
      Reflect.deleteProperty(window, 'RTCPeerConnection');
      Reflect.deleteProperty(window, 'webkitRTCPeerConnection');
    });
    const page = await context.newPage();
    const errors = collectErrors(page);
    let relayConnections = 0;
    page.on('websocket', () => (relayConnections += 1));
    await page.goto('/');
    expect(await page.evaluate(() => typeof Reflect.get(window, 'RTCPeerConnection'))).toBe('undefined');
    await page.getByRole('button', { name: 'Allow location' }).click();
    await page.getByRole('textbox', { name: 'Username' }).fill('Nowebrtc');
    await page.getByRole('button', { name: 'Join' }).click();

    const heading = page.getByRole('heading', { name: NO_PEERS_HEADING });
    await expect(heading).toBeVisible();
    await expect(heading).toBeFocused();
    await expect(page.getByRole('alert')).toContainText('this browser does not offer it');
    await expect(page.getByRole('listitem').filter({ hasText: 'Open NearTalk in a current Safari, Chrome, Edge or Firefox.' })).toBeVisible();
    await expect(page.getByRole('status')).toHaveText(NO_PEERS_TEXT);
    await expect(page.getByText(/Nobody in range/)).toHaveCount(0);
    await expect(page.getByRole('textbox', { name: 'Message', exact: true })).toHaveCount(0);
    await expectNoSeriousAxeViolations(page, 'no-WebRTC chat screen');

    // Alice, a normal peer 100 m away, meets nobody: the relay never heard of the other browser.
    await alice.say('Anyone there?');
    await expect(alice.nearby).toHaveCount(0);
    await expect(alice.page.getByText(/Could not connect directly/)).toHaveCount(0);
    expect(relayConnections).toBe(0);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});
