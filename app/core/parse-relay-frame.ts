/** Runtime validation of relay → client frames: a client trusts nothing it did not check. */

import { isGeohash } from './geohash.ts';
import { isJsonObject, parseJson, type JsonObject, type JsonValue } from './json.ts';
import {
  ERROR_CODES,
  HOME_PRECISION,
  isPeerId,
  MAX_ICE_SERVERS,
  MAX_LISTED_PEERS,
  type ErrorCode,
  type IceServer,
  type PeerPresence,
  type RelayFrame,
} from './protocol.ts';

/** Parses one relay → client frame; `null` for anything malformed. Never throws. */
export function parseRelayFrame(text: string): RelayFrame | null {
  const value = parseJson(text);
  if (!isJsonObject(value)) return null;
  switch (value['type']) {
    case 'welcome':
      return parseWelcome(value);
    case 'ice-servers': {
      const iceServers = parseIceServers(value['iceServers']);
      return iceServers === null ? null : { type: 'ice-servers', iceServers };
    }
    case 'peers': {
      const list = value['peers'];
      if (!Array.isArray(list) || list.length > MAX_LISTED_PEERS) return null;
      const peers: PeerPresence[] = [];
      for (const item of list) {
        const peer = isJsonObject(item) ? parsePresence(item) : null;
        if (peer === null) return null;
        peers.push(peer);
      }
      const sampled = value['sampled'];
      if (sampled !== undefined && typeof sampled !== 'boolean') return null;
      return sampled === true ? { type: 'peers', peers, sampled } : { type: 'peers', peers };
    }
    case 'peer-joined': {
      const peer = parsePresence(value);
      return peer === null ? null : { type: 'peer-joined', ...peer };
    }
    case 'peer-left': {
      const id = value['id'];
      return isPeerId(id) ? { type: 'peer-left', id } : null;
    }
    case 'signal': {
      const from = value['from'];
      const data = value['data'];
      return isPeerId(from) && data !== undefined ? { type: 'signal', from, data } : null;
    }
    case 'error': {
      const code = value['code'];
      const message = value['message'];
      return isErrorCode(code) && typeof message === 'string' ? { type: 'error', code, message } : null;
    }
    default:
      return null;
  }
}

function parsePresence(object: JsonObject): PeerPresence | null {
  const id = object['id'];
  const home = object['home'];
  return isPeerId(id) && isGeohash(home, HOME_PRECISION) ? { id, home } : null;
}

function isErrorCode(value: JsonValue | undefined): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

function parseWelcome(object: JsonObject): RelayFrame | null {
  const id = object['id'];
  const protocol = object['protocol'];
  const iceServers = parseIceServers(object['iceServers']);
  if (!isPeerId(id) || typeof protocol !== 'number' || iceServers === null) return null;
  return { type: 'welcome', id, protocol, iceServers };
}

/** A list of at most MAX_ICE_SERVERS valid entries, or null. */
function parseIceServers(servers: JsonValue | undefined): IceServer[] | null {
  if (!Array.isArray(servers) || servers.length > MAX_ICE_SERVERS) return null;
  const iceServers: IceServer[] = [];
  for (const server of servers) {
    const parsed = isJsonObject(server) ? parseIceServer(server) : null;
    if (parsed === null) return null;
    iceServers.push(parsed);
  }
  return iceServers;
}

/** Checks one ICE server entry; exported for the relay's configuration parser too. */
export function parseIceServer(object: JsonObject): IceServer | null {
  const urls = object['urls'];
  const username = object['username'];
  const credential = object['credential'];
  const isUrl = (url: JsonValue): url is string => typeof url === 'string' && /^(stun|stuns|turn|turns):/.test(url);
  let checkedUrls: string | string[];
  if (typeof urls === 'string' && isUrl(urls)) checkedUrls = urls;
  else if (Array.isArray(urls) && urls.length > 0 && urls.every(isUrl)) checkedUrls = urls.filter(isUrl);
  else return null;
  if (username !== undefined && typeof username !== 'string') return null;
  if (credential !== undefined && typeof credential !== 'string') return null;
  return {
    urls: checkedUrls,
    ...(username === undefined ? {} : { username }),
    ...(credential === undefined ? {} : { credential }),
  };
}
