/**
 * Starts NearTalk: the app shell with its session, the network status, and (in a build)
 * the service worker that keeps the shell working offline. `?demo` (and `?demo=denied`,
 * `?demo=unavailable`, `?demo=offline`, `?demo=mic-denied`, `?demo=mic-lost`) shows a
 * pretend session that walks through every screen; it is loaded only then, so it never
 * weighs on the real app.
 */

import './components/nt-app.ts';
import { AppUpdates } from './pwa/app-updates.ts';
import { NetworkStatus } from './pwa/network-status.ts';
import { IndexedDbIdentityStore } from './identity/identity-store.ts';
import { TabLock } from './identity/tab-lock.ts';
import { createSession } from './session/create-session.ts';
import type { SessionView } from './session/session-state.ts';

async function createSessionView(demo: string | null, pageUrl: string): Promise<SessionView> {
  if (demo !== null) {
    const { FakeSession, parseDemoMode } = await import('./session/fake-session.ts');
    return new FakeSession({ mode: parseDemoMode(demo) });
  }
  // "Start fresh" forgets the identity; the reload then starts as someone new.
  return createSession(pageUrl, import.meta.env.VITE_RELAY_URL, new IndexedDbIdentityStore(), () => location.reload());
}

/** A new random seed for the radar's bearings every session; a fixed one for the demo's pictures. */
function radarSalt(demo: string | null): string {
  if (demo !== null) return 'demo';
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

const demo = new URL(location.href).searchParams.get('demo');
const app = document.createElement('nt-app');
app.radarSalt = radarSalt(demo);
app.networkStatus = new NetworkStatus(window);
document.body.append(app);

// Only a build has the worker (vite.config.ts writes it); the dev server serves sources.
if (import.meta.env.PROD) {
  const updates = new AppUpdates({
    container: navigator.serviceWorker,
    scriptUrl: `${import.meta.env.BASE_URL}sw.js`,
    document,
    reload: () => location.reload(),
  });
  app.appUpdates = updates;
  // After the page's own loading, so precaching never competes with the first screen.
  window.addEventListener('load', () => void updates.start(), { once: true });
}

let session: SessionView | null = null;
/** Bumped when the session stops, so one still being made is thrown away. */
let generation = 0;

function startSession(): void {
  const started = ++generation;
  createSessionView(demo, location.href).then(
    (made) => {
      if (started !== generation) return made.dispose();
      session = made;
      app.session = made;
    },
    (err: unknown) => {
      console.error('NearTalk could not start', err instanceof Error ? err.message : String(err));
    },
  );
}

function stopSession(): void {
  generation += 1;
  session?.dispose();
  session = null;
  app.session = null;
}

// The demo is a pretend session: no identity to share, any number of tabs.
if (demo !== null) startSession();
else {
  const tabs = new TabLock(navigator.locks, startSession, stopSession);
  app.tabLock = tabs;
  tabs.start();
}
