/**
 * Accessibility on every screen (axe: no serious or critical violation, light and dark),
 * and a keyboard-only run from the intro to a sent message and voice, with focus visible
 * at each step.
 */

import type { Page } from '@playwright/test';
import { expect, test } from '../fixture/relay-fixture.ts';
import { joinDemo, openDemo } from './demo-flow.ts';
import { expectNoSeriousAxeViolations, focusedElement } from './page-checks.ts';

const PHONE = { width: 360, height: 740 } as const;

/** Presses Tab until the focused element's label is `label`; fails after `limit` presses. */
async function tabTo(page: Page, label: string, limit = 12): Promise<void> {
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press('Tab');
    if ((await focusedElement(page))?.label === label) return;
  }
  throw new Error(`"${label}" not reached with ${limit} Tab presses; focus is on ${JSON.stringify(await focusedElement(page))}`);
}

/** The focused element is labelled `label` and shows a focus outline of at least 2 px. */
async function expectVisibleFocusOn(page: Page, label: string): Promise<void> {
  await expect.poll(async () => (await focusedElement(page))?.label).toBe(label);
  const focused = await focusedElement(page);
  expect(focused?.outlineStyle, `focus outline of ${label}`).not.toBe('none');
  expect(focused?.outlineWidthPx, `focus outline of ${label}`).toBeGreaterThanOrEqual(2);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`${colorScheme} colours`, () => {
    test.use({ colorScheme });

    test('onboarding screens: intro, username and its error', async ({ page }) => {
      await openDemo(page);
      await expectNoSeriousAxeViolations(page, 'intro');
      await page.getByRole('button', { name: 'Allow location' }).click();
      await page.getByRole('button', { name: 'Join' }).click();
      await expect(page.getByRole('alert')).toHaveText('A username needs at least 3 characters.');
      await expectNoSeriousAxeViolations(page, 'username with an error');
    });

    test('finding the position', async ({ page }) => {
      // The real session, with a device that never delivers a position: it stays on this screen.
      await page.addInitScript(() => {
        Object.defineProperty(navigator.geolocation, 'watchPosition', { value: () => 1 });
      });
      await page.goto('/');
      await page.getByRole('button', { name: 'Allow location' }).click();
      await expect(page.getByText('Finding your position…')).toBeVisible();
      await expectNoSeriousAxeViolations(page, 'finding the position');
      await expect(page.getByText('Finding your position…')).toBeVisible();
    });

    test('location problems: denied and unavailable', async ({ page }) => {
      for (const mode of ['denied', 'unavailable']) {
        await openDemo(page, { mode });
        await page.getByRole('button', { name: 'Allow location' }).click();
        await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
        await expectNoSeriousAxeViolations(page, `location ${mode}`);
      }
    });

    test('chat and voice on a wide screen, with old messages faded', async ({ page }) => {
      await joinDemo(page, { clock: 'running' });
      // The oldest message (6 minutes old at the start) into its last minute: at its faintest.
      await page.clock.fastForward(23 * 60_000);
      await expect(page.getByRole('list', { name: 'Messages' }).getByText('1 min left')).toBeVisible();
      await expectNoSeriousAxeViolations(page, 'chat');
      await page.getByRole('button', { name: 'Join voice' }).click();
      await expect(page.getByRole('slider', { name: 'Volume for Ana' })).toBeVisible();
      await page.locator('summary', { hasText: 'Change username' }).click();
      await page.getByText('Debug', { exact: true }).click();
      await expectNoSeriousAxeViolations(page, 'voice, username and debug open');
    });

    test('safety: the flag and block dialogs, hidden messages, blocked people; all by keyboard', async ({ page }) => {
      // Four axe runs.
      test.setTimeout(90_000);
      await joinDemo(page);
      const messages = page.getByRole('list', { name: 'Messages' });
      const anaMessage = messages.getByRole('listitem').filter({ hasText: 'Saturday market' });
      await anaMessage.getByRole('button', { name: 'Flag message' }).focus();
      await page.keyboard.press('Enter');
      const flagDialog = page.getByRole('dialog', { name: 'Flag message' });
      await expect(flagDialog.getByRole('radio', { name: 'Spam' })).toBeFocused();
      await expectNoSeriousAxeViolations(page, 'flag dialog');
      await page.keyboard.press('ArrowDown');
      await expect(flagDialog.getByRole('radio', { name: 'Harassment' })).toBeChecked();
      await tabTo(page, 'Send flag', 4);
      await page.keyboard.press('Enter');
      await expect(flagDialog).toHaveCount(0);
      await expect(anaMessage.getByText('flagged')).toBeVisible();

      await anaMessage.getByRole('button', { name: 'Hide message' }).click();
      await expect(page.getByRole('button', { name: 'Show hidden (1)' })).toBeVisible();
      await expectNoSeriousAxeViolations(page, 'a hidden message');
      await page.getByRole('button', { name: 'Show hidden (1)' }).click();
      await expect(anaMessage.getByText('hidden')).toBeVisible();

      await anaMessage.getByRole('button', { name: 'Block Ana' }).focus();
      await page.keyboard.press('Enter');
      const blockDialog = page.getByRole('dialog', { name: 'Block Ana?' });
      await expect(blockDialog).toBeVisible();
      await expectNoSeriousAxeViolations(page, 'block dialog');
      await page.keyboard.press('Escape');
      await expect(blockDialog).toHaveCount(0);
      await expect(anaMessage.getByRole('button', { name: 'Block Ana' })).toBeFocused();
      await page.keyboard.press('Enter');
      // Tab only once the dialog holds focus: pressed earlier, it moves focus on the page behind.
      await expect(blockDialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
      await tabTo(page, 'Block', 3);
      await page.keyboard.press('Enter');
      await expect(anaMessage).toHaveCount(0);
      const blocked = page.getByRole('list', { name: 'Blocked people' });
      await expect(blocked.getByRole('button', { name: 'Unblock Ana' })).toBeVisible();
      await expectNoSeriousAxeViolations(page, 'blocked people');
    });

    test('chat and people tabs on a phone', async ({ page }) => {
      await page.setViewportSize(PHONE);
      await joinDemo(page);
      await expectNoSeriousAxeViolations(page, 'phone chat tab');
      await page.getByRole('tab', { name: 'People & voice' }).click();
      await expectNoSeriousAxeViolations(page, 'phone people tab');
    });

    test('error states: microphone blocked, relay unreachable', async ({ page }) => {
      await joinDemo(page, { mode: 'mic-denied' });
      await page.getByRole('button', { name: 'Join voice' }).click();
      await expect(page.getByRole('alert')).toContainText('The microphone is blocked.');
      await expectNoSeriousAxeViolations(page, 'microphone blocked');
      await joinDemo(page, { mode: 'offline' });
      await expect(page.getByRole('status')).toHaveText('Relay unreachable — reconnecting · still connected to 2 peers');
      await expectNoSeriousAxeViolations(page, 'relay unreachable');
    });
  });
}

