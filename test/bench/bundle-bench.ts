/**
 * `npm run bench:bundle`: what the built PWA (dist/app, `vite build` first) makes a
 * browser download. Initial JavaScript is what index.html loads before the first screen:
 * its module script and every modulepreload; everything else (the later screens, the demo)
 * loads on demand, and the service worker in the background. Sizes are gzip level 9, as a
 * server or CDN would send them.
 *
 * Prints a table, writes results/bundle-latest.json, exits 1 when the initial JavaScript
 * is over its budget (50 KB gzip).
 */

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { writeJson } from './browser/browser-report.ts';
import { exitWith } from './run-bench.ts';

const APP_DIR = fileURLToPath(new URL('../../dist/app', import.meta.url));
const RESULTS_PATH = fileURLToPath(new URL('./results/bundle-latest.json', import.meta.url));
/** The budget for initial JavaScript, gzip. */
const INITIAL_BUDGET_BYTES = 50_000;

interface FileSize {
  readonly path: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

async function sizeOf(path: string): Promise<FileSize> {
  const body = await readFile(join(APP_DIR, path));
  return { path, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
}

/** The scripts index.html loads up front: the module entry and its modulepreloads, in order. */
function initialScripts(html: string): string[] {
  const found: string[] = [];
  for (const tag of html.match(/<(script|link)\b[^>]*>/g) ?? []) {
    const isEntry = /^<script\b/.test(tag) && /\btype="module"/.test(tag);
    const isPreload = /^<link\b/.test(tag) && /\brel="modulepreload"/.test(tag);
    const url = /\b(?:src|href)="([^"]+)"/.exec(tag)?.[1];
    if ((isEntry || isPreload) && url !== undefined) found.push(url.replace(/^\//, ''));
  }
  return found;
}

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;

async function main(): Promise<number> {
  const html = await readFile(join(APP_DIR, 'index.html'), 'utf8');
  const initial = await Promise.all(initialScripts(html).map(sizeOf));
  const initialPaths = new Set(initial.map((file) => file.path));
  const assets = (await readdir(join(APP_DIR, 'assets'))).filter((name) => name.endsWith('.js')).map((name) => `assets/${name}`);
  const lazy = await Promise.all(assets.filter((path) => !initialPaths.has(path)).map(sizeOf));
  const worker = await sizeOf('sw.js');
  const sum = (files: readonly FileSize[]): number => files.reduce((total, file) => total + file.gzipBytes, 0);
  const initialGzip = sum(initial);
  const isMet = initialGzip <= INITIAL_BUDGET_BYTES;

  const rows: Array<[string, string, string]> = [
    ...initial.map((file): [string, string, string] => [`initial  ${file.path}`, kb(file.bytes), kb(file.gzipBytes)]),
    ...lazy.map((file): [string, string, string] => [`lazy     ${file.path}`, kb(file.bytes), kb(file.gzipBytes)]),
    [`worker   ${worker.path}`, kb(worker.bytes), kb(worker.gzipBytes)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  process.stdout.write(`${'File'.padEnd(width)}       raw       gzip\n`);
  for (const [name, raw, gzip] of rows) process.stdout.write(`${name.padEnd(width)}  ${raw.padStart(8)}  ${gzip.padStart(9)}\n`);
  process.stdout.write(
    `\nInitial JavaScript: ${kb(initialGzip)} gzip (budget ${kb(INITIAL_BUDGET_BYTES)}: ${isMet ? 'met' : 'NOT met'}); ` +
      `loaded on demand: ${kb(sum(lazy))} gzip in ${lazy.length} chunks\n`,
  );
  writeJson(RESULTS_PATH, {
    measuredAt: new Date().toISOString(),
    budgetGzipBytes: INITIAL_BUDGET_BYTES,
    initialGzipBytes: initialGzip,
    lazyGzipBytes: sum(lazy),
    initial,
    lazy,
    worker,
  });
  return isMet ? 0 : 1;
}

exitWith('bundle bench', main);
