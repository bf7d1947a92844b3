/**
 * Regression tests for what a hostile client found (issue 17): each finding, as the
 * relay must now answer it. Timing is never asserted here (the bench measures it): these
 * check answers, counts and bounds.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { MAX_FRAME_DEPTH } from '../../app/core/protocol.ts';
import { createLogger } from '../../relay/logger.ts';
import { handshakeStatus, readHealth, startRelay, TestClient } from './relay-harness.ts';
import { RawSocket, statusOf, UPGRADE_HEADERS } from './raw-socket.ts';
import { listeningPort, rssBytesOf, spawnRelayProcess } from './relay-process.ts';
import { waitFor } from '../sim/wait-for.ts';

/** The bench's attacking crowd: N watchers in one cell and a client flooding presence there. */
const ATTACK_CROWD = new URL('../bench/attack-crowd.ts', import.meta.url).pathname;

const HOME = 'u09tvw';
const PREFIX = 'u09tv';

/** Request targets `new URL` cannot parse. */
const MALFORMED_TARGETS = ['http://[/ws', '//[/ws', 'http://relay.example:99999/ws', 'http://[::1/health'];

describe('finding 1: malformed request targets', () => {
  test('are answered 400 and closed, as upgrades and as plain requests, with no stack trace logged', async () => {
    const lines: string[] = [];
    const running = await startRelay({ logger: createLogger('debug', (line) => lines.push(line)) });
    const { port } = running.relay.address();
    for (const target of MALFORMED_TARGETS) {
      for (const headers of [UPGRADE_HEADERS, 'Host: 127.0.0.1\r\n\r\n']) {
        const raw = await RawSocket.open(port);
        raw.write(`GET ${target} HTTP/1.1\r\n${headers}`);
        const { text } = await raw.untilClosed();
        assert.equal(statusOf(text), 400, `${target}: ${text.slice(0, 40)}`);
      }
    }
    assert.ok(!lines.some((line) => /\bat .+:\d+:\d+/.test(line)), 'no stack trace in the log');
    await running.relay.close();
  });

  test('count against the per-address cap while open', async () => {
    const running = await startRelay({ maxConnectionsPerIp: 3, handshakeTimeoutMs: 60_000 });
    const { port } = running.relay.address();
    // Three sockets that sent half a malformed request: still pending, still counted.
    const pending = await Promise.all([1, 2, 3].map(() => RawSocket.open(port)));
    for (const raw of pending) raw.write('GET http://[/ws HTTP/1.1\r\nHost: x\r\n');
    assert.equal(await handshakeStatus(running.url), 429);
    for (const raw of pending) raw.destroy();
    await running.relay.close();
  });

  test('SIGTERM-style close() ends even with such a socket open', async () => {
    const running = await startRelay({ shutdownGraceMs: 100 });
    const raw = await RawSocket.open(running.relay.address().port);
    raw.write(`GET http://[/ws HTTP/1.1\r\n${UPGRADE_HEADERS}`);
    await running.relay.close();
    await raw.untilClosed();
  });
});

describe('finding 2: deep data with an unknown field', () => {
  const deep = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

  test(`is refused with bad-frame beyond ${MAX_FRAME_DEPTH} levels, locally and towards other relays, and the socket is still served`, async () => {
    const running = await startRelay({ maxBadFramesPerMinute: 100 });
    const sender = await TestClient.connect(running.url);
    const partner = await TestClient.connect(running.url);
    await sender.sync(HOME, [PREFIX]);
    await partner.sync(HOME, [PREFIX]);
    const elsewhere = 'A'.repeat(22);
    for (const to of [partner.id, elsewhere]) {
      sender.sendRaw(`{"type":"signal","to":"${to}","data":${deep(5_000)},"extra":1}`);
      const error = await sender.next('error');
      assert.equal(error.code, 'bad-frame');
      assert.match(error.message, new RegExp(`${MAX_FRAME_DEPTH} levels`));
    }
    // The bound itself: the frame object is level 1, so data may hold 31 more.
    sender.sendRaw(`{"type":"signal","to":"${partner.id}","data":${deep(MAX_FRAME_DEPTH - 1)},"extra":1}`);
    assert.equal((await partner.next('signal')).from, sender.id);
    sender.sendRaw(`{"type":"signal","to":"${partner.id}","data":${deep(MAX_FRAME_DEPTH)}}`);
    assert.equal((await sender.next('error')).code, 'bad-frame');
    await sender.sync(HOME, [PREFIX]);
    assert.equal(partner.all('signal').length, 1);
    await Promise.all([sender.close(), partner.close()]);
    await running.relay.close();
  });
});

