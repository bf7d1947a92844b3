import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './fixture/chromium.ts';
import { enginesFromEnvironment } from './fixture/engines.ts';

/**
 * Peers spread over several engines (`NEARTALK_ENGINES`) take longer: a Firefox launch per
 * worker (again after every failed test) and slower pages. Waits inside tests stay the same.
 */
const isMixed = enginesFromEnvironment().length > 1;

// Browser tests: `npm run test:e2e` builds the app (dist/app) first; each test's relay serves it.
export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.test.ts',
  outputDir: '../test-results',
  // Two cores: one worker, so WebRTC timings are not starved by a second browser.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env['CI'],
  retries: 0,
  // Multi-peer tests on two cores, some at the product's proof-of-work price (about a second
  // of a core per peer, see test/fixture/mesh-fixture.ts): more than 30 s.
  timeout: isMixed ? 90_000 : 60_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: chromiumLaunchOptions(),
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    // A failed test keeps its trace (actions, DOM snapshots, network, console) but no
    // screencast: recording one streams frames from every page all the time, which tripled
    // the browser's idle CPU with six peers open (49 % of a core against 14 %) and slowed
    // every multi-peer test on two cores. The fixture attaches each peer's diagnostics too.
    trace: { mode: 'retain-on-failure', screenshots: false },
  },
});
