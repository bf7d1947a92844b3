/**
 * `npm run build:binary`: one executable, `dist/neartalk-relay`, holding the relay and the
 * built PWA (a Node single executable application, Node 20.12+):
 *
 *   1. vite build                  → dist/app (the PWA)
 *   2. esbuild                     → dist/binary/neartalk-relay.cjs (relay/main.ts and its
 *                                    imports, ws included, as one CommonJS file)
 *   3. manifest + sea-config.json  → every file of dist/app as an asset, plus the version
 *   4. node --experimental-sea-config → dist/binary/sea-prep.blob
 *   5. copy this node, postject the blob into it → dist/neartalk-relay
 *
 * Each step prints how long it took. `--skip-app-build` reuses dist/app as it is.
 */

import { spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { appAssetKey, MANIFEST_ASSET_KEY, type EmbeddedManifest } from '../embedded-app.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP_DIR = join(ROOT, 'dist', 'app');
const WORK_DIR = join(ROOT, 'dist', 'binary');
const BUNDLE = join(WORK_DIR, 'neartalk-relay.cjs');
const BLOB = join(WORK_DIR, 'sea-prep.blob');
/** Where the executable lands. */
const BINARY_PATH = join(ROOT, 'dist', 'neartalk-relay');
/** The fuse Node's own build carries; postject flips it so node looks for the blob. */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  const startedAt = performance.now();
  const result = await work();
  process.stdout.write(`build:binary: ${name} (${Math.round(performance.now() - startedAt)} ms)\n`);
  return result;
}

/** Runs a command to completion; rejects with its output when it fails. */
function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${String(code)}:\n${output.join('')}`));
    });
  });
}

/** URL paths of every file below `directory`. */
async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => `/${relative(directory, join(entry.parentPath, entry.name)).split(sep).join('/')}`)
    .sort();
}

async function packageVersion(): Promise<string> {
  const text = await readFile(join(ROOT, 'package.json'), 'utf8');
  const match = /"version"\s*:\s*"([^"]+)"/.exec(text);
  if (match?.[1] === undefined) throw new Error('package.json has no version');
  return match[1];
}

async function bundleRelay(): Promise<void> {
  await esbuild({
    entryPoints: [join(ROOT, 'relay', 'main.ts')],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    // Node 20's SEA runs one CommonJS script.
    format: 'cjs',
    target: 'node20',
    // ws's optional native helpers cannot be bundled; these make it use its JS fallbacks
    // without trying (and warning about) a require that would fail.
    define: {
      'process.env.WS_NO_BUFFER_UTIL': '"1"',
      'process.env.WS_NO_UTF_8_VALIDATE': '"1"',
    },
    // main.ts reads package.json through import.meta.url only when not a binary: in the
    // binary the version comes from the embedded manifest.
    logOverride: { 'empty-import-meta': 'silent' },
    legalComments: 'none',
    logLevel: 'warning',
  });
}

async function writeSeaConfig(version: string, appFiles: readonly string[]): Promise<string> {
  const manifest: EmbeddedManifest = { version, appFiles };
  const manifestPath = join(WORK_DIR, 'manifest.json');
  await writeFile(manifestPath, JSON.stringify(manifest));
  const assets: Record<string, string> = { [MANIFEST_ASSET_KEY]: manifestPath };
  for (const urlPath of appFiles) assets[appAssetKey(urlPath)] = join(APP_DIR, ...urlPath.slice(1).split('/'));
  const configPath = join(WORK_DIR, 'sea-config.json');
  await writeFile(
    configPath,
    JSON.stringify({ main: BUNDLE, output: BLOB, disableExperimentalSEAWarning: true, useCodeCache: true, assets }, null, 2),
  );
  return configPath;
}

async function main(): Promise<void> {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 12)) {
    throw new Error(`the single binary needs Node 20.12 or later (SEA assets); this is ${process.version}`);
  }
  const startedAt = performance.now();
  if (!process.argv.includes('--skip-app-build')) {
    await step('vite build → dist/app', () => viteBuild({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' }));
  }
  const appFiles = await listFiles(APP_DIR).catch((err: unknown) => {
    throw new Error(`no built app in ${APP_DIR} (${err instanceof Error ? err.message : String(err)}); run without --skip-app-build`);
  });
  if (!appFiles.includes('/index.html')) throw new Error(`${APP_DIR} has no index.html`);
  await rm(WORK_DIR, { recursive: true, force: true });
  await mkdir(WORK_DIR, { recursive: true });
  await step('esbuild relay → one CommonJS file', bundleRelay);
  const configPath = await writeSeaConfig(await packageVersion(), appFiles);
  await step(`sea blob (relay + ${appFiles.length} app files)`, () => run(process.execPath, ['--experimental-sea-config', configPath]));
  await step('copy node + postject', async () => {
    await rm(BINARY_PATH, { force: true });
    await copyFile(process.execPath, BINARY_PATH);
    await chmod(BINARY_PATH, 0o755);
    const postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
    await run(process.execPath, [postject, BINARY_PATH, 'NODE_SEA_BLOB', BLOB, '--sentinel-fuse', SEA_FUSE]).catch((err: unknown) => {
      throw new Error(
        `postject failed; a node built without single-executable support (some distribution packages) cannot be used: ${process.execPath}\n${String(err)}`,
      );
    });
  });
  const { size } = await stat(BINARY_PATH);
  process.stdout.write(
    `build:binary: ${relative(ROOT, BINARY_PATH)} ${(size / 1024 / 1024).toFixed(1)} MiB in ${((performance.now() - startedAt) / 1000).toFixed(1)} s\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`build:binary: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