describe('finding 4: memory after an attack', () => {
  const WATCHERS = 4_000;
  /** The bound: within 60 s after the flood, RSS at most 1.5 × what it was before. */
  const RECOVERY_MS = 60_000;
  const RSS_FACTOR = 1.5;

  test(`RSS is back within ${RSS_FACTOR} × its level before a presence flood at ${WATCHERS.toLocaleString('en-US')} watchers, within 60 s`, { timeout: 180_000 }, async () => {
    // The relay and the crowd each in a process of their own, as in the bench's "under
    // attack" test: the RSS read is the relay's alone, and the crowd reads its frames as
    // fast as it can. Before issue 17 the flood's burst (600 joins, each fanned out to every
    // watcher in the same turn) held the relay at 2.25–2.65 × its RSS for 57 s to more than
    // 70 s at 4,000 watchers (test/bench/README.md, "Memory after the flood").
    const relay = spawnRelayProcess(['--port', '0', '--host', '127.0.0.1', '--max-connections', '4100', '--max-connections-per-ip', '4100']);
    const port = await listeningPort(relay);
    const crowd = spawn(process.execPath, ['--import', 'tsx', ATTACK_CROWD, String(port), String(WATCHERS)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: crowd.stdout })[Symbol.asyncIterator]();
      const nextLine = async (): Promise<string> => String((await lines.next()).value ?? 'the crowd exited');
      assert.equal(await nextLine(), 'ready');
      const httpUrl = `http://127.0.0.1:${port}`;
      for (let tries = 0; (await readHealth(httpUrl)).peers < WATCHERS; tries += 1) {
        assert.ok(tries < 1_000, 'every watcher present');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const rssBefore = rssBytesOf(relay);

      // "done" comes once the relay answered a probe sent after the flood, or cut the
      // attacker (see attack-crowd.ts).
      crowd.stdin.write('attack 2000\n');
      const [word, received] = (await nextLine()).split(' ');
      assert.equal(word, 'done');
      const deadline = Date.now() + RECOVERY_MS;
      // A relay still working through the flood answers HTTP only once it is done: RSS is
      // read from then on, never before the flood's cost was paid.
      for (;;) {
        try {
          await readHealth(httpUrl);
          break;
        } catch (err: unknown) {
          if (Date.now() > deadline) throw new Error('/health unanswered for 60 s after the flood', { cause: err });
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
      await waitFor(() => rssBytesOf(relay) <= RSS_FACTOR * rssBefore, {
        timeoutMs: Math.max(0, deadline - Date.now()),
        everyMs: 250,
        describe: () => `RSS ${mib(rssBytesOf(relay))} 60 s after the flood, ${mib(rssBefore)} before it`,
      });
      assert.ok(Number(received) > 0, 'the flood reached the crowd');
    } finally {
      crowd.kill('SIGKILL');
      relay.child.kill('SIGKILL');
    }
  });
});

describe('finding 5: data exactly as the sender wrote it', () => {
  test('a frame with extra fields delivers the sender\'s text of data byte for byte', async () => {
    const running = await startRelay();
    const sender = await TestClient.connect(running.url);
    const partner = await TestClient.connect(running.url);
    await sender.sync(HOME, [PREFIX]);
    await partner.sync(HOME, [PREFIX]);
    const texts: string[] = [];
    partner.ws.on('message', (data) => texts.push(data.toString()));
    const data = '{"n":1e400,"m":-0,"big":123456789012345678901234567890,"s":"\\u00e9\\ud800","k":[1E-400 , 2]}';
    sender.sendRaw(`{"extra":{"x":1},"type":"signal","from":"${sender.id.replace(/./, 'Z')}","to":"${partner.id}","d\\u0061ta":${data},"more":true}`);
    const signal = await partner.next('signal');
    assert.equal(signal.from, sender.id, 'the relay writes from, never the sender');
    assert.equal(texts.length, 1);
    assert.ok(texts[0]?.includes(`"data":${data}`), `data forwarded as written: ${texts[0] ?? ''}`);
    await Promise.all([sender.close(), partner.close()]);
    await running.relay.close();
  });
});

describe('finding 6: handshake details', () => {
  test('an HTTP/1.0 upgrade is answered 400 (RFC 6455)', async () => {
    const running = await startRelay();
    const raw = await RawSocket.open(running.relay.address().port);
    raw.write(`GET /ws HTTP/1.0\r\n${UPGRADE_HEADERS}`);
    assert.equal(statusOf((await raw.untilClosed()).text), 400);
    await running.relay.close();
  });

  test('pending handshakes count against the per-address cap', async () => {
    const running = await startRelay({ maxConnectionsPerIp: 2, handshakeTimeoutMs: 60_000 });
    const { port } = running.relay.address();
    const silent = await Promise.all([1, 2].map(() => RawSocket.open(port)));
    assert.equal(await handshakeStatus(running.url), 429);
    for (const raw of silent) raw.destroy();
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 101; attempt += 1) {
      status = await handshakeStatus(running.url);
      if (status !== 101) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(status, 101, 'the slots come back once those sockets close');
    await running.relay.close();
  });

  test('a handshake that does not complete within --handshake-timeout-ms is answered 408 and closed', async () => {
    const running = await startRelay({ handshakeTimeoutMs: 200 });
    const { port } = running.relay.address();
    const silent = await RawSocket.open(port);
    const slow = await RawSocket.open(port);
    slow.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n');
    for (const raw of [silent, slow]) assert.equal(statusOf((await raw.untilClosed()).text), 408);
    await running.relay.close();
  });
});
