/**
 * Peers for the browser bench: one context each in a shared browser, with a position,
 * location and microphone permission, the bench probe, and the test fixture's `MeshPeer`
 * for onboarding. Unlike the end-to-end fixture, no fake clock: the bench measures real time.
 */

import type { Browser, BrowserContext, Page } from '@playwright/test';
import { MeshPeer } from '../../fixture/mesh-peer.ts';
import { installBenchProbe, MILESTONE_ELEMENTS } from './bench-probe.ts';

/** Paris, as in the end-to-end tests. */
export const LAT_A = 48.8566;
/** 300 m north of A (0.0027° of latitude). */
export const LAT_B = 48.8593;
export const LON = 2.3522;

export interface BenchContextOptions {
  readonly baseUrl: string;
  readonly lat: number;
  readonly lon: number;
}

/** A fresh context at (lat, lon) with the bench probe installed; no page yet. */
export async function newBenchContext(browser: Browser, options: BenchContextOptions): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: options.baseUrl,
    geolocation: { latitude: options.lat, longitude: options.lon, accuracy: 10 },
    // Without microphone permission Chromium gathers no ICE candidates in a private network namespace.
    permissions: ['geolocation', 'microphone'],
  });
  await context.addInitScript(installBenchProbe, MILESTONE_ELEMENTS);
  return context;
}

/** Opens the app in `context` and goes through onboarding as `name` (MeshPeer.open). */
export async function openBenchPeer(context: BrowserContext, name: string, lat: number, lon: number): Promise<MeshPeer> {
  return MeshPeer.open(context, 'chromium', { name, lat, lon }, 'bench');
}

/** Sends `text` through the composer, without waiting for anything. */
export async function typeAndSend(peer: MeshPeer, text: string): Promise<void> {
  await peer.messageBox.fill(text);
  await peer.page.getByRole('button', { name: 'Send', exact: true }).click();
}

/** The session's drop counters, as the Debug panel shows them (reason → count). */
export async function dropCounters(page: Page): Promise<Record<string, number>> {
  const terms = await page.locator('nt-debug dt').allTextContents();
  const values = await page.locator('nt-debug dd').allTextContents();
  const counters: Record<string, number> = {};
  terms.forEach((term, index) => {
    const match = /^Dropped: (.+)$/.exec(term.trim());
    if (match?.[1] !== undefined) counters[match[1]] = Number(values[index] ?? Number.NaN);
  });
  return counters;
}

/** Closes contexts, reporting (not throwing) a failure to close, so every one is tried. */
export async function closeAll(contexts: readonly BrowserContext[]): Promise<void> {
  const results = await Promise.allSettled(contexts.map((context) => context.close()));
  for (const result of results) {
    if (result.status === 'rejected') process.stderr.write(`bench: a context did not close: ${String(result.reason)}\n`);
  }
}
