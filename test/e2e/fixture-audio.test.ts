/**
 * The mesh fixture's audio half, proven without the app's voice: plain pages on the
 * relay's origin get the same fake microphone and audio probe `spawnPeer` installs, and
 * a raw RTCPeerConnection between two of them carries each page's tone to the other.
 */

import type { BrowserContext, Page } from '@playwright/test';
import {
  addAudioProbe,
  audioProbeErrors,
  expectNotToHear,
  expectToHear,
  heardTracks,
  receivedAudioLevel,
  SILENCE_RMS,
} from '../fixture/audio-probe.ts';
import { addFakeMicrophone, loseMicrophone, microphoneState, type FakeMicrophoneSettings } from '../fixture/fake-microphone.ts';
import { expect, test as relayTest } from '../fixture/relay-fixture.ts';

/** What a test page keeps of its connection; set by `negotiate`. */
interface TestCall {
  readonly pc: RTCPeerConnection;
  readonly track: MediaStreamTrack;
  readonly events: string[];
}

declare global {
  interface Window {
    __fixtureAudioCall?: TestCall;
  }
}

interface AudioFixtures {
  /** A page in a context of its own, with the fixture's fake microphone and audio probe. */
  openTonePage: (settings: FakeMicrophoneSettings) => Promise<Page>;
}

const test = relayTest.extend<AudioFixtures>({
  openTonePage: async ({ browser, relayServer }, use) => {
    const contexts: BrowserContext[] = [];
    const errors: string[] = [];
    await use(async (settings) => {
      const context = await browser.newContext({ permissions: ['microphone'] });
      contexts.push(context);
      await addFakeMicrophone(context, settings);
      await addAudioProbe(context);
      // An empty page on the relay's loopback origin: a secure context, without the app.
      await context.route(`${relayServer.baseUrl}/fixture-audio`, (route) =>
        route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>fixture audio</title>' }),
      );
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${relayServer.baseUrl}/fixture-audio`);
      return page;
    });
    await Promise.all(contexts.map((context) => context.close()));
    expect(errors, 'uncaught errors in the pages').toEqual([]);
  },
});

/**
 * Creates the page's connection with its microphone track (asked for with the app's
 * constraints) and returns its complete description: the offer, or the answer to `offerSdp`.
 */
async function negotiate(page: Page, offerSdp: string | null): Promise<string> {
  return page.evaluate(async (remoteSdp) => {
    const pc = new RTCPeerConnection({ iceServers: [] });
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
    const [track] = stream.getAudioTracks();
    if (track === undefined) throw new Error('getUserMedia gave no audio track');
    const events: string[] = [];
    track.addEventListener('ended', () => events.push('ended'));
    window.__fixtureAudioCall = { pc, track, events };
    pc.addTrack(track, stream);
    if (remoteSdp !== null) await pc.setRemoteDescription({ type: 'offer', sdp: remoteSdp });
    await pc.setLocalDescription();
    // Without trickle ICE: wait for every candidate to be in the description.
    if (pc.iceGatheringState !== 'complete') {
      await new Promise<void>((resolve) => {
        pc.addEventListener('icegatheringstatechange', () => {
          if (pc.iceGatheringState === 'complete') resolve();
        });
      });
    }
    return pc.localDescription?.sdp ?? '';
  }, offerSdp);
}

/** Connects `offerer` and `answerer`, each sending its microphone to the other. */
async function connect(offerer: Page, answerer: Page): Promise<void> {
  const answer = await negotiate(answerer, await negotiate(offerer, null));
  await offerer.evaluate((sdp) => window.__fixtureAudioCall?.pc.setRemoteDescription({ type: 'answer', sdp }), answer);
}

test('each page hears the other page tone and not its own', async ({ openTonePage }) => {
  const a = await openTonePage({ toneHz: 440, permission: 'granted' });
  const b = await openTonePage({ toneHz: 660, permission: 'granted' });
  await connect(a, b);

  await expectToHear(a, 660, { label: 'A' });
  await expectToHear(b, 440, { label: 'B' });
  await expectNotToHear(a, 440, { label: 'A' });
  await expectNotToHear(b, 660, { label: 'B' });
  expect(await heardTracks(a)).toHaveLength(1);
  expect(await audioProbeErrors(a)).toEqual([]);
  expect(await microphoneState(a)).toEqual({ live: 1, requests: 1, lastAudioConstraints: '{"echoCancellation":true,"noiseSuppression":true,"autoGainControl":true}' });
});

test('a disabled sender track reaches the listener as silence', async ({ openTonePage }) => {
  const a = await openTonePage({ toneHz: 440, permission: 'granted' });
  const b = await openTonePage({ toneHz: 660, permission: 'granted' });
  await connect(a, b);
  await expectToHear(a, 660, { label: 'A' });
  expect(await receivedAudioLevel(a)).toBeGreaterThan(0.05);

  await b.evaluate(() => {
    if (window.__fixtureAudioCall !== undefined) window.__fixtureAudioCall.track.enabled = false;
  });
  await expect.poll(() => receivedAudioLevel(a), { message: 'A hears silence from B' }).toBeLessThan(SILENCE_RMS);
  await expectNotToHear(a, 660, { label: 'A' });
  expect(await heardTracks(a), 'the track stays, silent').toEqual([expect.objectContaining({ hz: null })]);
  await expectToHear(b, 440, { label: 'B' });
});

test('a lost microphone ends the fake track, fires ended, and its listener hears silence', async ({ openTonePage }) => {
  const a = await openTonePage({ toneHz: 440, permission: 'granted' });
  const b = await openTonePage({ toneHz: 660, permission: 'granted' });
  await connect(a, b);
  await expectToHear(b, 440, { label: 'B' });

  expect(await loseMicrophone(a)).toBe(1);
  expect(await microphoneState(a)).toEqual({ live: 0, requests: 1, lastAudioConstraints: '{"echoCancellation":true,"noiseSuppression":true,"autoGainControl":true}' });
  expect(await a.evaluate(() => [window.__fixtureAudioCall?.track.readyState, ...(window.__fixtureAudioCall?.events ?? [])])).toEqual([
    'ended',
    'ended',
  ]);
  await expect.poll(() => receivedAudioLevel(b), { message: 'B hears silence from A' }).toBeLessThan(SILENCE_RMS);
  await expectToHear(a, 660, { label: 'A' });
});

test('every request gets a new track, and stopping one is counted', async ({ openTonePage }) => {
  const a = await openTonePage({ toneHz: 440, permission: 'granted' });
  const ids = await a.evaluate(async () => {
    const first = (await navigator.mediaDevices.getUserMedia({ audio: true })).getAudioTracks();
    const second = (await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false } })).getAudioTracks();
    first[0]?.stop();
    return [...first, ...second].map((track) => `${track.readyState} ${track.id === first[0]?.id ? 'first' : 'second'}`);
  });
  expect(ids).toEqual(['ended first', 'live second']);
  expect(await microphoneState(a)).toEqual({ live: 1, requests: 2, lastAudioConstraints: '{"echoCancellation":false}' });
});

test('a denied microphone rejects with NotAllowedError', async ({ openTonePage }) => {
  const page = await openTonePage({ toneHz: 440, permission: 'denied' });
  const failure = await page.evaluate(() =>
    navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true } }).then(
      () => 'granted',
      (err: unknown) => (err instanceof DOMException ? err.name : String(err)),
    ),
  );
  expect(failure).toBe('NotAllowedError');
  expect(await microphoneState(page)).toEqual({ live: 0, requests: 1, lastAudioConstraints: '{"echoCancellation":true}' });
});
