/**
 * Counts what peers send each other over links, by the frame's `type`, and how many
 * message bodies those frames carry. A body is a `message` object or an item of a
 * `messages` array, whatever the frame type, so new gossip frames (announce ids, pull
 * bodies) are counted without changes here: frames without bodies are control frames.
 */

import { isJsonObject, parseJson, type JsonValue } from '../../app/core/json.ts';

export interface FrameTallyOptions {
  /** Also count, per directed link, how often each message id was sent (tests only: memory grows with traffic). */
  readonly isTrackingLinks?: boolean;
}

/** Ids of the message bodies a frame carries ('' for a body without a string id). */
export function bodyIdsOf(frame: JsonValue | undefined): string[] {
  if (!isJsonObject(frame)) return [];
  const idOf = (body: JsonValue | undefined): string => (isJsonObject(body) && typeof body['id'] === 'string' ? body['id'] : '');
  const ids: string[] = [];
  if (isJsonObject(frame['message'])) ids.push(idOf(frame['message']));
  const many = frame['messages'];
  if (Array.isArray(many)) for (const body of many) ids.push(idOf(body));
  return ids;
}

export class FrameTally {
  /** Frames sent, by type ('?' for frames without a string type). */
  readonly framesByType = new Map<string, number>();
  /** Message bodies sent, over all frames. */
  bodies = 0;
  /** Frames that carried at least one body. */
  bodyFrames = 0;
  /** Frames that carried none. */
  controlFrames = 0;
  /** `from>to` (relay ids) → message id → times sent over that link. */
  readonly perLink = new Map<string, Map<string, number>>();
  /** message id → frames carrying it, over all links (tracked with `isTrackingLinks`). */
  readonly perMessage = new Map<string, number>();
  /** `from>to` (relay ids) → message id → times offered in `have` frames over that link (tracked with `isTrackingLinks`). */
  readonly offeredPerLink = new Map<string, Map<string, number>>();

  constructor(private readonly options: FrameTallyOptions = {}) {}

  /** Records one frame that a link accepted for sending. */
  record(fromRelayId: string, toRelayId: string, text: string): void {
    const frame = parseJson(text);
    const type = isJsonObject(frame) && typeof frame['type'] === 'string' ? frame['type'] : '?';
    this.framesByType.set(type, (this.framesByType.get(type) ?? 0) + 1);
    const linkKey = `${fromRelayId}>${toRelayId}`;
    const ids = bodyIdsOf(frame);
    if (ids.length === 0) {
      this.controlFrames += 1;
      if (type === 'have' && isJsonObject(frame) && Array.isArray(frame['ids']) && this.options.isTrackingLinks === true) {
        const offered = countsFor(this.offeredPerLink, linkKey);
        for (const id of frame['ids']) if (typeof id === 'string') offered.set(id, (offered.get(id) ?? 0) + 1);
      }
      return;
    }
    this.bodyFrames += 1;
    this.bodies += ids.length;
    if (this.options.isTrackingLinks !== true) return;
    const counts = countsFor(this.perLink, linkKey);
    for (const id of ids) {
      counts.set(id, (counts.get(id) ?? 0) + 1);
      this.perMessage.set(id, (this.perMessage.get(id) ?? 0) + 1);
    }
  }

  /** Total frames sent. */
  get frames(): number {
    return this.bodyFrames + this.controlFrames;
  }
}

/** The id counts of one link in `perLink`, made empty the first time. */
function countsFor(perLink: Map<string, Map<string, number>>, linkKey: string): Map<string, number> {
  let counts = perLink.get(linkKey);
  if (counts === undefined) {
    counts = new Map();
    perLink.set(linkKey, counts);
  }
  return counts;
}
