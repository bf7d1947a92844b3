/**
 * Peers for the voice bench: the browser bench's contexts (position, location and
 * microphone permission, its probe) plus the voice probe, opened with the test fixture's
 * `MeshPeer` so each gets a fake microphone playing its own tone and the fixture's audio
 * probe. Real time: no fake clock.
 */

import { expect, type Browser, type BrowserContext } from '@playwright/test';
import { MeshPeer } from '../../fixture/mesh-peer.ts';
import { newBenchContext } from '../browser/bench-peers.ts';
import { installVoiceProbe } from './voice-probe.ts';

/** Paris, as in the end-to-end tests. */
export const LAT = 48.8566;
export const LON = 2.3522;
const METRES_PER_DEGREE = 111_320;

/** The position `northM` metres north and `eastM` metres east of (LAT, LON). */
export function offsetPosition(northM: number, eastM: number): { lat: number; lon: number } {
  return {
    lat: LAT + northM / METRES_PER_DEGREE,
    lon: LON + eastM / (METRES_PER_DEGREE * Math.cos((LAT * Math.PI) / 180)),
  };
}

export interface VoicePeerOptions {
  readonly baseUrl: string;
  readonly name: string;
  readonly northM: number;
  readonly eastM: number;
  /** The fake microphone's tone, Hz. */
  readonly toneHz: number;
  /** Extra query parameters (e.g. `voice-cap`). */
  readonly query?: Readonly<Record<string, string>>;
}

/** Opens a fresh context and goes through onboarding; the context is pushed to `contexts` first, for closing. */
export async function openVoicePeer(browser: Browser, options: VoicePeerOptions, contexts: BrowserContext[]): Promise<MeshPeer> {
  const { lat, lon } = offsetPosition(options.northM, options.eastM);
  const context = await newBenchContext(browser, { baseUrl: options.baseUrl, lat, lon });
  contexts.push(context);
  // Before MeshPeer.open's scripts, so the fixture's RTCPeerConnection patches land on the real prototype.
  await context.addInitScript(installVoiceProbe);
  return MeshPeer.open(context, 'chromium', { name: options.name, lat, lon, tone: options.toneHz, ...(options.query === undefined ? {} : { query: options.query }) }, 'voice bench');
}

/** Clicks "Join voice" and waits until the bar offers "Leave voice" (the microphone is on). */
export async function joinVoice(peer: MeshPeer): Promise<void> {
  await peer.page.getByRole('button', { name: 'Join voice' }).click();
  await expect(peer.page.getByRole('button', { name: 'Leave voice' })).toBeVisible();
}

/** Waits until `listener` lists `name` as in voice. */
export async function expectInVoice(listener: MeshPeer, name: string): Promise<void> {
  await expect(listener.nearby.filter({ hasText: name })).toContainText(/in voice/i);
}

/** Uncaught errors and console errors of `peers`, each prefixed with its name. */
export function pageErrorsOf(peers: readonly MeshPeer[]): string[] {
  return peers.flatMap((peer) => peer.pageErrors.map((error) => `${peer.name}: ${error}`));
}
