/**
 * Runs the seeded corpus against a relay: every frame's outcome is checked as it comes
 * (an error code for the fuzzer, a `peers` answer, a signal delivered to the target with
 * `data` as written), and at the end nothing reached anyone it should not have. Used by
 * `test/relay/fuzz.test.ts` (5,000 frames) and `npm run fuzz:relay -- --frames N`.
 */

import { parseRelayFrame } from '../../app/core/parse-relay-frame.ts';
import { TestClient } from '../relay/relay-harness.ts';
import { buildCorpus, FAR_HOME, NEAR_PREFIX, type FuzzFrame, type Model } from './frame-corpus.ts';

export interface FrameFuzzReport {
  readonly frames: number;
  /** Frames sent per kind. */
  readonly kinds: ReadonlyMap<string, number>;
  /** One line per broken promise; empty when the relay kept every one. */
  readonly failures: readonly string[];
}

const excerpt = (frame: FuzzFrame): string =>
  typeof frame.payload === 'string' ? JSON.stringify(frame.payload.slice(0, 100)) : `${frame.payload.length} binary bytes`;

/** Sends `count` seeded frames from one client; three others watch what reaches them. */
export async function runFrameFuzz(url: string, seed: number, count: number): Promise<FrameFuzzReport> {
  const [fuzzer, target, bystander, far] = await Promise.all([1, 2, 3, 4].map(() => TestClient.connect(url)));
  if (fuzzer === undefined || target === undefined || bystander === undefined || far === undefined) throw new Error('four clients');
  await target.sync(`${NEAR_PREFIX}w`, [NEAR_PREFIX]);
  await bystander.sync(`${NEAR_PREFIX}x`, [NEAR_PREFIX]);
  await far.sync(FAR_HOME, [FAR_HOME.slice(0, 5)]);
  const signalTexts: string[] = [];
  target.ws.on('message', (data) => {
    const text = data.toString();
    if (parseRelayFrame(text)?.type === 'signal') signalTexts.push(text);
  });

  const corpus = buildCorpus(seed, count, { fuzzer: fuzzer.id, target: target.id, far: far.id });
  const kinds = new Map<string, number>();
  const failures: string[] = [];
  const model: Model = { home: null };
  let expectedErrors = 0;
  let delivered = 0;
  for (const [index, frame] of corpus.entries()) {
    kinds.set(frame.kind, (kinds.get(frame.kind) ?? 0) + 1);
    const outcome = frame.expect(model);
    fuzzer.sendRaw(frame.payload, { binary: frame.isBinary });
    const where = `#${index} ${frame.kind} ${excerpt(frame)}`;
    try {
      switch (outcome.kind) {
        case 'error': {
          expectedErrors += 1;
          const error = await fuzzer.next('error');
          if (error.code !== outcome.code) failures.push(`${where}: expected ${outcome.code}, got ${error.code} (${error.message})`);
          break;
        }
        case 'joined':
          await fuzzer.next('peers');
          model.home = outcome.home;
          break;
        case 'left':
          model.home = null;
          break;
        case 'delivered': {
          const signal = await target.next('signal');
          const text = signalTexts[delivered] ?? '';
          delivered += 1;
          if (signal.from !== fuzzer.id) failures.push(`${where}: delivered with from ${signal.from}`);
          if (!text.includes(`"data":${outcome.raw}`)) failures.push(`${where}: data not as written: ${text.slice(0, 200)}`);
          break;
        }
        default:
          outcome satisfies never;
      }
    } catch (err: unknown) {
      failures.push(`${where}: ${err instanceof Error ? err.message : String(err)}`);
      break;
    }
  }
  // A barrier: every answer the relay made has arrived; none beyond those expected.
  await fuzzer.sync(`${NEAR_PREFIX}w`, [NEAR_PREFIX]);
  await bystander.sync(`${NEAR_PREFIX}x`, [NEAR_PREFIX]);
  await far.sync(FAR_HOME, [FAR_HOME.slice(0, 5)]);
  await target.sync(`${NEAR_PREFIX}w`, [NEAR_PREFIX]);
  if (fuzzer.all('error').length !== expectedErrors) failures.push(`the fuzzer got ${fuzzer.all('error').length} errors, expected ${expectedErrors}`);
  if (target.all('signal').length !== delivered) failures.push(`the target got ${target.all('signal').length} signals, expected ${delivered}`);
  for (const [name, client] of [['bystander', bystander], ['far peer', far], ['target', target]] as const) {
    if (name !== 'target' && client.all('signal').length > 0) failures.push(`the ${name} received ${client.all('signal').length} signals`);
    if (client.all('error').length > 0) failures.push(`the ${name} received errors: ${JSON.stringify(client.all('error'))}`);
    if (client.isClosed) failures.push(`the ${name} was disconnected`);
  }
  if (fuzzer.isClosed) failures.push('the fuzzer was disconnected (limits are raised for this run)');
  await Promise.all([fuzzer, target, bystander, far].map((client) => client.close()));
  return { frames: corpus.length, kinds, failures };
}
