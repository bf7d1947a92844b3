/**
 * Where each message went, hop by hop: for every directed link (sender → receiver) the
 * first time the sender offered a message's id (`have`), sent its body, and the first
 * time the receiver got that body; for every peer the wants it sent per message; and when
 * each link end opened. `delivery-breakdown.ts` turns this into where a delivery's time
 * went. Only first occurrences are kept, so memory grows with (message, link) pairs, not
 * with frames.
 */

import { isJsonObject, parseJson, type JsonValue } from '../../app/core/json.ts';
import { bodyIdsOf } from './frame-tally.ts';

/** First times on one directed link for one message (simulation ms). */
export interface HopTimes {
  haveSentMs?: number;
  bodySentMs?: number;
  bodyReceivedMs?: number;
  /** The receiver's first `want` for this message sent back over this link. */
  wantSentMs?: number;
}

/** The ids of a `have` or `want` frame (empty for other frames). */
function idsOf(frame: JsonValue | undefined, type: 'have' | 'want'): string[] {
  if (!isJsonObject(frame) || frame['type'] !== type || !Array.isArray(frame['ids'])) return [];
  return frame['ids'].filter((id): id is string => typeof id === 'string');
}

export class PathTracer {
  /** message id → `from>to` (peer indexes) → first times on that link. */
  readonly hops = new Map<string, Map<string, HopTimes>>();
  /** message id → peer index → its first `want` for the message, to anyone. */
  readonly firstWant = new Map<string, Map<number, number>>();
  /** `owner>remote` → when owner's end of its first link to remote opened. */
  readonly linkOpenedMs = new Map<string, number>();

  /** Every message id is traced: in a simulation every message is one of the scenario's. */
  constructor(private readonly clock: () => number) {}

  /** Owner's link end to remote opened (the first time: a later re-link keeps the first). */
  opened(owner: number, remote: number): void {
    const key = `${owner}>${remote}`;
    if (!this.linkOpenedMs.has(key)) this.linkOpenedMs.set(key, this.clock());
  }

  /** `from` sent `text` to `to`. */
  sent(from: number, to: number, text: string): void {
    const frame = parseJson(text);
    const atMs = this.clock();
    for (const id of bodyIdsOf(frame)) this.mark(id, from, to, 'bodySentMs', atMs);
    for (const id of idsOf(frame, 'have')) this.mark(id, from, to, 'haveSentMs', atMs);
    for (const id of idsOf(frame, 'want')) {
      // A want from `from` asks `to` for the body: recorded on the link the body would take.
      this.mark(id, to, from, 'wantSentMs', atMs);
      let wants = this.firstWant.get(id);
      if (wants === undefined) {
        wants = new Map();
        this.firstWant.set(id, wants);
      }
      if (!wants.has(from)) wants.set(from, atMs);
    }
  }

  /** `to` received `text` from `from`. */
  received(to: number, from: number, text: string): void {
    const frame = parseJson(text);
    const atMs = this.clock();
    for (const id of bodyIdsOf(frame)) this.mark(id, from, to, 'bodyReceivedMs', atMs);
  }

  private mark(id: string, from: number, to: number, field: keyof HopTimes, atMs: number): void {
    let links = this.hops.get(id);
    if (links === undefined) {
      links = new Map();
      this.hops.set(id, links);
    }
    const key = `${from}>${to}`;
    let times = links.get(key);
    if (times === undefined) {
      times = {};
      links.set(key, times);
    }
    if (times[field] === undefined) times[field] = atMs;
  }
}
