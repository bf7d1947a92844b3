import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPeerId } from '../../app/core/protocol.ts';
import { clientPool, startRelay } from './relay-harness.ts';

test('an injected id maker is used when its id is valid and free, and random ids replace the rest', async () => {
  const made = ['peer000000000000000001', 'peer000000000000000001', 'not a peer id'];
  const running = await startRelay({ newPeerId: () => made.shift() ?? 'exhausted' });
  const { connect, closeAll } = clientPool(() => running);
  try {
    const first = await connect();
    const taken = await connect();
    const invalid = await connect();
    assert.equal(first.id, 'peer000000000000000001');
    assert.notEqual(taken.id, first.id, 'an id in use is never handed out twice');
    for (const client of [taken, invalid]) assert.ok(isPeerId(client.id) && /^[A-Za-z0-9_-]{22}$/.test(client.id));
    assert.notEqual(invalid.id, 'not a peer id');
  } finally {
    await closeAll();
    await running.relay.close();
  }
});
