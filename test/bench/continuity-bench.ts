/**
 * `npm run bench:continuity [-- --runs N]`: how fast a person gets back to the same
 * conversation. Four figures, each the median of N runs (relay restart: one run of 200
 * simulated peers):
 * - reload → the chat shown again with the earlier messages (real Chromium, loopback);
 * - offline → online: the relay back, every link open, a message sent meanwhile shown (the
 *   links cut too: TURN-only, the TURN server down with the network);
 * - relay restart under 200 simulated peers: all back in their cells, arrivals spread, lost;
 * - ICE restart: a TURN-only link cut by its TURN server stopping, usable again after it returns.
 * Prints the machine's load first: the machine is shared, and figures move with it.
 */

import { loadavg } from 'node:os';
import { chromium, expect, type Browser, type BrowserContext } from '@playwright/test';
import { chromiumLaunchOptions } from '../fixture/chromium.ts';
import { relayTurnFor, startCoturn } from '../fixture/coturn.ts';
import { MeshPeer } from '../fixture/mesh-peer.ts';
import { startRelay, type RelayHandle } from '../fixture/relay-fixture.ts';
import { runRelayRestart } from '../sim/relay-restart.ts';
import { summarize } from './stats.ts';

const LAT_A = 48.8566;
const LAT_B = 48.8593;
const LON = 2.3522;

/** `--name N` from the command line, within [min, max], else `fallback`. */
function numberArg(name: string, fallback: number, min: number, max: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? fallback : Number(process.argv[at + 1]);
  return Number.isFinite(value) ? Math.max(min, Math.min(max, value)) : fallback;
}

const RUNS = numberArg('runs', 5, 1, 50);
/** How long each offline run stays offline (real seconds; the case is 60). */
const OFFLINE_S = numberArg('offline-s', 60, 1, 600);

async function pair(browser: Browser, baseUrl: string, query: Record<string, string> = {}): Promise<{ alice: MeshPeer; bob: MeshPeer; contexts: BrowserContext[] }> {
  const contexts: BrowserContext[] = [];
  const open = async (name: string, lat: number): Promise<MeshPeer> => {
    const context = await browser.newContext({ baseURL: baseUrl, geolocation: { latitude: lat, longitude: LON, accuracy: 10 }, permissions: ['geolocation', 'microphone'] });
    contexts.push(context);
    return MeshPeer.open(context, 'chromium', { name, lat, lon: LON, query }, 'bench');
  };
  const alice = await open('Alice', LAT_A);
  const bob = await open('Bob', LAT_B);
  await bob.expectNearby('Alice');
  return { alice, bob, contexts };
}

/** Reload → the message box back and the earlier messages (own and Bob's) shown again. */
async function reloadRun(browser: Browser, relay: RelayHandle, run: number): Promise<number> {
  const { alice, bob, contexts } = await pair(browser, relay.baseUrl);
  try {
    await alice.say(`before ${run}`);
    await bob.say(`answer ${run}`);
    await alice.expectMessage(`answer ${run}`);
    const startMs = performance.now();
    await alice.page.reload();
    await expect(alice.messageBox).toBeVisible({ timeout: 30_000 });
    await alice.expectMessage(`answer ${run}`, { timeout: 30_000 });
    await alice.expectMessage(`before ${run}`, { timeout: 30_000 });
    return performance.now() - startMs;
  } finally {
    await Promise.allSettled(contexts.map((context) => context.close()));
  }
}

/**
 * Offline (relay gone meanwhile, page timers 60 s on) → online: relay, links, the missed
 * message. Offline emulation does not cut WebRTC's own sockets, so the pair links only
 * through a TURN server that goes down with the network, as a real outage cuts the links.
 */
