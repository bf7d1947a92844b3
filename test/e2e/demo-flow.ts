/**
 * Walking the pretend session (`?demo`) to a screen, for the accessibility, layout and
 * screenshot tests. With `clock: 'paused'` the page clock stands still at a fixed date and
 * moves only when the flow says so, so times, "min left" labels and fading are the same
 * on every run (axe needs a running clock: it waits on its own timers); with `'running'`
 * it starts at that date and a test may jump it.
 */

import { expect, type Page } from '@playwright/test';

/** When the paused demo happens (UTC). */
export const DEMO_TIME_MS = Date.parse('2026-06-06T10:00:00Z');

export interface DemoOptions {
  /** `?demo=<mode>`; the normal flow when empty. */
  readonly mode?: string;
  /** The page clock: the browser's own when omitted. */
  readonly clock?: 'paused' | 'running';
}

/** Opens the demo at its first screen, with the relay status settled. */
export async function openDemo(page: Page, options: DemoOptions = {}): Promise<void> {
  if (options.clock !== undefined) await page.clock.install({ time: DEMO_TIME_MS });
  await page.goto(options.mode === undefined || options.mode === '' ? '/?demo' : `/?demo=${options.mode}`);
  if (options.clock === 'paused') await page.clock.pauseAt(DEMO_TIME_MS + 2_000);
  await expect(page.getByRole('status')).not.toHaveText('Connecting to relay…');
}

/** Lets the demo's next pretend answer come (it answers after 600 ms). */
export async function nextDemoStep(page: Page, options: DemoOptions): Promise<void> {
  if (options.clock === 'paused') await page.clock.runFor(1_000);
}

/** Opens the demo and goes through location and username into the chat. */
export async function joinDemo(page: Page, options: DemoOptions = {}): Promise<void> {
  await openDemo(page, options);
  await page.getByRole('button', { name: 'Allow location' }).click();
  await nextDemoStep(page, options);
  await page.getByRole('textbox', { name: 'Username' }).fill('Zoë');
  await page.getByRole('button', { name: 'Join' }).click();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Messages' }).getByRole('listitem')).not.toHaveCount(0);
}
