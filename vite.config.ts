import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, defineConfig, loadEnv, type Plugin } from 'vite';
import { parseRelayUrl } from './app/core/relay-url.ts';
import { isPrecached, SHELL_MANIFEST_GLOBAL, type ShellManifest } from './app/pwa/shell-routes.ts';

const rootDir = fileURLToPath(new URL('.', import.meta.url));
const appDir = fileURLToPath(new URL('./app', import.meta.url));
/** The worker's fixed address: its URL must not change between builds, or updates are never found. */
const WORKER_FILE = 'sw.js';

/** Every file below `directory`, as [URL path, bytes]. */
async function readTree(directory: string): Promise<Array<[string, Uint8Array]>> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return Promise.all(files.map(async (path) => [`/${relative(directory, path).split(sep).join('/')}`, await readFile(path)] as [string, Uint8Array]));
}

/**
 * Once the app is written, builds the service worker beside it with the precache list:
 * every file of the build (index.html, chunks, public/) and a version hashed from their
 * paths and bytes. The worker is its own build, one self-contained script, because a
 * classic worker cannot import the chunks the app shares. About fifty lines here instead
 * of workbox-build and its Babel and Rollup tree (see README).
 */
function serviceWorker(): Plugin {
  let outDir = '';
  return {
    name: 'neartalk-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const files = (await readTree(outDir))
        .filter(([path]) => isPrecached(path, `/${WORKER_FILE}`))
        .sort(([a], [b]) => (a < b ? -1 : 1));
      const hash = createHash('sha256');
      for (const [path, body] of files) hash.update(path).update('\0').update(body).update('\0');
      const shell: ShellManifest = { version: hash.digest('hex').slice(0, 16), paths: files.map(([path]) => path) };
      await build({
        configFile: false,
        root: appDir,
        publicDir: false,
        logLevel: 'warn',
        define: { [SHELL_MANIFEST_GLOBAL]: JSON.stringify(shell) },
        build: {
          outDir,
          emptyOutDir: false,
          rolldownOptions: {
            input: fileURLToPath(new URL('./app/pwa/service-worker.ts', import.meta.url)),
            output: { format: 'iife', entryFileNames: WORKER_FILE },
          },
        },
      });
    },
  };
}

export default defineConfig(({ mode }) => {
  // A relay URL baked into the build that the app would ignore is a deployment mistake:
  // refuse it here rather than ship a PWA that silently talks to its own origin.
  const relayUrl = loadEnv(mode, rootDir, 'VITE_')['VITE_RELAY_URL'];
  if (relayUrl !== undefined && relayUrl !== '' && parseRelayUrl(relayUrl) === null) {
    throw new Error(`VITE_RELAY_URL must be an absolute ws: or wss: URL, got ${JSON.stringify(relayUrl)}`);
  }
  return {
    root: appDir,
    // .env files sit beside package.json, not in app/.
    envDir: rootDir,
    publicDir: '../public',
    plugins: [serviceWorker()],
    build: {
      outDir: '../dist/app',
      emptyOutDir: true,
    },
  };
});
