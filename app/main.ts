/**
 * Starts NearTalk: the app shell with its session. `?demo` (and `?demo=denied`,
 * `?demo=unavailable`, `?demo=offline`, `?demo=mic-denied`, `?demo=mic-lost`) shows a
 * pretend session that walks through every screen; it is loaded only then, so it never
 * weighs on the real app.
 */

import './components/nt-app.ts';
import { createSession } from './session/create-session.ts';
import type { SessionView } from './session/session-state.ts';

async function createSessionView(pageUrl: string): Promise<SessionView> {
  const demo = new URL(pageUrl).searchParams.get('demo');
  if (demo !== null) {
    const { FakeSession, parseDemoMode } = await import('./session/fake-session.ts');
    return new FakeSession({ mode: parseDemoMode(demo) });
  }
  return createSession(pageUrl, import.meta.env.VITE_RELAY_URL);
}

const app = document.createElement('nt-app');
document.body.append(app);
createSessionView(location.href).then(
  (session) => {
    app.session = session;
  },
  (err: unknown) => {
    console.error('NearTalk could not start', err instanceof Error ? err.message : String(err));
  },
);
