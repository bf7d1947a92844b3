/**
 * The UI through its accessible names, driven by the pretend session (`?demo`): every
 * screen, the chat controls, text rendered as text, the username change limit, and voice.
 */

import type { Page } from '@playwright/test';
import { expect, test } from '../fixture/relay-fixture.ts';

/** Opens the demo and goes through location and username to the chat. */
async function joinDemo(page: Page, username = 'Zoë', demo = ''): Promise<void> {
  await page.goto(demo === '' ? '/?demo' : `/?demo=${demo}`);
  await page.getByRole('button', { name: 'Allow location' }).click();
  await page.getByRole('textbox', { name: 'Username' }).fill(username);
  await page.getByRole('button', { name: 'Join' }).click();
  await expect(page.getByRole('textbox', { name: 'Message' })).toBeVisible();
}

test('walks from the intro through location and username to the chat', async ({ page }) => {
  await page.goto('/?demo');
  const status = page.getByRole('status');
  await expect(status).toHaveText('Connected to relay');
  await expect(page.getByText('the relay that introduces you to them sees only a ~1 km area')).toBeVisible();
  await expect(page.getByText('Messages vanish after 30 minutes')).toBeVisible();

  await page.getByRole('button', { name: 'Allow location' }).click();
  await expect(page.getByText('Finding your position…')).toBeVisible();
  await expect(status).toBeVisible();

  const username = page.getByRole('textbox', { name: 'Username' });
  await expect(username).toBeFocused();
  await page.getByRole('button', { name: 'Join' }).click();
  await expect(page.getByRole('alert')).toHaveText('A username needs at least 3 characters.');

  await username.fill('Zoë');
  await username.press('Enter');
  const messageBox = page.getByRole('textbox', { name: 'Message' });
  await expect(messageBox).toBeFocused();
  await expect(messageBox).toHaveAttribute('maxlength', '500');
  await expect(status).toHaveText('Connected to relay · 2 peers');

  const nearby = page.getByRole('list', { name: 'Nearby' }).getByRole('listitem');
  await expect(nearby).toHaveCount(2);
  await expect(nearby.first()).toContainText('Ana');
  await expect(nearby.first()).toContainText('~200 m');
  await expect(page.getByText('Could not connect directly to 1 nearby person')).toBeVisible();

  const messages = page.getByRole('list', { name: 'Messages' }).getByRole('listitem');
  await expect(messages).toHaveCount(2);
  await expect(messages.last()).toContainText('Bilal');
  await expect(messages.last()).toContainText('~400 m');
});

test('sends with Enter, clears the box, skips blank messages, and shows the newest last', async ({ page }) => {
  await joinDemo(page);
  const messageBox = page.getByRole('textbox', { name: 'Message' });
  const messages = page.getByRole('list', { name: 'Messages' }).getByRole('listitem');
  await expect(messages).toHaveCount(2);

  await messageBox.fill('   ');
  await messageBox.press('Enter');
  await expect(messages).toHaveCount(2);

  await messageBox.fill('Hello, square!');
  await messageBox.press('Enter');
  await expect(messages).toHaveCount(3);
  await expect(messages.last()).toContainText('Zoë');
  await expect(messages.last()).toContainText('Hello, square!');
  await expect(messages.last()).toContainText('you');
  await expect(messageBox).toHaveValue('');

  await messageBox.fill('With the button');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(messages.nth(3)).toContainText('With the button');
  // The pretend neighbours answer, and a screen reader hears it.
  await expect(messages.last()).toContainText('Ana');
  await expect(page.locator('nt-chat [aria-live="polite"]')).toContainText('Ana');
});

test('renders message text as text, never as markup', async ({ page }) => {
  page.on('dialog', (dialog) => {
    throw new Error(`unexpected dialog: ${dialog.message()}`);
  });
  await joinDemo(page, 'Mallory');
  const markup = '<img src=x onerror=alert(1)>';
  await page.getByRole('textbox', { name: 'Message' }).fill(markup);
  await page.getByRole('button', { name: 'Send' }).click();

  const list = page.getByRole('list', { name: 'Messages' });
  await expect(list.getByText(markup, { exact: true })).toBeVisible();
  await expect(list.locator('img')).toHaveCount(0);
});

test('the radius slider shows its value and changes who is nearby', async ({ page }) => {
  await joinDemo(page);
  const slider = page.getByRole('slider', { name: 'Radius' });
  await expect(slider).toHaveValue('500');
  await expect(slider).toHaveAttribute('aria-valuetext', '500 m');
  await expect(slider).toHaveAttribute('min', '100');
  await expect(slider).toHaveAttribute('max', '2000');
  await expect(slider).toHaveAttribute('step', '50');
  const nearby = page.getByRole('list', { name: 'Nearby' }).getByRole('listitem');
  const hint = page.getByText('Nobody in range yet — widen your radius to reach more people.');

  await slider.focus();
  await slider.press('ArrowRight');
  await expect(slider).toHaveAttribute('aria-valuetext', '550 m');
  await expect(page.locator('nt-radius').getByText('550 m', { exact: true })).toBeVisible();

  await slider.fill('100');
  await expect(nearby).toHaveCount(0);
  await expect(hint).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('Connected to relay');

  await slider.fill('1500');
  await expect(slider).toHaveAttribute('aria-valuetext', '1.5 km');
  await expect(page.locator('nt-radius').getByText('1.5 km', { exact: true })).toBeVisible();
  await expect(nearby).toHaveCount(4);
  await expect(hint).toBeHidden();
});

