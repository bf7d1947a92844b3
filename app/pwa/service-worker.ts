/**
 * NearTalk's service worker: precaches the app shell of one build and answers from it,
 * so the app opens without a network. It never takes over from an older worker by
 * itself: the page shows "reload to update" and asks it to (`skip-waiting`), so a page
 * never runs with files of two builds. The build (vite.config.ts) writes the precache
 * list over the placeholder.
 */

import { cacheKeyFor, shellCacheName, SKIP_WAITING, staleCaches, type ShellManifest } from './shell-routes.ts';

declare const self: ServiceWorkerGlobalScope;
/** Replaced by the build with this build's precache list (an object literal). */
declare const __NEARTALK_SHELL_MANIFEST__: ShellManifest;

const manifest = __NEARTALK_SHELL_MANIFEST__;
const cacheName = shellCacheName(manifest.version);
const precached: ReadonlySet<string> = new Set(manifest.paths);

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(cacheName);
      // Past the HTTP cache: a stale index.html would pin the new shell to old assets.
      await cache.addAll(manifest.paths.map((path) => new Request(path, { cache: 'reload' })));
      // With no worker before us there is no older version to protect: take over at once,
      // so the very first visit already keeps working when the network goes.
      if (self.registration.active === null) await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(staleCaches(names, manifest.version).map((name) => caches.delete(name)));
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === SKIP_WAITING) void self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const key = cacheKeyFor(event.request, self.location.origin, precached);
  if (key === null) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(cacheName);
      // A file missing from the cache (evicted under storage pressure) still comes from the network.
      return (await cache.match(key)) ?? fetch(event.request);
    })(),
  );
});
