import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLOSE_CODES, type ErrorCode } from '../../app/core/protocol.ts';
import { handshakeStatus, startRelay, TestClient, type RunningRelay } from './relay-harness.ts';

const HOME = 'u09tvw';
const PREFIX = 'u09tv';
const A_PEER_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** Malformed frames of every kind, each with the code the relay must answer. */
const MALFORMED: ReadonlyArray<readonly [string, string, ErrorCode]> = [
  ['not JSON', '{"type":"join",', 'bad-json'],
  ['empty text', '', 'bad-json'],
  ['a JSON array', '[1,2]', 'bad-frame'],
  ['a JSON number', '42', 'bad-frame'],
  ['JSON null', 'null', 'bad-frame'],
  ['no type', '{"home":"u09tvw"}', 'bad-frame'],
  ['a numeric type', '{"type":7}', 'bad-frame'],
  ['an unknown type', '{"type":"subscribe","topics":["x"]}', 'unknown-type'],
  ['a welcome sent by a client', '{"type":"welcome","id":"x"}', 'unknown-type'],
  ['join without home', '{"type":"join","watch":["u09tv"]}', 'bad-frame'],
  ['join with a 5-character home', '{"type":"join","home":"u09tv","watch":[]}', 'bad-frame'],
  ['join with a 7-character home', '{"type":"join","home":"u09tvwx","watch":[]}', 'bad-frame'],
  ['join with a letter outside the alphabet', '{"type":"join","home":"u09tva","watch":[]}', 'bad-frame'],
  ['join with an upper-case home', '{"type":"join","home":"U09TVW","watch":[]}', 'bad-frame'],
  ['join with a numeric home', '{"type":"join","home":123456,"watch":[]}', 'bad-frame'],
  ['join with watch not a list', '{"type":"join","home":"u09tvw","watch":"u09tv"}', 'bad-frame'],
  ['join with 33 watch prefixes', JSON.stringify({ type: 'join', home: HOME, watch: Array(33).fill(PREFIX) }), 'bad-frame'],
  ['join with a 4-character prefix', '{"type":"join","home":"u09tvw","watch":["u09t"]}', 'bad-frame'],
  ['join with a 7-character prefix', '{"type":"join","home":"u09tvw","watch":["u09tvwx"]}', 'bad-frame'],
  ['join with a non-string prefix', '{"type":"join","home":"u09tvw","watch":[null]}', 'bad-frame'],
  ['signal without to', '{"type":"signal","data":{}}', 'bad-frame'],
  ['signal to a malformed id', '{"type":"signal","to":"../../etc","data":{}}', 'bad-frame'],
  ['signal to a numeric id', '{"type":"signal","to":12,"data":{}}', 'bad-frame'],
  ['signal without data', `{"type":"signal","to":"${A_PEER_ID}"}`, 'bad-frame'],
  ['a prototype-polluting key', '{"__proto__":{"type":"leave"}}', 'bad-frame'],
];

describe('relay guards', () => {
  let running: RunningRelay;
  before(async () => {
    running = await startRelay({ maxBadFramesPerMinute: 1000 });
  });
  after(async () => {
    await running.relay.close();
  });

  test('answers every kind of malformed frame with an error frame and stays up', async () => {
    const client = await TestClient.connect(running.url);
    for (const [what, text, code] of MALFORMED) {
      client.sendRaw(text);
      const error = await client.next('error');
      assert.equal(error.code, code, what);
      assert.ok(error.message.length > 10, `${what}: a sentence a person understands`);
    }
    await client.sync(HOME, [PREFIX]);
    assert.equal(client.isClosed, false);
    await client.close();
  });

  test('refuses binary frames', async () => {
    const client = await TestClient.connect(running.url);
    client.sendRaw(Buffer.from(JSON.stringify({ type: 'join', home: HOME, watch: [] })), { binary: true });
    assert.equal((await client.next('error')).code, 'binary-not-supported');
    await client.close();
  });

  test('closes with 1009 on a frame over 16 KiB, and accepts one just under', async () => {
    const client = await TestClient.connect(running.url);
    const partner = await TestClient.connect(running.url);
    await client.sync(HOME, [PREFIX]);
    await partner.sync(HOME, [PREFIX]);
    const envelope = JSON.stringify({ type: 'signal', to: partner.id, data: '' });
    client.signal(partner.id, 'x'.repeat(16 * 1024 - envelope.length));
    assert.equal((await partner.next('signal')).from, client.id);
    client.signal(partner.id, 'x'.repeat(16 * 1024));
    assert.equal((await client.closed).code, 1009);
    await partner.close();
  });
});

