import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RawSocket, statusOf, UPGRADE_HEADERS } from './raw-socket.ts';
import { TestClient } from './relay-harness.ts';
import { listeningPort, spawnRelayProcess } from './relay-process.ts';

describe('relay process', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`on ${signal} closes clients with 1001 and exits 0 within 5 s`, async () => {
      const relay = spawnRelayProcess(['--port', '0', '--host', '127.0.0.1']);
      try {
        const port = await listeningPort(relay);
        const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
        const signalledAt = Date.now();
        relay.child.kill(signal);
        assert.equal((await client.closed).code, 1001);
        assert.equal(await relay.exited, 0);
        assert.ok(Date.now() - signalledAt < 5_000, 'exits within 5 s');
      } finally {
        relay.child.kill('SIGKILL');
      }
    });
  }

  test('on SIGTERM meets its deadline with a malformed handshake open, and never logs a stack trace for it', async () => {
    const relay = spawnRelayProcess(['--port', '0', '--host', '127.0.0.1', '--log-level', 'debug']);
    try {
      const port = await listeningPort(relay);
      const raw = await RawSocket.open(port);
      raw.write(`GET http://[/ws HTTP/1.1\r\n${UPGRADE_HEADERS}`);
      assert.equal(statusOf((await raw.untilClosed()).text), 400);
      const pending = await RawSocket.open(port);
      pending.write('GET //[/ws HTTP/1.1\r\nHost: x\r\n');
      const signalledAt = Date.now();
      relay.child.kill('SIGTERM');
      assert.equal(await relay.exited, 0);
      assert.ok(Date.now() - signalledAt < 5_000, 'exits within 5 s');
      const output = relay.stdout.join('') + relay.stderr.join('');
      assert.doesNotMatch(output, /uncaught|\bat .+:\d+:\d+/);
      pending.destroy();
    } finally {
      relay.child.kill('SIGKILL');
    }
  });

  const badConfigurations: ReadonlyArray<readonly [string, readonly string[], Record<string, string>, RegExp]> = [
    ['a port out of range', ['--port', '70000'], {}, /--port must be a whole number from 0 to 65535/],
    ['a port from the environment that is not a number', [], { PORT: 'eighty' }, /PORT must be a whole number/],
    ['an unknown flag', ['--prot', '80'], {}, /Unknown option '--prot'/],
    ['ICE servers that are not JSON', ['--ice-servers', '[{'], {}, /--ice-servers must be a JSON list/],
    ['an ICE server without urls', ['--ice-servers', '[{"url":"stun:x"}]'], {}, /--ice-servers: entry 0 needs "urls"/],
    ['an origin with a path', ['--allowed-origins', 'https://a.example/app'], {}, /--allowed-origins: "https:\/\/a.example\/app" is not an origin/],
    ['a log level that does not exist', [], { LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of debug/],
    ['a zero rate limit', ['--rate-limit-per-second', '0'], {}, /--rate-limit-per-second must be a whole number from 1/],
    ['a handshake timeout too short to shake hands', ['--handshake-timeout-ms', '5'], {}, /--handshake-timeout-ms must be a whole number from 100 to 120000, got "5"/],
    ['a queue cap from the environment that is not a number', [], { MAX_QUEUED_BYTES: '16M' }, /MAX_QUEUED_BYTES must be a whole number/],
    ['a zero presence budget', ['--presence-per-minute', '0'], {}, /--presence-per-minute must be a whole number from 1/],
  ];
  for (const [what, args, env, message] of badConfigurations) {
    test(`refuses ${what} at start with exit code 2`, async () => {
      const relay = spawnRelayProcess(args, env);
      assert.equal(await relay.exited, 2);
      assert.match(relay.stderr.join(''), message);
    });
  }

  test('a static directory that does not exist stops the start with a clear error', async () => {
    const relay = spawnRelayProcess(['--port', '0', '--static-dir', '/nonexistent/neartalk']);
    assert.equal(await relay.exited, 1);
    assert.match(relay.stdout.join(''), /relay could not start.*nonexistent/);
  });

  test('--help lists every flag and --version prints the version', async () => {
    const help = spawnRelayProcess(['--help']);
    assert.equal(await help.exited, 0);
    for (const flag of ['--port', '--allowed-origins', '--max-connections-per-ip', '--ice-servers', '--static-dir', 'PORT', '--handshake-timeout-ms', 'MAX_QUEUED_BYTES', '--presence-burst']) {
      assert.ok(help.stdout.join('').includes(flag), flag);
    }
    const version = spawnRelayProcess(['--version']);
    assert.equal(await version.exited, 0);
    assert.match(version.stdout.join(''), /^\d+\.\d+\.\d+\n$/);
  });
});
