import { createRelay } from '../../relay/create-relay.ts';
import { APP_DIR, expect, test } from '../fixture/relay-fixture.ts';

test('the page served by the relay connects to it', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveTitle('NearTalk');
  await expect(page.getByRole('status')).toHaveText('Connected to relay');
});

test('shows the relay as unreachable once it is gone', async ({ page, relayServer }) => {
  await page.goto('/');
  const status = page.getByRole('status');
  await expect(status).toHaveText('Connected to relay');

  await relayServer.relay.close();

  await expect(status).toHaveText('Relay unreachable — reconnecting');
});

test('reconnects once the relay is back on the same address', async ({ page, relayServer }) => {
  await page.goto('/');
  const status = page.getByRole('status');
  await expect(status).toHaveText('Connected to relay');

  const { port } = relayServer.relay.address();
  await relayServer.relay.close();
  await expect(status).toHaveText('Relay unreachable — reconnecting');

  const revived = createRelay({ port, host: '127.0.0.1', staticDir: APP_DIR });
  try {
    await revived.ready;
    await expect(status).toHaveText('Connected to relay');
  } finally {
    await revived.close();
  }
});
