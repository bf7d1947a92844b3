/** What must hold of a relay after a fuzz run: it still serves, and it holds nothing for the attackers. */

import type { RelayOptions } from '../../relay/relay-options.ts';
import { TestClient, waitFor, type RunningRelay } from '../relay/relay-harness.ts';

/**
 * Limits raised for the frame corpus, so thousands of refused frames from one client are
 * all answered (the limits themselves are attacked by the connection kinds).
 */
export const FUZZ_LIMITS: Partial<RelayOptions> = {
  maxBadFramesPerMinute: 1_000_000,
  rateLimitBurst: 1_000_000,
  rateLimitPerSecond: 1_000_000,
  presenceBurst: 1_000_000,
  presencePerMinute: 1_000_000,
};

/** Liveness and leftovers; one line per problem. */
export async function checkAfterFuzz(running: RunningRelay): Promise<string[]> {
  const problems: string[] = [];
  const { hub } = running.relay;
  try {
    await waitFor(() => hub.connectionCount === 0 && !hub.outbox.isBusy && hub.heldPresenceCount === 0, 'every fuzz connection to be forgotten');
  } catch (err: unknown) {
    problems.push(`${err instanceof Error ? err.message : String(err)}: ${hub.connectionCount} connections, ${hub.heldPresenceCount} held`);
  }
  if (hub.cells.memberCount !== 0 || hub.cells.homeCellCount !== 0 || hub.cells.watchedPrefixCount !== 0) {
    problems.push(`the cell index still holds ${hub.cells.memberCount} members`);
  }
  if (hub.outbox.queuedBytes !== 0) problems.push(`${hub.outbox.queuedBytes} bytes still queued`);
  const health = await fetch(`${running.httpUrl}/health`);
  if (health.status !== 200) problems.push(`/health answered ${health.status}`);
  await health.body?.cancel();
  const [first, second] = await Promise.all([TestClient.connect(running.url), TestClient.connect(running.url)]);
  if (first === undefined || second === undefined) return [...problems, 'no fresh clients'];
  await first.sync('u09tvw', ['u09tv']);
  await second.sync('u09tvw', ['u09tv']);
  first.signal(second.id, { after: 'fuzz' });
  const signal = await second.next('signal');
  if (signal.from !== first.id) problems.push('a fresh signal arrived with the wrong from');
  await Promise.all([first.close(), second.close()]);
  return problems;
}
