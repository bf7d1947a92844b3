/**
 * The in-page half of the browser bench: an init script that timestamps, on the clock all
 * pages of one browser share (`performance.timeOrigin + performance.now()`, in ms since the
 * epoch), the moment a chat message first appears in the Messages list, the moment each
 * data channel opens, and the moment a raw frame is handed to a data channel. The Node
 * half reads those stamps through `page.evaluate`.
 *
 * Messages are recognised by a token in their text (`benchToken`). The list lives in Lit
 * shadow roots, which a MutationObserver on the document does not see: every shadow root
 * is observed too, by wrapping `attachShadow` before the app defines its elements.
 */

import type { Page } from '@playwright/test';

/** What the probe exposes on `window.__ntBench`. */
export interface BenchProbeApi {
  /** The shared clock: ms since the epoch, sub-millisecond resolution. */
  now(): number;
  /** Token → when a Messages list item carrying it was first in the DOM. */
  readonly shown: Map<string, number>;
  /** When each data channel the app made reached `open`. */
  readonly channelOpens: number[];
  /** Screen element (`nt-intro`, `nt-username-form`, `nt-composer`) → when it was first in the DOM. */
  readonly milestones: Map<string, number>;
  /** When each click (Allow location, Join, Send, …) was dispatched, in order. */
  readonly clicks: number[];
  /** Resolves with the token's shown time, or null after `timeoutMs`. */
  waitShown(token: string, timeoutMs: number): Promise<number | null>;
  /** Sends `frame` down the first open data channel; the time stamped right before `send()`, or null. */
  send(frame: string): number | null;
  /**
   * Sends `frames` one every `intervalMs` (open loop, not waiting for anything); resolves
   * with each frame's send time (null where no channel was open).
   */
  sendPaced(frames: readonly string[], intervalMs: number): Promise<(number | null)[]>;
}

declare global {
  interface Window {
    __ntBench?: BenchProbeApi;
  }
}

/** The screens whose first appearance is stamped (onboarding, then chat). */
export const MILESTONE_ELEMENTS = ['nt-intro', 'nt-username-form', 'nt-composer'] as const;

/** A message text token: `nt-bench-<kind>-<n>`. */
export const benchToken = (kind: string, index: number): string => `nt-bench-${kind}-${index}`;

/**
 * Runs in every page before the app. It is serialised into the page, so it is
 * self-contained, and its helpers are object methods: tsx (esbuild) wraps named function
 * and arrow declarations in a `__name()` helper that does not exist in the page.
 */
export function installBenchProbe(milestoneElements: readonly string[]): void {
  const waiters = new Map<string, ((time: number) => void)[]>();
  const channels: RTCDataChannel[] = [];
  const channelOpens: number[] = [];
  const clicks: number[] = [];
  const probe = {
    tokenPattern: /nt-bench-[a-z]+-\d+/,
    shown: new Map<string, number>(),
    milestones: new Map<string, number>(),
    now(): number {
      return performance.timeOrigin + performance.now();
    },
    record(item: Element, time: number): void {
      if (item.parentElement?.getAttribute('aria-label') !== 'Messages') return;
      const token = probe.tokenPattern.exec(item.textContent ?? '')?.[0];
      if (token === undefined || probe.shown.has(token)) return;
      probe.shown.set(token, time);
      for (const resolve of waiters.get(token) ?? []) resolve(time);
      waiters.delete(token);
    },
    scan(node: Node, time: number): void {
      // Lit's comment markers land in the list itself: only elements and text are looked at,
      // or every new message would make the probe walk the whole list.
      if (node instanceof Text) {
        const item = node.parentElement?.closest('li');
        if (item !== null && item !== undefined) probe.record(item, time);
        return;
      }
      if (!(node instanceof Element)) return;
      if (probe.milestones.size < milestoneElements.length) probe.stampMilestones(node, time);
      const item = node.closest('li');
      if (item !== null) probe.record(item, time);
      else for (const inner of node.querySelectorAll('li')) probe.record(inner, time);
    },
    stampMilestones(element: Element, time: number): void {
      for (const name of milestoneElements) {
        if (!probe.milestones.has(name) && (element.localName === name || element.querySelector(name) !== null)) probe.milestones.set(name, time);
      }
    },
    send(frame: string): number | null {
      const channel = channels.find((candidate) => candidate.readyState === 'open');
      if (channel === undefined) return null;
      const time = probe.now();
      channel.send(frame);
      return time;
    },
  };

  const observer = new MutationObserver((records) => {
    // Delivered at the microtask checkpoint after the app's render task: after Lit's `updated()`
    // hooks too, so a layout they force (the list scrolling to its end) is included.
    const time = probe.now();
    for (const change of records) {
      if (change.type === 'characterData') probe.scan(change.target, time);
      for (const added of change.addedNodes) probe.scan(added, time);
    }
  });
  const watch: MutationObserverInit = { childList: true, subtree: true, characterData: true };
  observer.observe(document, watch);
  const attachShadow = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (this: Element, init: ShadowRootInit): ShadowRoot {
    const root = attachShadow.call(this, init);
    observer.observe(root, watch);
    return root;
  };

  // Clicks inside shadow roots are composed: they reach the window's capture listener.
  window.addEventListener('click', () => clicks.push(probe.now()), { capture: true });

  const createDataChannel = RTCPeerConnection.prototype.createDataChannel;
  RTCPeerConnection.prototype.createDataChannel = function (this: RTCPeerConnection, ...args: Parameters<typeof createDataChannel>) {
    const channel = createDataChannel.apply(this, args);
    channels.push(channel);
    channel.addEventListener('open', () => channelOpens.push(probe.now()));
    return channel;
  };

  const api: BenchProbeApi = {
    shown: probe.shown,
    channelOpens,
    milestones: probe.milestones,
    clicks,
    now() {
      return probe.now();
    },
    send(frame) {
      return probe.send(frame);
    },
    waitShown(token, timeoutMs) {
      return new Promise((resolve) => {
        const known = probe.shown.get(token);
        if (known !== undefined) return resolve(known);
        const timer = setTimeout(() => resolve(null), timeoutMs);
        const list = waiters.get(token) ?? [];
        list.push((time) => {
          clearTimeout(timer);
          resolve(time);
        });
        waiters.set(token, list);
      });
    },
    async sendPaced(frames, intervalMs) {
      const times: (number | null)[] = [];
      const start = probe.now();
      for (const [index, frame] of frames.entries()) {
        // Due times count from the start, so one late timer does not push every later send back.
        const waitMs = start + index * intervalMs - probe.now();
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
        times.push(probe.send(frame));
      }
      return times;
    },
  };
  Object.defineProperty(window, '__ntBench', { value: api });
}

