/**
 * Serves the built PWA from memory. The files are read once at start from a
 * `StaticSource` (a directory, or the assets embedded in the single binary): requests
 * can only ever reach files that were there (no path traversal by construction).
 */

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';

interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
  readonly etag: string;
  /** Vite's hashed assets never change under the same name. */
  readonly isImmutable: boolean;
}

/**
 * Defence in depth for the app: scripts only from this origin (chat text is rendered as
 * text anyway), WebSockets to any relay (`?relay=` may name another), no framing, no
 * plugins. Inline styles stay allowed for the page's small critical CSS.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** URL path → file, for every file of the app. */
export type StaticTable = ReadonlyMap<string, StaticFile>;

/** One file of the app: its URL path (`/index.html`, `/assets/x.js`) and its bytes. */
export interface SourceFile {
  readonly urlPath: string;
  readonly body: Buffer;
}

/** Where the app's files come from: read once, when the relay starts. */
export interface StaticSource {
  /** For logs: where the files come from ("directory dist/app", "embedded in the binary"). */
  readonly description: string;
  /** Every file; rejects (the relay does not start) when they cannot be read. */
  readFiles(): Promise<readonly SourceFile[]>;
}

/** The files below `directory`, e.g. Vite's `dist/app`. */
export function directorySource(directory: string): StaticSource {
  return {
    description: `directory ${directory}`,
    readFiles: async () => {
      const entries = await readdir(directory, { recursive: true, withFileTypes: true });
      const files: SourceFile[] = [];
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        const fullPath = join(entry.parentPath, entry.name);
        files.push({ urlPath: `/${relative(directory, fullPath).split(sep).join('/')}`, body: await readFile(fullPath) });
      }
      return files;
    },
  };
}

/** Reads every file of `source` into memory, with its headers decided once. */
export async function loadStaticTable(source: StaticSource): Promise<StaticTable> {
  const table = new Map<string, StaticFile>();
  for (const { urlPath, body } of await source.readFiles()) {
    table.set(urlPath, {
      body,
      contentType: CONTENT_TYPES[extname(urlPath).toLowerCase()] ?? 'application/octet-stream',
      etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
      isImmutable: urlPath.startsWith('/assets/'),
    });
  }
  return table;
}

/** Answers a GET or HEAD from the table; false when no file matches (the caller answers 404). */
export function serveStatic(table: StaticTable, request: IncomingMessage, response: ServerResponse, pathname: string): boolean {
  const file = table.get(pathname === '/' ? '/index.html' : pathname);
  if (file === undefined) return false;
  response.setHeader('Content-Type', file.contentType);
  response.setHeader('ETag', file.etag);
  response.setHeader('Cache-Control', file.isImmutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  response.setHeader('Permissions-Policy', 'geolocation=(self), microphone=(self), camera=()');
  if (request.headers['if-none-match'] === file.etag) {
    response.writeHead(304).end();
    return true;
  }
  response.setHeader('Content-Length', file.body.length);
  response.writeHead(200);
  response.end(request.method === 'HEAD' ? undefined : file.body);
  return true;
}
