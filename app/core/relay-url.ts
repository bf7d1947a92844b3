/**
 * Which relay the app talks to: the page's own origin at `/ws` by default, replaced by a
 * build-time setting, replaced in turn by `?relay=` in the page address. Pure: the caller
 * passes in the page address and the build-time value.
 */

import { RELAY_PATH } from './protocol.ts';

/** Longest relay URL accepted, in characters: an address bar is no place for more. */
export const MAX_RELAY_URL_LENGTH = 2048;

/** Query parameter that overrides the relay at run time, e.g. `?relay=wss://relay.example/ws`. */
export const RELAY_QUERY_PARAMETER = 'relay';

/** Where the chosen URL came from. */
export type RelayUrlSource = 'query' | 'build' | 'same-origin';

export interface RelayUrlChoice {
  /** Absolute `ws:` or `wss:` URL, normalised. */
  readonly url: string;
  readonly source: RelayUrlSource;
  /** Overrides that were set but are not usable relay URLs, with the reason; the caller reports them. */
  readonly ignored: readonly string[];
}

/**
 * Checks one relay URL: absolute, `ws:` or `wss:`, no credentials, no fragment (WebSocket
 * refuses fragments), at most `MAX_RELAY_URL_LENGTH` characters. Returns the normalised
 * URL, or `null`. Never throws.
 */
export function parseRelayUrl(text: string): string | null {
  if (text.length === 0 || text.length > MAX_RELAY_URL_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch (err: unknown) {
    if (err instanceof TypeError) return null;
    throw err;
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return null;
  // An empty fragment (`…/ws#`) leaves `hash` empty, yet WebSocket still refuses it.
  if (url.username !== '' || url.password !== '' || text.includes('#')) return null;
  return url.href;
}

/** The relay served by the page's own origin: `wss:` under `https:`, `ws:` otherwise. */
export function sameOriginRelayUrl(pageUrl: string): string {
  const page = new URL(pageUrl);
  const protocol = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return new URL(RELAY_PATH, `${protocol}//${page.host}`).href;
}

/**
 * Picks the relay URL for a page at `pageUrl` (an absolute http: or https: URL):
 * a valid `?relay=` first, then a valid `buildTimeUrl` (empty or undefined means unset),
 * then the page's own origin.
 */
export function chooseRelayUrl(pageUrl: string, buildTimeUrl?: string): RelayUrlChoice {
  const ignored: string[] = [];
  const fromQuery = new URL(pageUrl).searchParams.get(RELAY_QUERY_PARAMETER);
  if (fromQuery !== null) {
    const url = parseRelayUrl(fromQuery);
    if (url !== null) return { url, source: 'query', ignored };
    ignored.push(`?${RELAY_QUERY_PARAMETER}= is not a ws: or wss: URL`);
  }
  if (buildTimeUrl !== undefined && buildTimeUrl !== '') {
    const url = parseRelayUrl(buildTimeUrl);
    if (url !== null) return { url, source: 'build', ignored };
    ignored.push('the build-time relay URL is not a ws: or wss: URL');
  }
  return { url: sameOriginRelayUrl(pageUrl), source: 'same-origin', ignored };
}
