/**
 * The relay's command-line entry: reads configuration, wires logging, starts the relay
 * and shuts it down on SIGTERM/SIGINT. Bad configuration exits with code 2. The same
 * file is the single binary's entry (bundled as CommonJS: no top-level await here).
 */

import { readFileSync } from 'node:fs';
import { ConfigError, helpText, parseRelayConfig } from './config.ts';
import { createRelay } from './create-relay.ts';
import { embeddedAppSource, readEmbeddedManifest } from './embedded-app.ts';
import { createLogger } from './logger.ts';

/** Hard limit for a shutdown: past it the process exits whatever is still open. */
const SHUTDOWN_DEADLINE_MS = 5_000;

/** What the single binary carries; null under `npm run relay`. */
const embedded = readEmbeddedManifest();

function packageVersion(): string {
  if (embedded !== null) return embedded.version;
  try {
    const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
    const match = /"version"\s*:\s*"([^"]+)"/.exec(text);
    return match?.[1] ?? 'unknown';
  } catch {
    // Run from a copy without package.json beside it: the version is not worth failing for.
    return 'unknown';
  }
}

async function main(): Promise<void> {
  let config;
  try {
    config = parseRelayConfig(process.argv.slice(2), process.env);
  } catch (err: unknown) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`neartalk-relay: ${err.message}\nRun with --help to see every flag.\n`);
    process.exit(2);
  }
  if (config.showHelp) {
    process.stdout.write(helpText());
    return;
  }
  if (config.showVersion) {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }

  const logger = createLogger(config.logLevel, (line) => process.stdout.write(line));
  // The binary serves its own copy of the app unless told to serve another (--static-dir) or none (--no-app).
  const staticSource =
    embedded === null || config.isAppDisabled || config.options.staticDir !== undefined ? null : embeddedAppSource(embedded);
  let relay;
  try {
    relay = createRelay({ ...config.options, ...(staticSource === null ? {} : { staticSource }), logger });
  } catch (err: unknown) {
    if (!(err instanceof TypeError)) throw err;
    process.stderr.write(`neartalk-relay: ${err.message}\n`);
    process.exit(2);
  }
  try {
    await relay.ready;
  } catch (err: unknown) {
    logger.error('relay could not start', { error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
  const { address, port } = relay.address();
  logger.info('relay listening', {
    address,
    port,
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    app: staticSource?.description ?? config.options.staticDir ?? null,
    turn: config.options.turn?.urls.join(',') ?? null,
  });

  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal });
    setTimeout(() => {
      logger.warn('shutdown deadline passed; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    relay.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown failed', { error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

process.on('uncaughtException', (err: Error) => {
  // Input never reaches here (every frame is parsed defensively); this is a last resort
  // that logs the bug instead of dying silently.
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'uncaught exception', error: err.stack ?? err.message })}\n`);
});

main().catch((err: unknown) => {
  process.stderr.write(`neartalk-relay: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
