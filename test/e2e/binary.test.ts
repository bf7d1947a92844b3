/**
 * The single binary (`npm run build:binary` → dist/neartalk-relay), as a self-hoster runs
 * it: built here when missing or stale, started on 127.0.0.1 and a free port, serving the
 * app it carries and /ws; its command line; and two browser peers chatting through it.
 */

import { readFileSync } from 'node:fs';
import { helpText } from '../../relay/config.ts';
import { runToExit } from '../fixture/child-server.ts';
import { expect, test as meshTest } from '../fixture/mesh-fixture.ts';
import { BINARY_PATH, ensureFreshBinary, startBinaryRelay, type BinaryRelay } from '../fixture/relay-binary.ts';
import { RedisServer } from '../relay/redis-server.ts';
import { TestClient } from '../relay/relay-harness.ts';

const PACKAGE_VERSION = /"version"\s*:\s*"([^"]+)"/.exec(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))?.[1];

const test = meshTest.extend<{ binaryRelay: BinaryRelay }>({
  binaryRelay: async ({}, use) => {
    const relay = await startBinaryRelay();
    try {
      await use(relay);
    } finally {
      await relay.stop();
    }
  },
  // Pages, requests and spawned peers go to the binary instead of the fixture's in-process relay.
  baseURL: async ({ binaryRelay }, use) => {
    await use(binaryRelay.baseUrl);
  },
});

// Building the binary (vite, esbuild, postject on a ~95 MB copy of node) can take well
// over the default 30 s on a loaded 2-core machine; the hook's timeout is the test timeout.
test.describe.configure({ timeout: 120_000 });

test.beforeAll(async () => {
  const buildMs = await ensureFreshBinary();
  process.stdout.write(buildMs === 0 ? 'binary: reusing an up-to-date dist/neartalk-relay\n' : `binary: built in ${Math.round(buildMs)} ms\n`);
});

test('one process serves /health, the app it carries and /ws, and exits 0 on SIGTERM', async ({ request, binaryRelay }) => {
  const health = await request.get('/health');
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ status: 'ok', protocol: 2 });

  const page = await request.get('/');
  expect(page.status()).toBe(200);
  const html = await page.text();
  expect(html).toContain('<title>NearTalk</title>');
  const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  expect(script, 'index.html names its hashed script').toBeDefined();
  const asset = await request.get(script ?? '');
  expect(asset.status()).toBe(200);
  expect(asset.headers()['cache-control']).toContain('immutable');

  const client = await TestClient.connect(binaryRelay.wsUrl);
  expect(client.received[0]?.type).toBe('welcome');
  await binaryRelay.stop();
  expect((await client.closed).code).toBe(1001);
  expect(await binaryRelay.server.exited).toEqual({ code: 0, signal: null });
});

test('--help prints the same flag table as npm run relay, --version the package version', async () => {
  const help = await runToExit(BINARY_PATH, ['--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toBe(helpText());
  expect(help.stdout).toContain('--no-app');
  const version = await runToExit(BINARY_PATH, ['--version']);
  expect(version.code).toBe(0);
  expect(version.stdout).toBe(`${PACKAGE_VERSION}\n`);
});

test('a bad flag or value stops it with a message naming it and exit code 2', async () => {
  const refusals: ReadonlyArray<readonly [readonly string[], Record<string, string>, RegExp]> = [
    [['--prot', '80'], {}, /Unknown option '--prot'[\s\S]*Run with --help/],
    [['--port', '70000'], {}, /--port must be a whole number from 0 to 65535/],
    [[], { PORT: 'eighty' }, /PORT must be a whole number/],
    [['--turn-url', 'turn:turn.example:3478'], {}, /--turn-url \(TURN_URL\) needs --turn-secret/],
    [['--no-app', '--static-dir', 'dist/app'], {}, /--no-app \(NO_APP\) and --static-dir \(STATIC_DIR\) contradict/],
  ];
  for (const [args, env, message] of refusals) {
    const run = await runToExit(BINARY_PATH, args, { env: { ...process.env, ...env } });
    expect(run.code, args.join(' ')).toBe(2);
    expect(run.stderr).toMatch(message);
  }
});

test('--no-app serves only the relay: no app at /, /ws and /health as usual', async ({ request }) => {
  const relay = await startBinaryRelay(['--no-app']);
  try {
    const root = await request.get(`${relay.baseUrl}/`);
    expect(root.status()).toBe(404);
    expect(await root.text()).toContain('This relay serves no app');
    expect((await request.get(`${relay.baseUrl}/health`)).status()).toBe(200);
    const client = await TestClient.connect(relay.wsUrl);
    expect(client.received[0]?.type).toBe('welcome');
    await client.close();
  } finally {
    await relay.stop();
  }
});

test('--redis-url works in the binary too: the Redis client is bundled and /health reports Redis up', async ({ request }) => {
  const redis = await RedisServer.start();
  try {
    const relay = await startBinaryRelay(['--redis-url', redis.url]);
    try {
      await expect
        .poll(async () => {
          const health: unknown = await (await request.get(`${relay.baseUrl}/health`)).json();
          return health;
        })
        .toMatchObject({ status: 'ok', redis: 'up' });
    } finally {
      await relay.stop();
    }
  } finally {
    await redis.stop();
  }
});

test('two browser peers load the app from the binary and chat through it', async ({ spawnPeer }) => {
  const alice = await spawnPeer({ name: 'Alice', lat: 48.8566, lon: 2.3522 });
  const bob = await spawnPeer({ name: 'Bob', lat: 48.8593, lon: 2.3522 });
  await expect(alice.status).toHaveText(/Connected to relay/);
  await alice.expectNearby('Bob', '~300 m');
  await alice.say('Hello from the binary');
  await bob.expectMessage('Hello from the binary', { from: 'Alice', distance: '~300 m' });
  await bob.say('Heard you');
  await alice.expectMessage('Heard you', { from: 'Bob' });
});
