/**
 * Many authors signing in Node, so that hundreds of messages can reach one receiver in
 * seconds without any author passing the receivers' limit of 10 messages a minute. Each
 * author has its own session key (WebCrypto P-256, as in the app) and a quantized position
 * a few metres from an anchor.
 */

import { MAX_MESSAGES_PER_MINUTE } from '../../../app/core/author-rate-limit.ts';
import type { ChatMessage } from '../../../app/core/chat-message.ts';
import type { PeerFrame } from '../../../app/core/peer-protocol.ts';
import { quantizePosition, type Position } from '../../../app/core/position.ts';
import { randomId, SessionIdentity } from '../../../app/identity/session-identity.ts';
import { proofFor } from '../../fixture/proofs.ts';

/** Messages per author per run: below the limit, with room to spare. */
const MESSAGES_PER_AUTHOR = MAX_MESSAGES_PER_MINUTE - 2;
/** Metres per degree of latitude. */
const METRES_PER_DEGREE = 111_320;

interface Author {
  readonly identity: SessionIdentity;
  readonly username: string;
  readonly position: Position;
}

export class SyntheticAuthors {
  private next = 0;

  private constructor(
    private readonly authors: readonly Author[],
    private readonly radiusM: number,
  ) {}

  /** Enough authors for `messageCount` messages, spread 0–80 m from `anchor`. */
  static async create(messageCount: number, anchor: Position, radiusM: number, namePrefix = 'Bench'): Promise<SyntheticAuthors> {
    const count = Math.ceil(messageCount / MESSAGES_PER_AUTHOR);
    const authors = await Promise.all(
      Array.from({ length: count }, async (_, index): Promise<Author> => {
        const northM = (index % 5) * 20;
        const eastM = Math.floor(index / 5) % 5 * 20;
        const raw = {
          lat: anchor.lat + northM / METRES_PER_DEGREE,
          lon: anchor.lon + eastM / (METRES_PER_DEGREE * Math.cos((anchor.lat * Math.PI) / 180)),
        };
        return { identity: await SessionIdentity.create(), username: `${namePrefix} ${index + 1}`, position: quantizePosition(raw) };
      }),
    );
    return new SyntheticAuthors(authors, radiusM);
  }

  get authorCount(): number {
    return this.authors.length;
  }

  /** A signed chat frame with `text`, from the next author in turn, sent at `sentAtMs`. */
  async chatFrame(text: string, sentAtMs: number): Promise<string> {
    const author = this.authors[this.next % this.authors.length];
    if (author === undefined) throw new Error('no authors');
    this.next += 1;
    const message: ChatMessage = await author.identity.sign({
      id: randomId(),
      username: author.username,
      text,
      sentAtMs,
      position: author.position,
      radiusM: this.radiusM,
      pow: proofFor(author.identity.publicKey, sentAtMs),
    });
    return JSON.stringify({ type: 'chat', message } satisfies PeerFrame);
  }
}
