import { fileURLToPath } from 'node:url';
import { defineConfig, loadEnv } from 'vite';
import { parseRelayUrl } from './app/core/relay-url.ts';

const rootDir = fileURLToPath(new URL('.', import.meta.url));
const appDir = fileURLToPath(new URL('./app', import.meta.url));

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
    build: {
      outDir: '../dist/app',
      emptyOutDir: true,
    },
  };
});