/** The page's shared-clock time now. */
export async function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => window.__ntBench?.now() ?? Number.NaN);
}

/** When the message with `token` showed in the page's list (waits up to `timeoutMs`); null if it did not. */
export async function waitShown(page: Page, token: string, timeoutMs: number): Promise<number | null> {
  return page.evaluate(([wanted, ms]) => window.__ntBench?.waitShown(wanted, ms) ?? null, [token, timeoutMs] as const);
}

/** Sends a raw frame down the page's open data channel; the send time, or null when none is open. */
export async function sendFrame(page: Page, frame: string): Promise<number | null> {
  return page.evaluate((text) => window.__ntBench?.send(text) ?? null, frame);
}

/** Sends frames from inside the page, one every `intervalMs`; each frame's send time. */
export async function sendFramesPaced(page: Page, frames: readonly string[], intervalMs: number): Promise<(number | null)[]> {
  return page.evaluate(([texts, ms]) => window.__ntBench?.sendPaced(texts, ms) ?? [], [frames, intervalMs] as const);
}

/** Shown times of every token seen so far. */
export async function shownTimes(page: Page): Promise<Map<string, number>> {
  return new Map(await page.evaluate(() => [...(window.__ntBench?.shown ?? new Map<string, number>())]));
}

/** Everything the probe stamped in the page, except message arrivals. */
export interface PageStamps {
  readonly timeOrigin: number;
  readonly channelOpens: readonly number[];
  readonly milestones: ReadonlyMap<string, number>;
  readonly clicks: readonly number[];
}

export async function pageStamps(page: Page): Promise<PageStamps> {
  const stamps = await page.evaluate(() => ({
    timeOrigin: performance.timeOrigin,
    channelOpens: [...(window.__ntBench?.channelOpens ?? [])],
    milestones: [...(window.__ntBench?.milestones ?? new Map<string, number>())],
    clicks: [...(window.__ntBench?.clicks ?? [])],
  }));
  return { ...stamps, milestones: new Map(stamps.milestones) };
}

/**
 * Offset of the page's clock from this process's (`performance.timeOrigin + now()` both):
 * the sample with the shortest round trip of `samples`, and that round trip. Pages are
 * compared through it to check that they really share one clock.
 */
export async function clockOffset(page: Page, samples = 15): Promise<{ offsetMs: number; roundTripMs: number }> {
  const nodeNow = (): number => performance.timeOrigin + performance.now();
  let best = { offsetMs: Number.NaN, roundTripMs: Number.POSITIVE_INFINITY };
  for (let sample = 0; sample < samples; sample += 1) {
    const before = nodeNow();
    const inPage = await pageNow(page);
    const after = nodeNow();
    if (after - before < best.roundTripMs) best = { offsetMs: inPage - (before + after) / 2, roundTripMs: after - before };
  }
  return best;
}
