/**
 * `npm run bench:crowd`: what presence costs when everyone is in one cell (a stadium, a
 * festival, a square). One relay process pinned to core 0 (the load generator here on
 * core 1); clients connect and join the same precision-6 cell, all watching it, in
 * steps up to 19,000 (the descriptor limit per process on these machines: the generator
 * holds every socket). For each step: presence frames the relay sent per arrival (counted
 * by the clients), relay CPU per arrival, relay RSS. Then, with the crowd in place, a
 * minute's worth of churn (arrivals and departures) compressed into a few seconds, and the
 * presence frames each staying client received per minute of that churn.
 *
 *   npm run bench:crowd                       # steps 1,000 5,000 10,000 19,000
 *   npm run bench:crowd -- --steps 500,2000   # other steps
 *   npm run bench:crowd -- --relays 3         # three relays on one Redis, clients round robin
 */

import { parseArgs } from 'node:util';
import { BenchClient, ClientPool, runBounded } from './bench-client.ts';
import { readCpuSeconds, readRssBytes } from './proc-stats.ts';
import { startCluster, type Cluster } from './scaleout-cluster.ts';
import { pinToLoadCore, ProcessTracker } from './server-process.ts';

const HOME = 'u09tvw';
const JOIN = JSON.stringify({ type: 'join', home: HOME, watch: ['u09tv'] });
const CONNECT_CONCURRENCY = 50;
const STEP_DEADLINE_MS = 300_000;
const OPEN_TIMEOUT_MS = 10_000;
/** Churn after the ramp: this many arrivals and as many departures, spread over CHURN_SECONDS. */
const CHURN_EVENTS = 600;
const CHURN_SECONDS = 6;

interface StepFigures {
  readonly from: number;
  readonly to: number;
  readonly framesPerArrival: number;
  readonly cpuMsPerArrival: number;
  readonly rssMiB: number;
}

function readArgs(): { steps: number[]; relays: number } {
  const { values } = parseArgs({ options: { steps: { type: 'string' }, relays: { type: 'string' } }, strict: true });
  const steps = (values.steps ?? '1000,5000,10000,19000').split(',').map(Number);
  if (steps.some((step) => !Number.isInteger(step) || step < 1 || step > 19_000) || steps.some((step, index) => index > 0 && step <= (steps[index - 1] ?? 0))) {
    throw new TypeError('--steps must be increasing whole numbers from 1 to 19000, e.g. 1000,5000');
  }
  const relays = Number(values.relays ?? '1');
  if (!Number.isInteger(relays) || relays < 1 || relays > 4) throw new TypeError('--relays must be a whole number from 1 to 4');
  return { steps, relays };
}

/** A client that counts the presence frames it receives (and answers nothing). */
class CrowdMember {
  presenceFrames = 0;
  private answered: (() => void) | null = null;
  readonly answer: Promise<void>;

  constructor(readonly client: BenchClient) {
    this.answer = new Promise((resolve) => {
      this.answered = resolve;
    });
    client.onText = (text) => {
      if (text.startsWith('{"type":"peer-') || text.startsWith('{"type":"peers"')) this.presenceFrames += 1;
      if (text.startsWith('{"type":"peers"')) this.answered?.();
    };
  }
}

async function arrive(url: string, pool: ClientPool): Promise<CrowdMember> {
  const member = new CrowdMember(pool.add(await BenchClient.open(url, OPEN_TIMEOUT_MS)));
  member.client.send(JOIN);
  await member.answer;
  return member;
}

const totalFrames = (members: readonly CrowdMember[]): number => members.reduce((sum, member) => sum + member.presenceFrames, 0);
const cpuSecondsOf = (cluster: Cluster): number => cluster.pids.reduce((sum, pid) => sum + readCpuSeconds(pid), 0);
const rssBytesOf = (cluster: Cluster): number => cluster.pids.reduce((sum, pid) => sum + readRssBytes(pid), 0);

