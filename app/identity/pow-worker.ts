/**
 * Makes a proof of work off the main thread, so the location and username screens stay
 * responsive for the second it takes (several on a phone). One job per worker: the page
 * posts a `PowJob`, the worker posts progress every slice and the proof at the end.
 */

import { searchProofOfWork } from '../core/proof-of-work.ts';
import { parsePowJob, POW_SLICE, type PowWorkerReply } from './pow-job.ts';

const reply = (message: PowWorkerReply): void => postMessage(message);

addEventListener('message', (event: MessageEvent<unknown>) => {
  const job = parsePowJob(event.data);
  if (job === null) {
    reply({ type: 'error', message: 'not a proof-of-work job' });
    return;
  }
  for (let from = 0; from < Number.MAX_SAFE_INTEGER; from += POW_SLICE) {
    const proof = searchProofOfWork(job.key, job.windowStartMs, job.difficultyBits, from, POW_SLICE);
    if (proof !== null) {
      reply({ type: 'done', proof });
      return;
    }
    reply({ type: 'progress', tried: from + POW_SLICE });
  }
});
