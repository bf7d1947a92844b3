import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createLogger } from '../../relay/logger.ts';
import { startRelay, TestClient, waitFor } from './relay-harness.ts';

const HOME = 'u09tvw';
const PREFIX = 'u09tv';

describe('relay lifecycle', () => {
  test('drops a socket that stops answering pings, keeps the ones that answer', async () => {
    const running = await startRelay({ heartbeatMs: 50 });
    const dead = await TestClient.connect(running.url, { autoPong: false });
    const alive = await TestClient.connect(running.url);
    await dead.sync(HOME, [PREFIX]);
    await alive.sync(HOME, [PREFIX]);
    await dead.closed;
    assert.equal((await alive.next('peer-left')).id, dead.id, 'watchers learn that the dead peer left');
    assert.equal(running.relay.metrics.heartbeatTimeouts.get(), 1);
    assert.equal(alive.isClosed, false);
    await alive.close();
    await running.relay.close();
  });

  test('cuts a client that does not read instead of buffering for it', async () => {
    const maxBufferedBytes = 256 * 1024;
    const running = await startRelay({ maxBufferedBytes, rateLimitBurst: 100_000, rateLimitPerSecond: 100_000 });
    const reader = await TestClient.connect(running.url);
    const writer = await TestClient.connect(running.url);
    await reader.sync(HOME, [PREFIX]);
    await writer.sync(HOME, [PREFIX]);
    reader.ws.pause(); // stops reading from the TCP socket: the kernel buffers fill, then the relay's
    const payload = 'x'.repeat(15 * 1024);
    // Far more than loopback's socket buffers can hold; stops as soon as the relay cuts.
    for (let sent = 0; sent < 4_000 && running.relay.metrics.slowReadersCut.get() === 0; sent += 1) {
      writer.signal(reader.id, payload);
      if (sent % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => running.relay.metrics.slowReadersCut.get() === 1, 'the slow reader to be cut');
    await waitFor(() => running.relay.hub.connectionCount === 1, 'the cut connection to be gone');
    assert.equal(running.relay.hub.cells.homeOf(reader.id), undefined);
    reader.ws.terminate();
    assert.equal(writer.isClosed, false, 'the writer is not punished');
    await writer.close();
    await running.relay.close();
  });

  test('leaves nothing in the cell index after thousands of joins, moves, leaves and disconnects', async () => {
    const running = await startRelay({ rateLimitBurst: 10_000 });
    const homes = ['u09tvw', 'u09tvx', 'u09tvy', 'u09tvz', 'u09ty0', 'u09ty1'];
    const clients = await Promise.all(Array.from({ length: 20 }, () => TestClient.connect(running.url)));
    for (let cycle = 0; cycle < 50; cycle += 1) {
      for (const [index, client] of clients.entries()) {
        const home = homes[(cycle + index) % homes.length] ?? HOME;
        client.join(home, [home.slice(0, 5), home]);
        client.join(homes[(cycle + index + 1) % homes.length] ?? HOME, [PREFIX, 'u09ty']);
        if (cycle % 3 === 0) client.send({ type: 'leave' });
      }
    }
    // Barrier per client, then half of them leave by disconnecting while present.
    await Promise.all(clients.map((client) => client.sync(HOME, [PREFIX])));
    const { cells } = running.relay.hub;
    assert.equal(cells.memberCount, 20);
    await Promise.all(clients.slice(0, 10).map((client) => client.close()));
    await Promise.all(clients.slice(10).map((client) => client.send({ type: 'leave' })));
    await Promise.all(clients.slice(10).map((client) => client.close()));
    await waitFor(() => running.relay.hub.connectionCount === 0, 'every connection to be forgotten');
    assert.deepEqual(
      [cells.memberCount, cells.homeCellCount, cells.watchedPrefixCount],
      [0, 0, 0],
      'members, home cells, watched prefixes',
    );
    await running.relay.close();
  });

  test('close() says 1001 to every client and is idempotent', async () => {
    const running = await startRelay();
    const clients = await Promise.all([1, 2, 3].map(() => TestClient.connect(running.url)));
    const first = running.relay.close();
    assert.equal(running.relay.close(), first);
    await first;
    for (const client of clients) assert.equal((await client.closed).code, 1001);
  });

  test('serves /health as JSON and /metrics in Prometheus text', async () => {
    const running = await startRelay();
    const client = await TestClient.connect(running.url);
    await client.sync(HOME, [PREFIX]);
    client.sendRaw('garbage');
    await client.next('error');
    const health = await (await fetch(`${running.httpUrl}/health`)).json();
    assert.deepEqual({ ...health, uptimeSeconds: 0 }, { status: 'ok', protocol: 2, connections: 1, peers: 1, cells: 1, uptimeSeconds: 0 });
    const response = await fetch(`${running.httpUrl}/metrics`);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    for (const line of [
      'neartalk_connections 1',
      'neartalk_present_peers 1',
      'neartalk_cells 1',
      'neartalk_frames_in_total{type="join"} 1',
      'neartalk_frames_in_total{type="invalid"} 1',
      'neartalk_frames_out_total{type="welcome"} 1',
      'neartalk_errors_total{code="bad-json"} 1',
      'neartalk_signals_forwarded_total 0',
      'neartalk_rate_limited_total 0',
      'neartalk_slow_readers_cut_total 0',
    ]) {
      assert.ok(text.split('\n').includes(line), `metrics include "${line}"`);
    }
    assert.equal((await fetch(`${running.httpUrl}/health`, { method: 'POST' })).status, 405);
    await client.close();
    await running.relay.close();
  });

  test('logs JSON lines with no full client address at info level', async () => {
    const lines: string[] = [];
    const running = await startRelay({ maxConnectionsPerIp: 1, logger: createLogger('info', (line) => lines.push(line)) });
    const client = await TestClient.connect(running.url);
    await assert.rejects(TestClient.connect(running.url)); // refused: logged with the masked network
    await client.close();
    await running.relay.close();
    assert.ok(lines.length > 0);
    for (const line of lines) {
      const entry: unknown = JSON.parse(line);
      assert.ok(typeof entry === 'object' && entry !== null && 'level' in entry && 'msg' in entry);
      assert.doesNotMatch(line, /127\.0\.0\.1/);
    }
    assert.ok(lines.some((line) => line.includes('127.0.0.0/24')));
  });

  test('serves the app from memory, with no way out of its directory', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'neartalk-static-'));
    await mkdir(join(directory, 'assets'));
    await writeFile(join(directory, 'index.html'), '<!doctype html><title>NearTalk</title>');
    await writeFile(join(directory, 'assets', 'app-1234.js'), 'console.log(1)');
    const running = await startRelay({ staticDir: directory });
    const index = await fetch(`${running.httpUrl}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.match(index.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.match(index.headers.get('permissions-policy') ?? '', /geolocation=\(self\)/);
    assert.equal(await index.text(), '<!doctype html><title>NearTalk</title>');
    const etag = index.headers.get('etag') ?? '';
    assert.equal((await fetch(`${running.httpUrl}/`, { headers: { 'If-None-Match': etag } })).status, 304);
    const asset = await fetch(`${running.httpUrl}/assets/app-1234.js`);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    assert.match(asset.headers.get('content-type') ?? '', /text\/javascript/);
    for (const path of ['/../package.json', '/%2e%2e/%2e%2e/etc/passwd', '/assets/../../etc/passwd', '/missing.js']) {
      assert.equal((await fetch(`${running.httpUrl}${path}`)).status, 404, path);
    }
    await running.relay.close();
    await rm(directory, { recursive: true });
  });
});
