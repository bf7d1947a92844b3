/** Runtime validation of client → relay frames (the relay's only input). */

import { isGeohash } from './geohash.ts';
import { exceedsJsonDepth, isJsonObject, parseJson, type JsonObject } from './json.ts';
import { refuse, type ParseResult } from './parse-result.ts';
import {
  HOME_PRECISION,
  isPeerId,
  MAX_FRAME_DEPTH,
  MAX_WATCH_PREFIXES,
  MAX_WATCH_PRECISION,
  MIN_WATCH_PRECISION,
  type ClientFrame,
  type JoinFrame,
  type SignalFrame,
} from './protocol.ts';

/** Longest slice of client text quoted back in an error message. */
const QUOTE_LIMIT = 32;

/**
 * Parses one client → relay frame, checking every field. Never throws: garbage gets a
 * refusal whose code and message go back to the client in an `error` frame.
 */
export function parseClientFrame(text: string): ParseResult<ClientFrame> {
  const value = parseJson(text);
  if (value === undefined) return refuse('bad-json', 'The frame is not valid JSON.');
  // JSON.parse is iterative and safe on deep input; what would consume the value may not be.
  if (exceedsJsonDepth(text, MAX_FRAME_DEPTH)) {
    return refuse('bad-frame', `A frame may nest objects and lists at most ${MAX_FRAME_DEPTH} levels deep.`);
  }
  if (!isJsonObject(value)) return refuse('bad-frame', 'A frame must be a JSON object.');
  const type = value['type'];
  switch (type) {
    case 'join':
      return parseJoin(value);
    case 'signal':
      return parseSignal(value);
    case 'leave':
      return { ok: true, frame: { type: 'leave' }, hasOnlyKnownFields: Object.keys(value).length === 1 };
    default:
      return typeof type === 'string'
        ? refuse('unknown-type', `Unknown frame type "${type.slice(0, QUOTE_LIMIT)}"; expected join, signal or leave.`)
        : refuse('bad-frame', 'A frame needs a string field "type".');
  }
}

function parseJoin(object: JsonObject): ParseResult<JoinFrame> {
  const home = object['home'];
  if (!isGeohash(home, HOME_PRECISION)) {
    return refuse('bad-frame', `"home" must be a geohash of ${HOME_PRECISION} characters.`);
  }
  const watch = object['watch'];
  if (!Array.isArray(watch)) return refuse('bad-frame', '"watch" must be a list of geohash prefixes.');
  if (watch.length > MAX_WATCH_PREFIXES) {
    return refuse('bad-frame', `"watch" holds at most ${MAX_WATCH_PREFIXES} prefixes.`);
  }
  const prefixes = new Set<string>();
  for (const prefix of watch) {
    if (!isGeohash(prefix, MIN_WATCH_PRECISION, MAX_WATCH_PRECISION)) {
      return refuse(
        'bad-frame',
        `Each "watch" prefix must be a geohash of ${MIN_WATCH_PRECISION} to ${MAX_WATCH_PRECISION} characters.`,
      );
    }
    prefixes.add(prefix);
  }
  return { ok: true, frame: { type: 'join', home, watch: [...prefixes] }, hasOnlyKnownFields: Object.keys(object).length === 3 };
}

function parseSignal(object: JsonObject): ParseResult<SignalFrame> {
  const to = object['to'];
  if (!isPeerId(to)) return refuse('bad-frame', '"to" must be a peer id.');
  const data = object['data'];
  if (data === undefined) return refuse('bad-frame', '"signal" needs a field "data".');
  // Keys of a parsed object are unique: three keys here are exactly type, to and data.
  return { ok: true, frame: { type: 'signal', to, data }, hasOnlyKnownFields: Object.keys(object).length === 3 };
}