describe('relay abuse limits', () => {
  test('closes a socket that keeps sending invalid frames with 4400', async () => {
    const running = await startRelay({ maxBadFramesPerMinute: 5 });
    const client = await TestClient.connect(running.url);
    for (let index = 0; index < 10 && !client.isClosed; index += 1) client.sendRaw('nonsense');
    const closed = await client.closed;
    assert.equal(closed.code, CLOSE_CODES.tooManyBadFrames);
    assert.match(closed.reason, /invalid frames/);
    assert.equal(client.all('error').length, 6);
    await running.relay.close();
  });

  test('rate-limits a flood, says so once, then closes it with 4429', async () => {
    const running = await startRelay({ rateLimitBurst: 50, rateLimitPerSecond: 1 });
    const flooder = await TestClient.connect(running.url);
    const bystander = await TestClient.connect(running.url);
    await flooder.sync(HOME, [PREFIX]);
    await bystander.sync(HOME, [PREFIX]);
    const sent = 2_000;
    for (let index = 0; index < sent; index += 1) flooder.signal(bystander.id, index);
    const closed = await flooder.closed;
    assert.equal(closed.code, CLOSE_CODES.rateLimitExceeded);
    assert.deepEqual(
      flooder.all('error').map((error) => error.code),
      ['rate-limited'],
    );
    // The bystander got at most the burst and is unharmed.
    await bystander.sync(HOME, [PREFIX]);
    assert.ok(bystander.all('signal').length <= 50);
    assert.equal(bystander.isClosed, false);
    assert.ok(running.relay.metrics.rateLimited.get() > 0);
    await bystander.close();
    await running.relay.close();
  });

  test('caps connections per IP address with HTTP 429', async () => {
    const running = await startRelay({ maxConnectionsPerIp: 3 });
    const clients = await Promise.all([1, 2, 3].map(() => TestClient.connect(running.url)));
    assert.equal(await handshakeStatus(running.url), 429);
    await clients[0]?.close();
    await waitUntilAccepted(running.url);
    await Promise.all(clients.map((client) => client.close()));
    await running.relay.close();
  });

  test('caps the total number of connections with HTTP 503', async () => {
    const running = await startRelay({ maxConnections: 2 });
    const clients = await Promise.all([1, 2].map(() => TestClient.connect(running.url)));
    assert.equal(await handshakeStatus(running.url), 503);
    assert.equal(running.relay.metrics.connectionsRejected.get('Service Unavailable'), 1);
    await Promise.all(clients.map((client) => client.close()));
    await running.relay.close();
  });

  test('admits only allowed origins; by default only its own', async () => {
    const own = await startRelay();
    const host = new URL(own.httpUrl).host;
    assert.equal(await handshakeStatus(own.url, { Origin: own.httpUrl }), 101);
    assert.equal(await handshakeStatus(own.url, { Origin: 'https://evil.example' }), 403);
    assert.equal(await handshakeStatus(own.url, { Origin: 'not a url' }), 403);
    assert.equal(await handshakeStatus(own.url), 101, 'non-browser clients send no Origin');
    assert.equal(await handshakeStatus(own.url, { Origin: `http://${host}.evil.example` }), 403);
    await own.relay.close();

    const listed = await startRelay({ allowedOrigins: ['https://app.neartalk.example'] });
    assert.equal(await handshakeStatus(listed.url, { Origin: 'https://app.neartalk.example' }), 101);
    assert.equal(await handshakeStatus(listed.url, { Origin: listed.httpUrl }), 403);
    await listed.relay.close();

    const any = await startRelay({ allowedOrigins: '*' });
    assert.equal(await handshakeStatus(any.url, { Origin: 'https://anywhere.example' }), 101);
    await any.relay.close();
  });

  test('answers WebSocket handshakes only at /ws', async () => {
    const running = await startRelay();
    assert.equal(await handshakeStatus(`${running.httpUrl.replace('http', 'ws')}/other`), 404);
    await running.relay.close();
  });
});

/** The per-IP slot frees when the relay has processed a close: retry until it has. */
async function waitUntilAccepted(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const status = await handshakeStatus(url);
    if (status === 101) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail('the freed slot was never given back');
}

