/**
 * A person, not a page load: the same identity and conversation through a reload, a page
 * closed and reopened, and 30 minutes of absence (after which they are someone new).
 */

import { expect, test, type MeshPeer } from '../fixture/mesh-fixture.ts';

// Two peers, a conversation, then a reload or a reopen and the conversation again: more
// than the default 30 s when the machine is shared.
test.describe.configure({ timeout: 60_000 });

const PARIS = { lat: 48.8566, lon: 2.3522 };
const NORTH_300M = { lat: 48.8593, lon: 2.3522 };

/** Alice and Bob in range, each having said something, Alice having changed her name once. */
async function conversation(spawnPeer: (options: { name: string; lat: number; lon: number }) => Promise<MeshPeer>): Promise<{ alice: MeshPeer; bob: MeshPeer }> {
  const alice = await spawnPeer({ name: 'Alicia', ...PARIS });
  const bob = await spawnPeer({ name: 'Bob', ...NORTH_300M });
  await alice.changeUsername('Alice');
  await bob.expectNearby('Alice');
  await alice.say('said before the reload');
  await bob.say('Bob answered');
  await bob.expectMessage('said before the reload', { from: 'Alice' });
  await alice.expectMessage('Bob answered', { from: 'Bob' });
  return { alice, bob };
}

/** The same person, as Bob sees it: one Alice nearby, her old and new messages under her name. */
async function expectSamePerson(alice: MeshPeer, bob: MeshPeer, newText: string): Promise<void> {
  // Straight back into the chat with the earlier conversation refilled by neighbours.
  await alice.expectMessage('Bob answered', { from: 'Bob' });
  await alice.expectMessage('said before the reload', { distance: 'you' });
  await expect(alice.page.getByText('2 changes left')).toBeAttached();
  await alice.say(newText);
  await bob.expectMessage(newText, { from: 'Alice' });
  await expect(bob.nearby.filter({ hasText: 'Alice' })).toHaveCount(1);
  await expect(bob.nearby).toHaveCount(1);
  await bob.expectMessage('said before the reload', { from: 'Alice' });
}

test('a reload mid-conversation is the same person, straight back in the chat', async ({ spawnPeer }) => {
  const { alice, bob } = await conversation(spawnPeer);
  await alice.reload();
  await expectSamePerson(alice, bob, 'said after the reload');
});

test('a page closed and reopened within 30 minutes is the same person', async ({ spawnPeer }) => {
  const { alice, bob } = await conversation(spawnPeer);
  // Both clocks move: a message from a clock 20 minutes ahead would be from the future for Bob.
  await alice.closeAndReopen(async () => {
    await alice.context.clock.fastForward(20 * 60_000);
    await bob.fastForward(20 * 60_000);
  });
  await expect(alice.messageBox).toBeVisible();
  await expectSamePerson(alice, bob, 'said after reopening');
});

test('after 30 minutes without use the identity is dropped: the reopened page is someone new', async ({ spawnPeer }) => {
  const { alice, bob } = await conversation(spawnPeer);
  await alice.closeAndReopen(async () => {
    await alice.context.clock.fastForward(31 * 60_000);
    await bob.fastForward(31 * 60_000);
  });
  await alice.page.getByRole('button', { name: 'Allow location' }).click();
  await alice.page.getByRole('textbox', { name: 'Username' }).fill('Alice');
  await alice.page.getByRole('button', { name: 'Join' }).click();
  await expect(alice.messageBox).toBeVisible();
  await expect(alice.page.getByText('3 changes left')).toBeAttached();
  await alice.say('a new person');
  await bob.expectMessage('a new person', { from: 'Alice' });
  await expect(bob.nearby.filter({ hasText: 'Alice' })).toHaveCount(1);
  // 31 minutes on, the old conversation has expired everywhere: nothing of it comes back.
  await bob.expectNoMessage('said before the reload');
  await alice.expectNoMessage('said before the reload');
});

test('"Start fresh" makes a new person at once, after a confirmation', async ({ spawnPeer }) => {
  const { alice, bob } = await conversation(spawnPeer);
  const details = alice.page.getByText('Start fresh', { exact: true });
  await details.focus();
  await alice.page.keyboard.press('Enter');
  const confirm = alice.page.getByRole('button', { name: 'Start fresh now' });
  await confirm.focus();
  await alice.page.keyboard.press('Enter');
  await expect(alice.page.getByRole('button', { name: 'Allow location' })).toBeVisible();
  await alice.page.getByRole('button', { name: 'Allow location' }).click();
  await alice.page.getByRole('textbox', { name: 'Username' }).fill('Alice');
  await alice.page.getByRole('button', { name: 'Join' }).click();
  await alice.say('someone new');
  await bob.expectMessage('someone new', { from: 'Alice' });
  // Bob still holds the old Alice's messages; for the new Alice they are someone else's.
  await alice.expectMessage('said before the reload', { from: 'Alice' });
  await expect(alice.messages.filter({ hasText: 'said before the reload' })).not.toContainText('you');
});

test('a second tab of the same profile does not join twice: it offers "Use here", which takes over', async ({ spawnPeer }) => {
  const { alice, bob } = await conversation(spawnPeer);
  const second = await alice.openTab();
  await second.goto(alice.path);
  await expect(second.getByText('NearTalk is open in another tab')).toBeVisible();
  await expect(second.getByRole('textbox', { name: 'Message', exact: true })).toHaveCount(0);

  await second.getByRole('button', { name: 'Use here' }).click();
  // The same person, straight into the chat; the first tab stops and says where NearTalk went.
  await expect(second.getByRole('textbox', { name: 'Message', exact: true })).toBeVisible();
  await expect(alice.page.getByText('NearTalk is open in another tab')).toBeVisible();
  await expect(alice.messageBox).toHaveCount(0);
  await second.getByRole('textbox', { name: 'Message', exact: true }).fill('from the second tab');
  await second.getByRole('button', { name: 'Send', exact: true }).click();
  await bob.expectMessage('from the second tab', { from: 'Alice' });
  await expect(bob.nearby.filter({ hasText: 'Alice' })).toHaveCount(1);

  // And back: "Use here" in the first tab takes it over again.
  await alice.page.getByRole('button', { name: 'Use here' }).click();
  await expect(alice.messageBox).toBeVisible();
  await expect(second.getByText('NearTalk is open in another tab')).toBeVisible();
});