test('allows three username changes and refuses the fourth', async ({ page }) => {
  await joinDemo(page, 'Zoë');
  await page.locator('summary', { hasText: 'Change username' }).click();
  const newName = page.getByRole('textbox', { name: 'New username' });
  const change = page.getByRole('button', { name: 'Change username' });
  await expect(page.getByText('3 changes left')).toBeVisible();

  for (const [name, left] of [
    ['Zoë two', '2 changes left'],
    ['Zoë three', '1 change left'],
    ['Zoë four', 'No changes left'],
  ] as const) {
    await newName.fill(name);
    await change.click();
    await expect(page.getByText(left)).toBeVisible();
    await expect(newName).toHaveValue('');
    await expect(page.getByText(`You are ${name}`)).toBeVisible();
  }

  await newName.fill('Zoë five');
  await change.click();
  await expect(page.getByRole('alert')).toHaveText('You have used all 3 username changes for this session.');
  await expect(newName).toHaveValue('Zoë five');
  await expect(page.getByText('You are Zoë four')).toBeVisible();
});

test('the debug panel lists the dropped counters', async ({ page }) => {
  await joinDemo(page);
  await expect(page.getByText('Dropped: bad-signature')).toBeHidden();
  await page.getByText('Debug', { exact: true }).click();
  await expect(page.getByText('Dropped: bad-signature')).toBeVisible();
  await expect(page.getByText('Dropped: expired')).toBeVisible();
});

