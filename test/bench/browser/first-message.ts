/**
 * Time to first message: two fresh peers 300 m apart navigate at the same moment, go
 * through onboarding (driven by Playwright), and A sends a message as soon as its Message
 * box is there. Measured from the earlier navigation start to the message in B's list,
 * all on the clock the browser's pages share, with the steps in between stamped in the
 * pages to show where the time goes.
 */

import type { Browser, BrowserContext } from '@playwright/test';
import type { MeshPeer } from '../../fixture/mesh-peer.ts';
import { benchToken, pageStamps, shownTimes, waitShown, type PageStamps } from './bench-probe.ts';
import { closeAll, dropCounters, LAT_A, LAT_B, LON, newBenchContext, openBenchPeer, typeAndSend } from './bench-peers.ts';

/** How long B may take to show A's message before the run counts as failed. */
const ARRIVAL_TIMEOUT_MS = 10_000;

/** Steps of one run, in ms after the earlier of the two navigation starts (null: not seen). */
export interface FirstMessageSteps {
  /** B's navigation start (A's is 0 unless B started first). */
  readonly bNavigation: number;
  /** A's intro screen in the DOM: the app has loaded and rendered. */
  readonly aIntro: number | null;
  /** A's "Allow location" click. */
  readonly aAllowClick: number | null;
  /** A's username form in the DOM: a position arrived. */
  readonly aNameForm: number | null;
  readonly aJoinClick: number | null;
  readonly bJoinClick: number | null;
  /** A's composer in the DOM: the chat screen. */
  readonly aComposer: number | null;
  readonly aSendClick: number | null;
  /** A's own list shows the message (signed and stored). */
  readonly aShown: number | null;
  /** A's data channel to B open. */
  readonly aChannelOpen: number | null;
  /** B's data channel to A open. */
  readonly bChannelOpen: number | null;
  /** B's list shows A's message: the time to first message. */
  readonly bShown: number | null;
}

export type StepName = keyof FirstMessageSteps;

export interface FirstMessageRun {
  readonly run: number;
  readonly steps: FirstMessageSteps;
  /** Uncaught errors and console errors of either page. */
  readonly pageErrors: readonly string[];
  /** B's drop counters when the message did not arrive. */
  readonly bDrops?: Record<string, number>;
}

/** Clicks in onboarding order: Allow location, Join, Send. */
const ALLOW_CLICK = 0;
const JOIN_CLICK = 1;
const SEND_CLICK = 2;

function steps(a: PageStamps, b: PageStamps, aShown: number | null, bShown: number | null): FirstMessageSteps {
  const start = Math.min(a.timeOrigin, b.timeOrigin);
  const since = (time: number | null | undefined): number | null => (time === null || time === undefined ? null : time - start);
  return {
    bNavigation: b.timeOrigin - start,
    aIntro: since(a.milestones.get('nt-intro')),
    aAllowClick: since(a.clicks[ALLOW_CLICK]),
    aNameForm: since(a.milestones.get('nt-username-form')),
    aJoinClick: since(a.clicks[JOIN_CLICK]),
    bJoinClick: since(b.clicks[JOIN_CLICK]),
    aComposer: since(a.milestones.get('nt-composer')),
    aSendClick: since(a.clicks[SEND_CLICK]),
    aShown: since(aShown),
    aChannelOpen: since(a.channelOpens[0]),
    bChannelOpen: since(b.channelOpens[0]),
    bShown: since(bShown),
  };
}

async function measureRun(browser: Browser, baseUrl: string, run: number, contexts: BrowserContext[]): Promise<FirstMessageRun> {
  const contextA = await newBenchContext(browser, { baseUrl, lat: LAT_A, lon: LON });
  contexts.push(contextA);
  const contextB = await newBenchContext(browser, { baseUrl, lat: LAT_B, lon: LON });
  contexts.push(contextB);
  const token = benchToken('first', run);
  const [peerA, peerB] = await Promise.all([
    openBenchPeer(contextA, `First A${run}`, LAT_A, LON).then(async (peer: MeshPeer) => {
      await typeAndSend(peer, `hello ${token}`);
      return peer;
    }),
    openBenchPeer(contextB, `First B${run}`, LAT_B, LON),
  ]);
  const bShown = await waitShown(peerB.page, token, ARRIVAL_TIMEOUT_MS);
  const [stampsA, stampsB, aShown] = await Promise.all([
    pageStamps(peerA.page),
    pageStamps(peerB.page),
    shownTimes(peerA.page).then((times) => times.get(token) ?? null),
  ]);
  return {
    run,
    steps: steps(stampsA, stampsB, aShown, bShown),
    pageErrors: [...peerA.pageErrors.map((error) => `A: ${error}`), ...peerB.pageErrors.map((error) => `B: ${error}`)],
    ...(bShown === null ? { bDrops: await dropCounters(peerB.page) } : {}),
  };
}

/** `runs` runs, one after another, each with two fresh contexts closed before the next starts. */
export async function measureFirstMessage(
  browser: Browser,
  baseUrl: string,
  runs: number,
  onRun: (result: FirstMessageRun) => void,
): Promise<FirstMessageRun[]> {
  const results: FirstMessageRun[] = [];
  for (let run = 1; run <= runs; run += 1) {
    const contexts: BrowserContext[] = [];
    try {
      const result = await measureRun(browser, baseUrl, run, contexts);
      results.push(result);
      onRun(result);
    } finally {
      await closeAll(contexts);
    }
  }
  return results;
}
