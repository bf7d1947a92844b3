/**
 * WebKit (WebKitGTK's MiniBrowser over WebDriver classic): the closest engine to Safari
 * here, built without WebRTC. Onboarding reaches the chat screen, the service worker
 * registers, and the person is told plainly that this browser cannot connect to people
 * nearby, with what to do: no uncaught error, no "Nobody in range", no relay contact.
 */

import { NO_PEERS_HEADING } from '../../../app/components/no-peers-text.ts';
import { NO_PEERS_TEXT } from '../../../app/components/status-text.ts';
import { expect, test } from '../../fixture/relay-fixture.ts';
import { WebKitSession } from '../../fixture/webkit-driver.ts';

test.describe.configure({ timeout: 90_000 });

/** Every element of the page, shadow roots included (WebDriver classic sees no shadow DOM by itself). */
const ALL_ELEMENTS = `
  const all = () => { const out = []; const walk = (root) => { for (const el of root.querySelectorAll('*')) { out.push(el); if (el.shadowRoot) walk(el.shadowRoot); } }; walk(document); return out; };
`;

/** Collects uncaught errors and rejections from now on. */
const WATCH_ERRORS = `
  window.__neartalkErrors = [];
  window.addEventListener('error', (event) => window.__neartalkErrors.push(String(event.message)));
  window.addEventListener('unhandledrejection', (event) => window.__neartalkErrors.push(String(event.reason)));
  return true;
`;

/** Replaces the Geolocation API with a fixed position (MiniBrowser has no location source here). */
const STUB_GEOLOCATION = `
  const position = { coords: { latitude: 48.8566, longitude: 2.3522, accuracy: 10 }, timestamp: Date.now() };
  const geolocation = {
    getCurrentPosition(success) { setTimeout(() => success(position), 0); },
    watchPosition(success) { setTimeout(() => success(position), 0); return 1; },
    clearWatch() {},
  };
  Object.defineProperty(navigator, 'geolocation', { value: geolocation, configurable: true });
  return true;
`;

const CLICK_BUTTON = `${ALL_ELEMENTS}
  const button = all().find((el) => el.localName === 'button' && el.textContent.trim() === arguments[0]);
  if (button === undefined) return false;
  button.click();
  return true;
`;

const FILL_FIELD = `${ALL_ELEMENTS}
  const label = all().find((el) => el.localName === 'label' && el.textContent.trim() === arguments[0]);
  const field = label === undefined ? null : label.getRootNode().getElementById(label.htmlFor);
  if (field === null) return false;
  field.value = arguments[1];
  field.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  return true;
`;

/** What the chat screen of a browser without WebRTC shows, as the test checks it. */
const NO_PEERS_SCREEN = `${ALL_ELEMENTS}
  const elements = all();
  const heading = elements.find((el) => el.localName === 'h2' && el.textContent.trim() === arguments[0]);
  const alert = elements.find((el) => el.getAttribute('role') === 'alert');
  const status = elements.find((el) => el.getAttribute('role') === 'status');
  return {
    heading: heading !== undefined,
    headingFocused: heading !== undefined && heading.getRootNode().activeElement === heading,
    alert: alert === undefined ? '' : alert.textContent.replace(/\\s+/g, ' ').trim(),
    status: status === undefined ? '' : status.textContent.trim(),
    nobodyInRange: elements.some((el) => /Nobody in range/.test(el.textContent)),
    messageBox: elements.some((el) => el.localName === 'textarea' || (el.localName === 'input' && el.getAttribute('aria-label') === 'Message')),
  };
`;

async function step(session: WebKitSession, script: string, args: readonly unknown[], what: string): Promise<void> {
  expect(await session.execute(script, args), what).toBe(true);
}

test('WebKit without WebRTC: onboarding reaches the chat screen, the service worker registers, and the person is told this browser cannot connect', async ({ relayServer }) => {
  const session = await WebKitSession.start();
  try {
    const startedAt = Date.now();
    await session.navigate(`${relayServer.baseUrl}/`);
    await step(session, WATCH_ERRORS, [], 'error watch installed');
    expect(await session.execute('return typeof RTCPeerConnection;'), 'this WebKitGTK has no WebRTC').toBe('undefined');

    await session.waitFor(`${ALL_ELEMENTS} return all().some((el) => el.localName === 'button' && el.textContent.trim() === 'Allow location');`, true, 'the intro');
    await step(session, STUB_GEOLOCATION, [], 'geolocation stubbed');
    await step(session, CLICK_BUTTON, ['Allow location'], 'Allow location clicked');
    await session.waitFor(`${ALL_ELEMENTS} return all().some((el) => el.localName === 'label' && el.textContent.trim() === 'Username');`, true, 'the username form');
    await step(session, FILL_FIELD, ['Username', 'Safari'], 'username filled');
    await step(session, CLICK_BUTTON, ['Join'], 'Join clicked');
    await session.waitFor(`${ALL_ELEMENTS} return all().some((el) => el.localName === 'nt-chat');`, true, 'the chat screen');
    await session.waitFor(`${ALL_ELEMENTS} return all().some((el) => el.localName === 'h2' && el.textContent.trim() === ${JSON.stringify(NO_PEERS_HEADING)});`, true, 'the no-WebRTC heading');
    const screen = await session.execute(NO_PEERS_SCREEN, [NO_PEERS_HEADING]);
    test.info().annotations.push({ type: 'WebKit onboarding to chat screen', description: `${Date.now() - startedAt} ms` });
    expect(screen).toEqual({
      heading: true,
      headingFocused: true,
      alert: expect.stringContaining('this browser does not offer it'),
      status: NO_PEERS_TEXT,
      nobodyInRange: false,
      messageBox: false,
    });

    const worker = await session.executeAsync(`
      const done = arguments[arguments.length - 1];
      navigator.serviceWorker.ready.then((registration) => done(registration.active === null ? 'none' : registration.active.state), (err) => done('error: ' + err));
    `);
    expect(worker, 'service worker').toBe('activated');
    expect(await session.execute('return window.__neartalkErrors;'), 'uncaught errors in WebKit').toEqual([]);
    // The relay never heard of this browser: neighbours would otherwise dial a peer that cannot answer.
    const metrics = await (await fetch(`${relayServer.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^neartalk_connections 0$/m);
  } finally {
    await session.close();
  }
});
