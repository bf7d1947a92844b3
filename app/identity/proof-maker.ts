/**
 * Where our proof of work is made: in a Web Worker in the browser (the page stays
 * responsive), or inline in slices where there is no Worker (Node, the simulation).
 * Either way the work is `searchProofOfWork`; only the place differs.
 */

import { searchProofOfWork, type ProofOfWork } from '../core/proof-of-work.ts';
import { parsePowReply, POW_SLICE, type PowJob } from './pow-job.ts';

export interface ProofMaker {
  /**
   * Makes a proof for the job. `onProgress` gets the chance, 0..1, that a proof would have
   * been found by now (the work is a lottery: a fair progress bar, not a promise). Rejects
   * when `signal` aborts.
   */
  make(job: PowJob, onProgress: (fraction: number) => void, signal: AbortSignal): Promise<ProofOfWork>;
}

/** The chance that `tried` nonces contain a proof of `difficultyBits`. */
export function progressOf(tried: number, difficultyBits: number): number {
  return 1 - Math.exp(-tried / 2 ** difficultyBits);
}

const aborted = (): Error => new Error('proof of work stopped');

/** Makes proofs in slices on this thread, yielding between slices (Node, or no Worker). */
export const inlineProofMaker: ProofMaker = {
  async make(job, onProgress, signal) {
    for (let from = 0; from < Number.MAX_SAFE_INTEGER; from += POW_SLICE) {
      if (signal.aborted) throw aborted();
      const proof = searchProofOfWork(job.key, job.windowStartMs, job.difficultyBits, from, POW_SLICE);
      if (proof !== null) return proof;
      onProgress(progressOf(from + POW_SLICE, job.difficultyBits));
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
    throw new Error('no proof of work in the whole nonce range');
  },
};

/** Makes each proof in a fresh module worker (app/identity/pow-worker.ts), ended when done. */
export const workerProofMaker: ProofMaker = {
  make(job, onProgress, signal) {
    if (typeof Worker === 'undefined') return inlineProofMaker.make(job, onProgress, signal);
    return new Promise<ProofOfWork>((resolve, reject) => {
      const worker = new Worker(new URL('./pow-worker.ts', import.meta.url), { type: 'module', name: 'proof of work' });
      const finish = (): void => {
        worker.terminate();
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        finish();
        reject(aborted());
      };
      signal.addEventListener('abort', onAbort);
      worker.addEventListener('message', (event: MessageEvent<unknown>) => {
        const reply = parsePowReply(event.data);
        if (reply === null) return;
        switch (reply.type) {
          case 'progress':
            onProgress(progressOf(reply.tried, job.difficultyBits));
            return;
          case 'done':
            finish();
            resolve(reply.proof);
            return;
          case 'error':
            finish();
            reject(new Error(reply.message));
            return;
          default:
            reply satisfies never;
        }
      });
      worker.addEventListener('error', (event: ErrorEvent) => {
        finish();
        reject(new Error(`proof-of-work worker failed: ${event.message}`));
      });
      worker.postMessage(job);
    });
  },
};
