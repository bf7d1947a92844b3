import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, loadEnv, type Plugin } from 'vite';
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
 * Writes the precache list into the service worker: every file of this build (chunks,
 * assets, index.html, public/) with a version hashed from their paths and bytes. Fifty
 * lines here instead of workbox-build and its Babel and Rollup tree (see README).
 */
function precacheShell(): Plugin {
  let publicDir = '';
  return {
    name: 'neartalk-precache-shell',
    apply: 'build',
    configResolved(config) {
      publicDir = config.publicDir;
    },
    generateBundle: {
      // After Vite's HTML plugin has emitted index.html.
      order: 'post',
      async handler(_options, bundle) {
        const worker = bundle[WORKER_FILE];
        if (worker?.type !== 'chunk') throw new Error(`precache: the build has no ${WORKER_FILE} chunk`);
        const files: Array<[string, Uint8Array | string]> = Object.values(bundle).map((item) => [
          `/${item.fileName}`,
          item.type === 'chunk' ? item.code : item.source,
        ]);
        if (publicDir !== '') files.push(...(await readTree(publicDir)));
        const kept = files.filter(([path]) => isPrecached(path, `/${WORKER_FILE}`)).sort(([a], [b]) => (a < b ? -1 : 1));
        const hash = createHash('sha256');
        for (const [path, body] of kept) hash.update(path).update('\0').update(body).update('\0');
        const shell: ShellManifest = { version: hash.digest('hex').slice(0, 16), paths: kept.map(([path]) => path) };
        if (!worker.code.includes(SHELL_MANIFEST_GLOBAL)) throw new Error(`precache: ${WORKER_FILE} does not read ${SHELL_MANIFEST_GLOBAL}`);
        worker.code = worker.code.replaceAll(SHELL_MANIFEST_GLOBAL, JSON.stringify(shell));
      },
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
    plugins: [precacheShell()],
    build: {
      outDir: '../dist/app',
      emptyOutDir: true,
      rolldownOptions: {
        input: {
          index: fileURLToPath(new URL('./app/index.html', import.meta.url)),
          sw: fileURLToPath(new URL('./app/pwa/service-worker.ts', import.meta.url)),
        },
        output: {
          // The worker keeps one name across builds; everything else is content-hashed.
          entryFileNames: (chunk) => (chunk.name === 'sw' ? WORKER_FILE : 'assets/[name]-[hash].js'),
        },
      },
    },
  };
});
