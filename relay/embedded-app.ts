/**
 * What the single binary carries besides the relay's code (see relay/build/build-binary.ts):
 * a manifest (the package version and the list of the PWA's files) and each file of the
 * built PWA as a Node SEA asset. Run any other way (`npm run relay`), there is none.
 */

import { getAsset, isSea } from 'node:sea';
import { isJsonObject, parseJson } from '../app/core/json.ts';
import type { SourceFile, StaticSource } from './static-files.ts';

/** Asset key of the manifest. */
export const MANIFEST_ASSET_KEY = 'neartalk/manifest.json';

/** Asset key of the app file served at `urlPath` (which starts with `/`). */
export function appAssetKey(urlPath: string): string {
  return `neartalk/app${urlPath}`;
}

export interface EmbeddedManifest {
  /** The package version the binary was built from (`--version`). */
  readonly version: string;
  /** URL paths of the PWA's files (`/index.html`, `/assets/…`); empty when built without it. */
  readonly appFiles: readonly string[];
}

/** Parses the manifest text; null when it is not what the build writes. */
export function parseManifest(text: string): EmbeddedManifest | null {
  const value = parseJson(text);
  if (!isJsonObject(value)) return null;
  const { version, appFiles } = value;
  if (typeof version !== 'string' || version === '' || !Array.isArray(appFiles)) return null;
  const files: string[] = [];
  for (const file of appFiles) {
    if (typeof file !== 'string' || !file.startsWith('/')) return null;
    files.push(file);
  }
  return { version, appFiles: files };
}

/**
 * The manifest of the running binary; null when not running as the single binary.
 * Throws when the binary carries a broken manifest (a build bug, not an operator's).
 */
export function readEmbeddedManifest(): EmbeddedManifest | null {
  if (!isSea()) return null;
  const manifest = parseManifest(getAsset(MANIFEST_ASSET_KEY, 'utf8'));
  if (manifest === null) throw new Error(`the binary's ${MANIFEST_ASSET_KEY} is malformed: rebuild it with npm run build:binary`);
  return manifest;
}

/** The PWA embedded in the binary as a static source; null when it was built without one. */
export function embeddedAppSource(manifest: EmbeddedManifest): StaticSource | null {
  if (manifest.appFiles.length === 0) return null;
  return {
    description: 'the app built into this binary',
    // getAsset copies out of the executable's memory once; the relay keeps the bytes.
    readFiles: async (): Promise<SourceFile[]> =>
      manifest.appFiles.map((urlPath) => ({ urlPath, body: Buffer.from(getAsset(appAssetKey(urlPath))) })),
  };
}
