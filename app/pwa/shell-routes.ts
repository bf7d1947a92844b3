/**
 * What the service worker does with a request: pure, so it is unit-tested in Node and
 * shared by the worker and the build step that writes the precache list. No DOM, no
 * worker types: only URL.
 */

/** The precache list the build writes into the worker (see vite.config.ts). */
export interface ShellManifest {
  /**
   * Hash of every precached file's path and bytes: a new build of anything gives a new
   * worker script (so the browser sees an update) and a new cache name.
   */
  readonly version: string;
  /** Same-origin paths, e.g. "/index.html", "/assets/index-abc123.js". */
  readonly paths: readonly string[];
}

/**
 * The global the worker reads its `ShellManifest` from; the build replaces it with an
 * object literal (and fails when it is missing).
 */
export const SHELL_MANIFEST_GLOBAL = '__NEARTALK_SHELL_MANIFEST__';

/** The message a page sends its waiting worker when the person chose to reload into the new version. */
export const SKIP_WAITING = 'skip-waiting';

/** The page every navigation to the app gets from the cache. */
export const SHELL_PAGE = '/index.html';

/** Caches of this app start with this; any other name is someone else's and left alone. */
const CACHE_PREFIX = 'neartalk-shell-';

/** The one cache a worker of `version` keeps. */
export function shellCacheName(version: string): string {
  return `${CACHE_PREFIX}${version}`;
}

/** Caches an activating worker of `version` deletes: this app's older shells. */
export function staleCaches(cacheNames: readonly string[], version: string): string[] {
  const current = shellCacheName(version);
  return cacheNames.filter((name) => name.startsWith(CACHE_PREFIX) && name !== current);
}

/** What a request needs from the worker. */
export interface RequestFacts {
  readonly url: string;
  readonly method: string;
  /** `Request.mode`: "navigate" for page loads. */
  readonly mode: string;
}

/**
 * The cache key that answers a request, or null to leave it to the network untouched.
 * Only GETs of our own origin are answered: navigations to the app's page (any query,
 * e.g. `?demo`) get the precached shell, and precached files get themselves. Everything
 * else (the relay's /health, /metrics, /ws, other origins) never touches the cache.
 */
export function cacheKeyFor(request: RequestFacts, scopeOrigin: string, precached: ReadonlySet<string>): string | null {
  if (request.method !== 'GET') return null;
  const url = new URL(request.url);
  if (url.origin !== scopeOrigin) return null;
  if (request.mode === 'navigate') return url.pathname === '/' || url.pathname === SHELL_PAGE ? SHELL_PAGE : null;
  return precached.has(url.pathname) ? url.pathname : null;
}

/** Files of a build that the worker precaches: everything but itself and source maps. */
export function isPrecached(path: string, workerPath: string): boolean {
  return path !== workerPath && !path.endsWith('.map');
}