async function main(): Promise<void> {
  const { steps, relays } = readArgs();
  pinToLoadCore();
  const tracker = new ProcessTracker();
  const pool = new ClientPool();
  let cluster: Cluster | null = null;
  try {
    cluster = await startCluster(relays, relays > 1, 'presence', tracker);
    const urls = cluster.relays.map((relay) => `ws://127.0.0.1:${relay.port}/ws`);
    let next = 0;
    const url = (): string => urls[next++ % urls.length] ?? '';
    const crowd: CrowdMember[] = [];
    const figures: StepFigures[] = [];
    for (const step of steps) {
      const from = crowd.length;
      const framesBefore = totalFrames(crowd);
      const cpuBefore = cpuSecondsOf(cluster);
      const arrivals = await runBounded(from, step, CONNECT_CONCURRENCY, STEP_DEADLINE_MS, () => arrive(url(), pool));
      crowd.push(...arrivals);
      const arrived = step - from;
      figures.push({
        from,
        to: step,
        // Each arrival's own answer counts as one of its frames.
        framesPerArrival: (totalFrames(crowd) - framesBefore) / arrived,
        cpuMsPerArrival: ((cpuSecondsOf(cluster) - cpuBefore) * 1000) / arrived,
        rssMiB: rssBytesOf(cluster) / 2 ** 20,
      });
      process.stderr.write(`crowd: ${step} present\n`);
    }
    const stayers = [...crowd];
    const framesBefore = totalFrames(stayers);
    const framesBeforeEach = new Map(stayers.map((member) => [member, member.presenceFrames]));
    const churnStart = performance.now();
    const leavers = stayers.splice(0, CHURN_EVENTS);
    for (let index = 0; index < CHURN_EVENTS; index += 1) {
      const due = churnStart + (index * CHURN_SECONDS * 1000) / CHURN_EVENTS;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      leavers[index]?.client.close();
      crowd.push(await arrive(url(), pool));
    }
    const churnMinutes = CHURN_SECONDS / 60;
    const perPhone = stayers.map((member) => member.presenceFrames - (framesBeforeEach.get(member) ?? 0)).sort((a, b) => a - b);
    const stayerFrames = totalFrames(stayers) - framesBefore;
    console.log(relays === 1 ? 'one relay, presence in memory' : `${relays} relays on one Redis (CPU and RSS: the relays and Redis together)`);
    print(figures, {
      people: steps.at(-1) ?? 0,
      eventsPerMinute: (2 * CHURN_EVENTS) / churnMinutes,
      meanPerPhonePerMinute: stayerFrames / stayers.length / churnMinutes,
      maxPerPhonePerMinute: (perPhone.at(-1) ?? 0) / churnMinutes,
    });
  } finally {
    pool.closeAll();
    await cluster?.stop();
    await tracker.stopAll();
  }
}

function print(figures: readonly StepFigures[], churn: { people: number; eventsPerMinute: number; meanPerPhonePerMinute: number; maxPerPhonePerMinute: number }): void {
  console.log('people in the cell     presence frames per arrival  relay CPU per arrival  relay RSS');
  for (const step of figures) {
    console.log(
      `${`${step.from.toLocaleString('en')} → ${step.to.toLocaleString('en')}`.padEnd(23)}` +
        `${step.framesPerArrival.toFixed(1).padStart(27)}  ${`${step.cpuMsPerArrival.toFixed(2)} ms`.padStart(21)}  ${`${step.rssMiB.toFixed(0)} MiB`.padStart(9)}`,
    );
  }
  console.log(
    `churn at ${churn.people.toLocaleString('en')} people: ${churn.eventsPerMinute.toFixed(0)} arrivals and departures a minute; ` +
      `a staying phone received ${churn.meanPerPhonePerMinute.toFixed(1)} presence frames a minute on average` +
      `, the busiest ${churn.maxPerPhonePerMinute.toFixed(0)}`,
  );
}

await main();