test('keyboard only: through onboarding, sending a message and joining voice, focus always visible', async ({ page }) => {
  await openDemo(page);
  await tabTo(page, 'Allow location');
  await expectVisibleFocusOn(page, 'Allow location');
  await page.keyboard.press('Enter');

  await expect(page.getByRole('textbox', { name: 'Username' })).toBeFocused();
  await page.keyboard.type('Zoë');
  await page.keyboard.press('Enter');

  const messageBox = page.getByRole('textbox', { name: 'Message' });
  await expect(messageBox).toBeFocused();
  await page.keyboard.type('Hello from the keyboard');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: 'Hello from the keyboard' })).toHaveCount(1);
  await expect(messageBox).toHaveValue('');

  await tabTo(page, 'Join voice');
  await expectVisibleFocusOn(page, 'Join voice');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Leave voice' })).toBeFocused();
  await tabTo(page, 'Mute');
  await expectVisibleFocusOn(page, 'Mute');
  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: 'Unmute' })).toBeVisible();
});

test('keyboard only on a phone: the tabs move with the arrow keys', async ({ page }) => {
  await page.setViewportSize(PHONE);
  await joinDemo(page);
  const chatTab = page.getByRole('tab', { name: 'Chat' });
  const peopleTab = page.getByRole('tab', { name: 'People & voice' });
  await expect(chatTab).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('button', { name: 'Join voice' })).toBeHidden();
  await chatTab.focus();
  await page.keyboard.press('ArrowRight');
  await expect(peopleTab).toBeFocused();
  await expect(peopleTab).toHaveAttribute('aria-selected', 'true');
  await expectVisibleFocusOn(page, 'People & voice');
  await tabTo(page, 'Join voice');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: 'Leave voice' })).toBeFocused();
  await peopleTab.focus();
  await page.keyboard.press('Home');
  await expect(chatTab).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
});