async function offlineRun(browser: Browser, run: number): Promise<number> {
  let turn = await startCoturn();
  const turnConfig = relayTurnFor(turn);
  let relay = await startRelay(undefined, { turn: turnConfig });
  const port = Number(new URL(relay.baseUrl).port);
  const { alice, bob, contexts } = await pair(browser, relay.baseUrl, { ice: 'relay' });
  try {
    await alice.setOffline(true);
    await relay.relay.close();
    await turn.stop();
    // Offline for real: the page's reconnect attempts fail meanwhile, and the link dies.
    await new Promise((resolve) => setTimeout(resolve, OFFLINE_S * 1_000));
    turn = await startCoturn(turn.secret, turn.port);
    relay = await startRelay(undefined, { port, turn: turnConfig });
    await bob.say(`while away ${run}`);
    const startMs = performance.now();
    await alice.setOffline(false);
    await expect(alice.status).toHaveText(/^Connected to relay · 1 peer/, { timeout: 60_000 });
    await alice.expectMessage(`while away ${run}`, { timeout: 60_000 });
    return performance.now() - startMs;
  } finally {
    await Promise.allSettled(contexts.map((context) => context.close()));
    await relay.relay.close();
    await turn.stop();
  }
}

/** TURN-only link; TURN stopped until ICE is down, started again: time until a message crosses. */
async function iceRun(browser: Browser, run: number): Promise<number> {
  let turn = await startCoturn();
  const relay = await startRelay(undefined, { turn: relayTurnFor(turn) });
  const { alice, bob, contexts } = await pair(browser, relay.baseUrl, { ice: 'relay' });
  try {
    const { port, secret } = turn;
    await turn.stop();
    await expect.poll(async () => (await bob.iceStates()).at(-1), { timeout: 30_000 }).not.toMatch(/^(connected|completed)$/);
    turn = await startCoturn(secret, port);
    const startMs = performance.now();
    await alice.say(`after the cut ${run}`);
    await bob.expectMessage(`after the cut ${run}`, { timeout: 60_000 });
    return performance.now() - startMs;
  } finally {
    await Promise.allSettled(contexts.map((context) => context.close()));
    await relay.relay.close();
    await turn.stop();
  }
}

function line(label: string, samples: readonly number[]): string {
  const summary = summarize(samples);
  return `${label}: p50 ${Math.round(summary.p50)} ms, max ${Math.round(summary.max)} ms (${summary.count} runs)`;
}

const load = loadavg().map((value) => value.toFixed(2)).join(' ');
console.log(`continuity bench, ${RUNS} runs each (offline ${OFFLINE_S} s); load average at start: ${load}`);
const browser = await chromium.launch(chromiumLaunchOptions());
const results: string[] = [];
try {
  const relay = await startRelay();
  try {
    const reloads: number[] = [];
    for (let run = 0; run < RUNS; run += 1) reloads.push(await reloadRun(browser, relay, run));
    results.push(line('reload → chat with earlier messages', reloads));
  } finally {
    await relay.relay.close();
  }
  const offline: number[] = [];
  for (let run = 0; run < RUNS; run += 1) offline.push(await offlineRun(browser, run));
  results.push(line(`offline ${OFFLINE_S} s → relay, links and missed message back after online`, offline));
  const ice: number[] = [];
  for (let run = 0; run < RUNS; run += 1) ice.push(await iceRun(browser, run));
  results.push(line('ICE restart: TURN back → link carries a message again', ice));
} finally {
  await browser.close();
}
const restart = await runRelayRestart({ peers: 200, messagesWhileAway: 20, failedAttemptsEach: 2 });
const rejoin = summarize(restart.rejoinAfterMs);
results.push(
  `relay restart, 200 simulated peers: all back in their cells ${Math.round(rejoin.max)} ms after the relay (p50 ${Math.round(rejoin.p50)} ms), ` +
    `arrivals spread over ${Math.round(restart.arrivalSpreadMs)} ms (at most ${restart.mostArrivalsInOneSecond} in one second), ` +
    `${restart.lost} of ${restart.messagesWhileAway} messages lost among linked peers`,
);
for (const result of results) console.log(result);
console.log(`load average at the end: ${loadavg().map((value) => value.toFixed(2)).join(' ')}`);
process.exit(0);