test('explains a refused location and offers to try again', async ({ page }) => {
  await page.goto('/?demo=denied');
  await page.getByRole('button', { name: 'Allow location' }).click();
  await expect(page.getByRole('heading', { name: 'Location is blocked' })).toBeVisible();
  await expect(page.getByText('Set Location to Allow')).toBeVisible();
  const retry = page.getByRole('button', { name: 'Try again' });
  await expect(retry).toBeFocused();
  await expect(page.getByRole('status')).toBeVisible();

  await retry.click();
  await expect(page.getByText('Finding your position…')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
});

test('explains a missing position and offers to try again', async ({ page }) => {
  await page.goto('/?demo=unavailable');
  await page.getByRole('button', { name: 'Allow location' }).click();
  await expect(page.getByRole('heading', { name: 'Your position could not be found' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
});

test('the status says when the relay is unreachable', async ({ page }) => {
  await page.goto('/?demo=offline');
  await expect(page.getByRole('status')).toHaveText('Relay unreachable — reconnecting');
});

test('says when the TURN server is why someone cannot be reached, and only then', async ({ page }) => {
  await joinDemo(page, 'Zoë', 'turn-refused');
  await expect(page.getByText('Could not connect directly to 1 nearby person: Farid.')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveText(
    'Could not reach 1 nearby person through the TURN server: it refused our credentials (wrong or expired); whoever runs this NearTalk should check its TURN settings.',
  );
  // Farid is 310 m away: at 100 m nobody is unreachable, and the alert goes with him.
  await page.getByRole('slider', { name: 'Radius' }).fill('100');
  await expect(page.getByText(/through the TURN server/)).toHaveCount(0);

  await joinDemo(page, 'Zoë');
  await expect(page.getByText('Could not connect directly to 1 nearby person: Farid.')).toBeVisible();
  await expect(page.getByText(/through the TURN server/)).toHaveCount(0);
});

test('a long conversation renders its newest 200 messages and shows earlier ones on request', async ({ page }) => {
  await joinDemo(page);
  const messages = Array.from({ length: 450 }, (_, index) => ({
    id: `m${index}`,
    username: 'Zoë',
    text: `Message number ${index}`,
    distanceLabel: '~100 m',
    isOwn: false,
    sentAtMs: Date.now() - (450 - index) * 1000,
  }));
  await page.locator('nt-messages').evaluate((element, list) => Reflect.set(element, 'messages', list), messages);
  const items = page.getByRole('list', { name: 'Messages' }).getByRole('listitem');
  await expect(items).toHaveCount(200);
  await expect(items.last()).toContainText('Message number 449');
  await page.getByRole('button', { name: 'Show 200 earlier messages' }).click();
  await expect(items).toHaveCount(400);
  await page.getByRole('button', { name: 'Show 50 earlier messages' }).click();
  await expect(items).toHaveCount(450);
  await expect(items.first()).toContainText('Message number 0');
  await expect(page.getByRole('button', { name: /earlier messages/ })).toHaveCount(0);
});

test('joins voice, mutes, and sets how loud each heard person plays', async ({ page }) => {
  await joinDemo(page);
  const nearby = page.getByRole('list', { name: 'Nearby' }).getByRole('listitem');
  const ana = nearby.filter({ hasText: 'Ana' });
  await expect(ana).toContainText('in voice');
  await expect(page.getByRole('button', { name: 'Mute' })).toHaveCount(0);
  await expect(page.getByText('1 person nearby is in voice.')).toBeVisible();

  await page.getByRole('button', { name: 'Join voice' }).click();
  await expect(page.getByRole('button', { name: 'Joining voice…' })).toHaveAttribute('aria-disabled', 'true');
  const leave = page.getByRole('button', { name: 'Leave voice', exact: true });
  await expect(leave).toBeFocused();
  await expect(page.getByText('You hear 1 person nearby.')).toBeVisible();

  const mute = page.getByRole('button', { name: 'Mute', exact: true });
  await mute.click();
  const unmute = page.getByRole('button', { name: 'Unmute', exact: true });
  await expect(unmute).toBeVisible();
  await expect(mute).toHaveCount(0);
  await expect(page.getByText('Your microphone is muted.')).toBeVisible();
  await unmute.click();
  await expect(mute).toBeVisible();

  await expect(ana).toHaveAttribute('data-speaking', 'true');
  await expect(ana.getByText('speaking')).toBeAttached();
  await expect(ana.locator('.dot')).toBeVisible();
  await expect(nearby.filter({ hasText: 'Bilal' })).not.toHaveAttribute('data-speaking', 'true');
  await expect(nearby.filter({ hasText: 'Bilal' })).not.toContainText('in voice');

  const volume = page.getByRole('slider', { name: 'Volume for Ana', exact: true });
  await expect(volume).toHaveValue('100');
  await expect(page.getByRole('slider', { name: 'Volume for Bilal' })).toHaveCount(0);
  await volume.fill('40');
  await expect(volume).toHaveAttribute('aria-valuetext', '40%');
  await expect(ana).toContainText('40%');
  await volume.focus();
  await volume.press('ArrowLeft');
  await expect(volume).toHaveValue('35');

  const distance = page.getByRole('checkbox', { name: 'Quieter with distance' });
  await expect(distance).toBeChecked();
  await distance.uncheck();
  await expect(distance).not.toBeChecked();
  await mute.click();
  await expect(distance).not.toBeChecked();

  await leave.click();
  await expect(page.getByRole('button', { name: 'Join voice' })).toBeFocused();
  await expect(volume).toHaveCount(0);
  await expect(distance).toHaveCount(0);
  await expect(ana).not.toHaveAttribute('data-speaking', 'true');
});

test('the speaking dot pulses unless the person prefers reduced motion', async ({ page }) => {
  await joinDemo(page);
  await page.getByRole('button', { name: 'Join voice' }).click();
  const dot = page.locator('li[data-speaking="true"] .dot');
  await expect(dot).toHaveCSS('animation-name', 'pulse');
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await expect(dot).toHaveCSS('animation-name', 'none');
});

test('a refused microphone explains how to allow it, offers to join again, and chat goes on', async ({ page }) => {
  await joinDemo(page, 'Zoë', 'mic-denied');
  const join = page.getByRole('button', { name: 'Join voice' });
  await join.click();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('The microphone is blocked.');
  await expect(alert).toContainText('set Microphone to Allow');
  await expect(join).toBeFocused();
  await expect(page.getByRole('button', { name: 'Mute' })).toHaveCount(0);

  const messageBox = page.getByRole('textbox', { name: 'Message' });
  await messageBox.fill('Chat still works');
  await messageBox.press('Enter');
  await expect(page.getByRole('list', { name: 'Messages' }).getByRole('listitem').last()).toContainText('Chat still works');

  await join.click();
  await expect(page.getByRole('button', { name: 'Joining voice…' })).toBeVisible();
  await expect(alert).toHaveCount(0);
  await expect(alert).toContainText('The microphone is blocked.');
});

test('a lost microphone says so, moves focus to joining again, and joining brings voice back', async ({ page }) => {
  await joinDemo(page, 'Zoë', 'mic-lost');
  await page.getByRole('button', { name: 'Join voice' }).click();
  const mute = page.getByRole('button', { name: 'Mute', exact: true });
  await mute.focus();
  await expect(page.getByRole('alert')).toHaveText(/The microphone stopped \(the app was in the background\?\)/);
  const join = page.getByRole('button', { name: 'Join voice' });
  await expect(join).toBeFocused();
  await expect(mute).toHaveCount(0);
  await join.click();
  await expect(page.getByRole('button', { name: 'Leave voice' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
});
