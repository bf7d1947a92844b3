/**
 * The attacking side of the bench's "under attack" test, in a process of its own so that
 * reading the crowd's frames does not slow the benign clients' clock: `watchers` clients
 * join one cell, then on "attack <ms>" one more client floods presence there within its
 * rate limit (a burst of 600 joins, then 50 a second, moving between two homes the crowd
 * watches), then sends a probe the relay answers only after handling every earlier frame.
 * Prints "ready", then "done <frames the crowd received> <joins sent>" once the relay has
 * handled the whole flood (answered the probe, or cut the attacker).
 * Usage: node --import tsx test/bench/attack-crowd.ts <port> <watchers>
 */

import { createInterface } from 'node:readline';
import { runBounded } from './bench-client.ts';
import { cellOf, joinFrame, openRelayClient } from './neartalk-adapter.ts';
import { sleep } from './server-process.ts';

const TIMEOUT_MS = 30_000;
const BURST = 600;
const PER_SECOND = 50;

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const watchers = Number(process.argv[3]);
  const cell = cellOf(0);
  let received = 0;
  const crowd = await runBounded(0, watchers, 100, 120_000, async () => {
    const { client } = await openRelayClient(port, TIMEOUT_MS, () => undefined);
    client.onText = () => {
      received += 1;
    };
    client.send(joinFrame(cell.home, cell.prefix));
    return client;
  });
  const { client: attacker, id: attackerId } = await openRelayClient(port, TIMEOUT_MS, () => undefined);
  attacker.onText = () => undefined;
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, argument] = line.split(' ');
    if (command === 'attack') {
      const endAt = performance.now() + Number(argument);
      const homes = [cell.home, cell.otherHome];
      let sent = 0;
      const startCount = received;
      for (; sent < BURST; sent += 1) attacker.send(joinFrame(homes[sent % 2] ?? cell.home, cell.prefix));
      const startedAt = performance.now();
      while (performance.now() < endAt) {
        await sleep(20);
        const due = BURST + Math.floor(((performance.now() - startedAt) / 1000) * PER_SECOND * 0.95);
        for (; sent < due; sent += 1) attacker.send(joinFrame(homes[sent % 2] ?? cell.home, cell.prefix));
      }
      if (attacker.isOpen) {
        // A signal to oneself is refused: the refusal comes after every earlier frame was handled.
        attacker.send(JSON.stringify({ type: 'signal', to: attackerId, data: {} }));
        const refused = attacker.nextFrame((text) => (text.includes('"self-signal"') ? true : null), TIMEOUT_MS, 'the probe refused');
        refused.catch(() => undefined); // when the cut wins the race, the probe's deadline is moot
        await Promise.race([refused, attacker.closed]);
      }
      process.stdout.write(`done ${received - startCount} ${sent}\n`);
    } else if (command === 'stop') {
      for (const client of [...crowd, attacker]) client.close();
      break;
    }
  }
}

await main();
process.exit(0);
