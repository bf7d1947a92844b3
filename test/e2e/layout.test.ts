/**
 * Phone to desktop: no sideways scrolling, 44 px touch targets, tabs on a phone and chat
 * beside voice on a desktop; and screenshots of both against reviewed baselines (the demo
 * at a fixed time with a paused clock, UTC, animations off).
 */

import type { Page } from '@playwright/test';
import { expect, test } from '../fixture/relay-fixture.ts';
import { joinDemo, nextDemoStep, openDemo, type DemoOptions } from './demo-flow.ts';
import { expectNoHorizontalScroll, smallTouchTargets } from './page-checks.ts';

const PHONE = { width: 360, height: 740 } as const;
const DESKTOP = { width: 1280, height: 800 } as const;
const PAUSED: DemoOptions = { clock: 'paused' };
/**
 * A new Chromium from the distribution may anti-alias a few glyph edges differently; a
 * moved or resized panel changes far more than 1 % of the pixels.
 */
const SHOT = { maxDiffPixelRatio: 0.01 } as const;

/** No sideways scrolling and no control under 44 × 44 px on the screen as it is now. */
async function expectFitsAndTouchable(page: Page, screen: string): Promise<void> {
  await expectNoHorizontalScroll(page, screen);
  expect(await smallTouchTargets(page), `touch targets on ${screen}`).toEqual([]);
}

test.describe('on a phone', () => {
  test.use({ viewport: PHONE });

  test('every screen fits the width and every control is at least 44 px', async ({ page }) => {
    await openDemo(page);
    await expectFitsAndTouchable(page, 'intro');
    await page.getByRole('button', { name: 'Allow location' }).click();
    await expect(page.getByRole('textbox', { name: 'Username' })).toBeVisible();
    await expectFitsAndTouchable(page, 'username');
    await page.getByRole('textbox', { name: 'Username' }).fill('A very long username');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.getByRole('textbox', { name: 'Message' }).fill('x'.repeat(120));
    await page.getByRole('button', { name: 'Send' }).click();
    await expectFitsAndTouchable(page, 'chat tab');

    await page.getByRole('tab', { name: 'People & voice' }).click();
    await page.getByRole('button', { name: 'Join voice' }).click();
    await expect(page.getByRole('slider', { name: 'Volume for Ana' })).toBeVisible();
    await page.locator('summary', { hasText: 'Change username' }).click();
    await page.getByText('Debug', { exact: true }).click();
    await expectFitsAndTouchable(page, 'people tab in voice');
  });

  test('chat and voice are tabs; a message from others while away shows on the Chat tab', async ({ page }) => {
    await joinDemo(page);
    const chatTab = page.getByRole('tab', { name: 'Chat' });
    const peopleTab = page.getByRole('tab', { name: 'People & voice' });
    await expect(chatTab).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Join voice' })).toBeHidden();

    await page.getByRole('textbox', { name: 'Message' }).fill('Anyone around?');
    await page.getByRole('button', { name: 'Send' }).click();
    await peopleTab.click();
    await expect(page.getByRole('textbox', { name: 'Message' })).toBeHidden();
    await expect(page.getByRole('button', { name: 'Join voice' })).toBeVisible();
    await expect(page.getByRole('img', { name: /^Radar/ })).toBeVisible();
    // The pretend neighbour answers while the chat is hidden: counted, and still read out.
    await expect(page.getByRole('tab', { name: 'Chat 1 new' })).toBeVisible();
    await expect(page.locator('nt-chat [aria-live="polite"]')).toContainText('Ana');
    await chatTab.click();
    await expect(page.getByRole('tab', { name: 'Chat', exact: true })).toBeVisible();
  });
});

test.describe('on a desktop', () => {
  test.use({ viewport: DESKTOP });

  test('chat and voice sit side by side, without tabs', async ({ page }) => {
    await joinDemo(page);
    await expect(page.getByRole('tablist')).toHaveCount(0);
    const chat = await page.getByRole('region', { name: 'Conversation' }).boundingBox();
    const people = await page.getByRole('region', { name: 'People & voice' }).boundingBox();
    expect(chat).not.toBeNull();
    expect(people).not.toBeNull();
    if (chat === null || people === null) return;
    expect(people.x).toBeGreaterThanOrEqual(chat.x + chat.width);
    expect(Math.abs(people.y - chat.y)).toBeLessThan(2);
    await expect(page.getByRole('button', { name: 'Join voice' })).toBeInViewport();
    await expect(page.getByRole('textbox', { name: 'Message' })).toBeInViewport();
    await expectFitsAndTouchable(page, 'desktop chat');
  });
});

test.describe('screenshots', () => {
  test.use({ timezoneId: 'UTC', locale: 'en-GB', colorScheme: 'light' });

  test('phone: intro, chat and people in voice', async ({ page }) => {
    await page.setViewportSize(PHONE);
    await openDemo(page, PAUSED);
    await expect(page).toHaveScreenshot('phone-intro.png', SHOT);
    await page.getByRole('button', { name: 'Allow location' }).click();
    await nextDemoStep(page, PAUSED);
    await page.getByRole('textbox', { name: 'Username' }).fill('Zoë');
    await page.getByRole('button', { name: 'Join' }).click();
    await expect(page.getByRole('list', { name: 'Messages' }).getByRole('listitem')).toHaveCount(2);
    await expect(page).toHaveScreenshot('phone-chat.png', SHOT);
    await page.getByRole('tab', { name: 'People & voice' }).click();
    await page.getByRole('button', { name: 'Join voice' }).click();
    await nextDemoStep(page, PAUSED);
    await expect(page.getByRole('button', { name: 'Leave voice' })).toBeVisible();
    await expect(page).toHaveScreenshot('phone-people.png', { ...SHOT, fullPage: true });
  });

  test('desktop: chat beside voice, a few minutes on', async ({ page }) => {
    await page.setViewportSize(DESKTOP);
    await joinDemo(page, PAUSED);
    await page.getByRole('textbox', { name: 'Message' }).fill('Hello, square!');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.clock.runFor(3_000);
    await expect(page.getByRole('list', { name: 'Messages' }).getByRole('listitem')).toHaveCount(4);
    await page.getByRole('button', { name: 'Join voice' }).click();
    await nextDemoStep(page, PAUSED);
    await page.clock.runFor(10 * 60_000);
    await expect(page.getByRole('list', { name: 'Messages' }).getByText('14 min left')).toBeVisible();
    await expect(page).toHaveScreenshot('desktop-chat-voice.png', { ...SHOT, fullPage: true });
  });
});
